#pragma once
/// Tokens of the expression language. Identifiers may contain '-' between letters or digits
/// (`temp-in`, `spindle-1`), so subtraction needs spaces around the minus: `a - b`.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spindle::transform {

enum class TokenKind : std::uint8_t {
  kEnd,
  kNumber,
  kString,
  kIdentifier,
  kAnd,  ///< and &&
  kOr,   ///< or ||
  kNot,  ///< not !
  kTrue,
  kFalse,
  kThis,
  kUnavailable,
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kComma,
  kDot,
  kQuestion,
  kColon,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::uint32_t offset = 0;  ///< byte offset in the expression text
  std::string text;          ///< identifier name, or string contents with escapes applied
  double number = 0;
};

/// Describes a token kind for messages: "')'", "a name", "the end of the expression".
const char* describe(TokenKind kind);

struct LexError {
  std::uint32_t offset = 0;
  std::string message;
};

/// Splits `text` into tokens ending with kEnd. Returns false and fills `error` on a bad
/// character, an unterminated string or a malformed number.
bool tokenize(std::string_view text, std::vector<Token>& tokens, LexError& error);

}  // namespace spindle::transform
