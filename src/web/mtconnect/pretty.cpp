#include "web/mtconnect/pretty.hpp"

#include <vector>

namespace spindle::web::mtconnect {
namespace {

void newline(std::string& out, std::size_t depth) {
  if (!out.empty()) out += '\n';
  out.append(depth * 2, ' ');
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

/// One piece of an XML document: a tag, a text run, or an opaque markup (<?..?>, <!..>).
struct Token {
  enum Kind { kOpen, kClose, kEmpty, kText, kOther } kind;
  std::string_view text;
};

bool tokenize(std::string_view xml, std::vector<Token>& tokens) {
  std::size_t i = 0;
  while (i < xml.size()) {
    if (xml[i] != '<') {
      const std::size_t lt = xml.find('<', i);
      const std::size_t end = lt == std::string_view::npos ? xml.size() : lt;
      tokens.push_back({Token::kText, xml.substr(i, end - i)});
      i = end;
      continue;
    }
    std::string_view rest = xml.substr(i);
    std::size_t end = std::string_view::npos;
    Token::Kind kind = Token::kOther;
    if (rest.starts_with("<!--")) {
      end = rest.find("-->");
      if (end != std::string_view::npos) end += 3;
    } else if (rest.starts_with("<![CDATA[")) {
      end = rest.find("]]>");
      if (end != std::string_view::npos) end += 3;
    } else if (rest.starts_with("<?")) {
      end = rest.find("?>");
      if (end != std::string_view::npos) end += 2;
    } else {
      // A tag: attribute values carry no raw '>' in well-formed XML... except inside quotes,
      // which a source document may have; skip quoted runs.
      char quote = 0;
      for (std::size_t k = 1; k < rest.size(); ++k) {
        const char c = rest[k];
        if (quote) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '>') {
          end = k + 1;
          break;
        }
      }
      if (end != std::string_view::npos) {
        kind = rest[1] == '/'         ? Token::kClose
               : rest[1] == '!'       ? Token::kOther
               : rest[end - 2] == '/' ? Token::kEmpty
                                      : Token::kOpen;
      }
    }
    if (end == std::string_view::npos) return false;
    tokens.push_back({kind, rest.substr(0, end)});
    i += end;
  }
  return true;
}

}  // namespace

std::string indentXml(std::string_view xml) {
  std::vector<Token> tokens;
  if (!tokenize(xml, tokens)) return std::string(xml);
  std::string out;
  out.reserve(xml.size() + xml.size() / 4);
  std::size_t depth = 0;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const Token& tok = tokens[t];
    switch (tok.kind) {
      case Token::kOpen:
        newline(out, depth);
        out += tok.text;
        // An element holding only text stays on one line, its text as it was.
        if (t + 2 < tokens.size() && tokens[t + 1].kind == Token::kText &&
            tokens[t + 2].kind == Token::kClose) {
          out += tokens[t + 1].text;
          out += tokens[t + 2].text;
          t += 2;
        } else if (t + 1 < tokens.size() && tokens[t + 1].kind == Token::kClose) {
          out += tokens[t + 1].text;
          t += 1;
        } else {
          ++depth;
        }
        break;
      case Token::kClose:
        if (depth == 0) return std::string(xml);
        --depth;
        newline(out, depth);
        out += tok.text;
        break;
      case Token::kEmpty:
      case Token::kOther:
        newline(out, depth);
        out += tok.text;
        break;
      case Token::kText:
        if (blank(tok.text)) break;
        newline(out, depth);
        out += tok.text;
        break;
    }
  }
  if (depth != 0) return std::string(xml);
  out += '\n';
  return out;
}

std::string indentJson(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 2);
  std::string open;  // the brackets open, innermost last
  bool inString = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (inString) {
      out += c;
      if (c == '\\' && i + 1 < json.size()) {
        out += json[++i];
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        inString = true;
        out += c;
        break;
      case '{':
      case '[': {
        out += c;
        // An empty object or array stays "{}" / "[]".
        std::size_t k = i + 1;
        while (k < json.size() &&
               (json[k] == ' ' || json[k] == '\n' || json[k] == '\t' || json[k] == '\r'))
          ++k;
        if (k < json.size() && (json[k] == '}' || json[k] == ']')) {
          out += json[k];
          i = k;
          break;
        }
        open += c;
        out += '\n';
        out.append(open.size() * 2, ' ');
        break;
      }
      case '}':
      case ']':
        if (open.empty() || open.back() != (c == '}' ? '{' : '[')) return std::string(json);
        open.pop_back();
        out += '\n';
        out.append(open.size() * 2, ' ');
        out += c;
        break;
      case ',':
        out += ",\n";
        out.append(open.size() * 2, ' ');
        break;
      case ':':
        out += ": ";
        break;
      case ' ':
      case '\n':
      case '\t':
      case '\r':
        break;
      default:
        out += c;
    }
  }
  if (!open.empty() || inString) return std::string(json);
  out += '\n';
  return out;
}

}  // namespace spindle::web::mtconnect
