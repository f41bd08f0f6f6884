#pragma once
/// The expression grammar, lowest precedence first:
///   ternary    := or ('?' ternary ':' ternary)?
///   or         := and (('or' | '||') and)*
///   and        := not (('and' | '&&') not)*
///   not        := ('not' | '!') not | comparison
///   comparison := additive (('==' | '!=' | '<' | '<=' | '>' | '>=') additive)*
///   additive   := multiplicative (('+' | '-') multiplicative)*
///   multiplicative := unary (('*' | '/' | '%') unary)*
///   unary      := ('-' | '+' | '!') unary | postfix
///   postfix    := primary ('.' name | '[' ternary ']')*
///   primary    := number | string | true | false | unavailable | this | name
///               | name '(' arguments ')' | '(' ternary ')' | '[' elements ']'

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transform/expression_lexer.hpp"

namespace spindle::transform {

struct AstNode {
  enum class Kind : std::uint8_t {
    kNumber,
    kString,
    kBool,
    kUnavailable,
    kName,
    kThis,
    kUnary,   ///< op: kMinus, kPlus or kNot
    kBinary,  ///< arithmetic and comparisons
    kAnd,
    kOr,
    kTernary,   ///< children: condition, then, else
    kProperty,  ///< children: object; text: the property name
    kIndex,     ///< children: object, index
    kCall,      ///< text: function name; children: arguments
    kArray,     ///< children: elements
  };

  Kind kind = Kind::kNumber;
  TokenKind op = TokenKind::kEnd;
  std::uint32_t offset = 0;  ///< where the node starts (for an operator: the operator)
  double number = 0;
  bool boolean = false;
  std::string text;
  std::vector<std::unique_ptr<AstNode>> children;
};

struct ParseError {
  std::uint32_t offset = 0;
  std::string message;
};

/// Deeper nesting than this is refused, so hostile input cannot exhaust the stack.
constexpr int kMaxExpressionDepth = 64;
/// Expressions with more nodes (names, numbers, operators) are refused: long operator
/// chains make deep trees too.
constexpr int kMaxExpressionNodes = 2048;
/// Longer expressions are refused.
constexpr std::size_t kMaxExpressionLength = 16 * 1024;

/// Parses a whole expression. On failure returns nullptr and fills `error` with the offset
/// of the offending token and what was expected there.
std::unique_ptr<AstNode> parseExpression(std::string_view text, ParseError& error);

}  // namespace spindle::transform
