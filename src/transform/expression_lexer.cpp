#include "transform/expression_lexer.hpp"

#include <charconv>
#include <cmath>

namespace spindle::transform {
namespace {

bool isIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }

TokenKind keyword(std::string_view word) {
  if (word == "and") return TokenKind::kAnd;
  if (word == "or") return TokenKind::kOr;
  if (word == "not") return TokenKind::kNot;
  if (word == "true") return TokenKind::kTrue;
  if (word == "false") return TokenKind::kFalse;
  if (word == "this") return TokenKind::kThis;
  if (word == "unavailable") return TokenKind::kUnavailable;
  return TokenKind::kIdentifier;
}

bool readString(std::string_view text, size_t& i, Token& token, LexError& error) {
  const char quote = text[i];
  const size_t start = i++;
  std::string out;
  while (i < text.size() && text[i] != quote) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size()) {
      const char next = text[++i];
      switch (next) {
        case 'n':
          c = '\n';
          break;
        case 't':
          c = '\t';
          break;
        default:
          c = next;  // \\ \' \" and anything else stand for themselves
      }
    }
    out.push_back(c);
    ++i;
  }
  if (i >= text.size()) {
    error = {static_cast<std::uint32_t>(start),
             "unterminated string: add the closing " + std::string(1, quote)};
    return false;
  }
  ++i;
  token.kind = TokenKind::kString;
  token.text = std::move(out);
  return true;
}

bool readNumber(std::string_view text, size_t& i, Token& token, LexError& error) {
  const size_t start = i;
  while (i < text.size() && isDigit(text[i])) ++i;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && isDigit(text[i])) ++i;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && isDigit(text[j])) {
      i = j;
      while (i < text.size() && isDigit(text[i])) ++i;
    }
  }
  if (i < text.size() && isIdentStart(text[i])) {
    error = {static_cast<std::uint32_t>(start), "malformed number '" +
                                                    std::string(text.substr(start, i + 1 - start)) +
                                                    "': names must start with a letter or '_'"};
    return false;
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + i, value);
  if (ec != std::errc() || ptr != text.data() + i || !std::isfinite(value)) {
    error = {static_cast<std::uint32_t>(start),
             "malformed number '" + std::string(text.substr(start, i - start)) + "'"};
    return false;
  }
  token.kind = TokenKind::kNumber;
  token.number = value;
  return true;
}

bool readSymbol(std::string_view text, size_t& i, Token& token, LexError& error) {
  const char c = text[i];
  const char next = i + 1 < text.size() ? text[i + 1] : '\0';
  auto one = [&](TokenKind k) {
    token.kind = k;
    ++i;
    return true;
  };
  auto two = [&](TokenKind k) {
    token.kind = k;
    i += 2;
    return true;
  };
  switch (c) {
    case '(':
      return one(TokenKind::kLeftParen);
    case ')':
      return one(TokenKind::kRightParen);
    case '[':
      return one(TokenKind::kLeftBracket);
    case ']':
      return one(TokenKind::kRightBracket);
    case ',':
      return one(TokenKind::kComma);
    case '.':
      return one(TokenKind::kDot);
    case '?':
      return one(TokenKind::kQuestion);
    case ':':
      return one(TokenKind::kColon);
    case '+':
      return one(TokenKind::kPlus);
    case '-':
      return one(TokenKind::kMinus);
    case '*':
      return one(TokenKind::kStar);
    case '/':
      return one(TokenKind::kSlash);
    case '%':
      return one(TokenKind::kPercent);
    case '=':
      if (next == '=') return two(TokenKind::kEqual);
      error = {static_cast<std::uint32_t>(i), "'=' is not an operator: use '==' to compare"};
      return false;
    case '!':
      return next == '=' ? two(TokenKind::kNotEqual) : one(TokenKind::kNot);
    case '<':
      return next == '=' ? two(TokenKind::kLessEqual) : one(TokenKind::kLess);
    case '>':
      return next == '=' ? two(TokenKind::kGreaterEqual) : one(TokenKind::kGreater);
    case '&':
      if (next == '&') return two(TokenKind::kAnd);
      break;
    case '|':
      if (next == '|') return two(TokenKind::kOr);
      break;
    default:
      break;
  }
  const auto uc = static_cast<unsigned char>(c);
  std::string shown = uc >= 0x20 && uc < 0x7f ? std::string(1, c) : "byte " + std::to_string(uc);
  error = {static_cast<std::uint32_t>(i), "unexpected character '" + shown + "'"};
  if (c == '&' || c == '|') error.message += " (use 'and', 'or', '&&' or '||')";
  return false;
}

}  // namespace

const char* describe(TokenKind kind) {
  switch (kind) {
    case TokenKind::kEnd:
      return "the end of the expression";
    case TokenKind::kNumber:
      return "a number";
    case TokenKind::kString:
      return "a string";
    case TokenKind::kIdentifier:
      return "a name";
    case TokenKind::kAnd:
      return "'and'";
    case TokenKind::kOr:
      return "'or'";
    case TokenKind::kNot:
      return "'not'";
    case TokenKind::kTrue:
      return "'true'";
    case TokenKind::kFalse:
      return "'false'";
    case TokenKind::kThis:
      return "'this'";
    case TokenKind::kUnavailable:
      return "'unavailable'";
    case TokenKind::kLeftParen:
      return "'('";
    case TokenKind::kRightParen:
      return "')'";
    case TokenKind::kLeftBracket:
      return "'['";
    case TokenKind::kRightBracket:
      return "']'";
    case TokenKind::kComma:
      return "','";
    case TokenKind::kDot:
      return "'.'";
    case TokenKind::kQuestion:
      return "'?'";
    case TokenKind::kColon:
      return "':'";
    case TokenKind::kPlus:
      return "'+'";
    case TokenKind::kMinus:
      return "'-'";
    case TokenKind::kStar:
      return "'*'";
    case TokenKind::kSlash:
      return "'/'";
    case TokenKind::kPercent:
      return "'%'";
    case TokenKind::kEqual:
      return "'=='";
    case TokenKind::kNotEqual:
      return "'!='";
    case TokenKind::kLess:
      return "'<'";
    case TokenKind::kLessEqual:
      return "'<='";
    case TokenKind::kGreater:
      return "'>'";
    case TokenKind::kGreaterEqual:
      return "'>='";
  }
  return "?";
}

bool tokenize(std::string_view text, std::vector<Token>& tokens, LexError& error) {
  tokens.clear();
  size_t i = 0;
  while (true) {
    while (i < text.size() &&
           (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
      ++i;
    }
    Token token;
    token.offset = static_cast<std::uint32_t>(i);
    if (i >= text.size()) {
      tokens.push_back(std::move(token));
      return true;
    }
    const char c = text[i];
    if (isIdentStart(c)) {
      const size_t start = i;
      while (i < text.size()) {
        if (isIdentChar(text[i])) {
          ++i;
        } else if (text[i] == '-' && i + 1 < text.size() && isIdentChar(text[i + 1])) {
          i += 2;  // a hyphen inside a name: temp-in, spindle-1
        } else {
          break;
        }
      }
      token.text = std::string(text.substr(start, i - start));
      token.kind = keyword(token.text);
    } else if (isDigit(c) || (c == '.' && i + 1 < text.size() && isDigit(text[i + 1]))) {
      if (!readNumber(text, i, token, error)) return false;
    } else if (c == '\'' || c == '"') {
      if (!readString(text, i, token, error)) return false;
    } else if (!readSymbol(text, i, token, error)) {
      return false;
    }
    tokens.push_back(std::move(token));
  }
}

}  // namespace spindle::transform
