#include "transform/expression_parser.hpp"

namespace spindle::transform {
namespace {

using Node = std::unique_ptr<AstNode>;

class Parser {
 public:
  Parser(std::vector<Token> tokens, ParseError& error)
      : m_tokens(std::move(tokens)), m_error(error) {}

  bool tooLarge() const { return m_tooLarge; }

  Node parseAll() {
    Node node = ternary();
    if (!node) return nullptr;
    if (peek().kind != TokenKind::kEnd) {
      if (peek().kind == TokenKind::kIdentifier || peek().kind == TokenKind::kNumber ||
          peek().kind == TokenKind::kString) {
        return fail("expected an operator before " + shown(peek()));
      }
      return fail("unexpected " + shown(peek()));
    }
    return node;
  }

 private:
  const Token& peek() const { return m_tokens[m_pos]; }
  const Token& take() { return m_tokens[m_pos < m_tokens.size() - 1 ? m_pos++ : m_pos]; }
  bool accept(TokenKind kind) {
    if (peek().kind != kind) return false;
    take();
    return true;
  }

  static std::string shown(const Token& t) {
    switch (t.kind) {
      case TokenKind::kIdentifier:
        return "name '" + t.text + "'";
      case TokenKind::kString:
        return "string '" + t.text + "'";
      case TokenKind::kNumber:
        return "number";
      default:
        return describe(t.kind);
    }
  }

  Node fail(std::string message) {
    if (m_error.message.empty()) {
      m_error.offset = peek().offset;
      m_error.message = std::move(message);
    }
    return nullptr;
  }

  Node make(AstNode::Kind kind, std::uint32_t offset) {
    if (++m_nodes > kMaxExpressionNodes) {
      fail("expression has more than " + std::to_string(kMaxExpressionNodes) + " terms");
      m_tooLarge = true;
    }
    auto n = std::make_unique<AstNode>();
    n->kind = kind;
    n->offset = offset;
    return n;
  }

  Node binary(AstNode::Kind kind, const Token& op, Node left, Node right) {
    Node n = make(kind, op.offset);
    n->op = op.kind;
    n->children.push_back(std::move(left));
    n->children.push_back(std::move(right));
    return n;
  }

  Node operand(Node (Parser::*next)(), const Token& after) {
    if (peek().kind == TokenKind::kEnd) {
      return fail("expected an expression after " + std::string(describe(after.kind)));
    }
    return (this->*next)();
  }

  struct DepthGuard {
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
    int& depth;
  };

  Node ternary() {
    DepthGuard guard(m_depth);
    if (m_depth > kMaxExpressionDepth) return fail("expression is nested too deeply");
    Node cond = orExpr();
    if (!cond) return nullptr;
    if (peek().kind != TokenKind::kQuestion) return cond;
    const Token q = take();
    Node yes = operand(&Parser::ternary, q);
    if (!yes) return nullptr;
    if (!accept(TokenKind::kColon))
      return fail("expected ':' of the '?' at offset " + std::to_string(q.offset + 1));
    Node no = ternary();
    if (!no) return nullptr;
    Node n = make(AstNode::Kind::kTernary, q.offset);
    n->children.push_back(std::move(cond));
    n->children.push_back(std::move(yes));
    n->children.push_back(std::move(no));
    return n;
  }

  Node orExpr() {
    Node left = andExpr();
    while (left && !m_tooLarge && peek().kind == TokenKind::kOr) {
      const Token op = take();
      Node right = operand(&Parser::andExpr, op);
      if (!right) return nullptr;
      left = binary(AstNode::Kind::kOr, op, std::move(left), std::move(right));
    }
    return left;
  }

  Node andExpr() {
    Node left = notExpr();
    while (left && !m_tooLarge && peek().kind == TokenKind::kAnd) {
      const Token op = take();
      Node right = operand(&Parser::notExpr, op);
      if (!right) return nullptr;
      left = binary(AstNode::Kind::kAnd, op, std::move(left), std::move(right));
    }
    return left;
  }

  Node notExpr() {
    if (peek().kind != TokenKind::kNot) return comparison();
    DepthGuard guard(m_depth);
    if (m_depth > kMaxExpressionDepth) return fail("expression is nested too deeply");
    const Token op = take();
    Node inner = operand(&Parser::notExpr, op);
    if (!inner) return nullptr;
    Node n = make(AstNode::Kind::kUnary, op.offset);
    n->op = TokenKind::kNot;
    n->children.push_back(std::move(inner));
    return n;
  }

  static bool isComparison(TokenKind k) {
    return k == TokenKind::kEqual || k == TokenKind::kNotEqual || k == TokenKind::kLess ||
           k == TokenKind::kLessEqual || k == TokenKind::kGreater || k == TokenKind::kGreaterEqual;
  }

  Node comparison() {
    Node left = additive();
    while (left && !m_tooLarge && isComparison(peek().kind)) {
      const Token op = take();
      Node right = operand(&Parser::additive, op);
      if (!right) return nullptr;
      left = binary(AstNode::Kind::kBinary, op, std::move(left), std::move(right));
    }
    return left;
  }

  Node additive() {
    Node left = multiplicative();
    while (left && !m_tooLarge &&
           (peek().kind == TokenKind::kPlus || peek().kind == TokenKind::kMinus)) {
      const Token op = take();
      Node right = operand(&Parser::multiplicative, op);
      if (!right) return nullptr;
      left = binary(AstNode::Kind::kBinary, op, std::move(left), std::move(right));
    }
    return left;
  }

  Node multiplicative() {
    Node left = unary();
    while (left && !m_tooLarge &&
           (peek().kind == TokenKind::kStar || peek().kind == TokenKind::kSlash ||
            peek().kind == TokenKind::kPercent)) {
      const Token op = take();
      Node right = operand(&Parser::unary, op);
      if (!right) return nullptr;
      left = binary(AstNode::Kind::kBinary, op, std::move(left), std::move(right));
    }
    return left;
  }

  Node unary() {
    const TokenKind k = peek().kind;
    if (k != TokenKind::kMinus && k != TokenKind::kPlus && k != TokenKind::kNot) return postfix();
    DepthGuard guard(m_depth);
    if (m_depth > kMaxExpressionDepth) return fail("expression is nested too deeply");
    const Token op = take();
    Node inner = operand(&Parser::unary, op);
    if (!inner) return nullptr;
    Node n = make(AstNode::Kind::kUnary, op.offset);
    n->op = op.kind;
    n->children.push_back(std::move(inner));
    return n;
  }

  Node postfix() {
    Node node = primary();
    while (node && !m_tooLarge) {
      if (peek().kind == TokenKind::kDot) {
        const Token dot = take();
        if (peek().kind != TokenKind::kIdentifier && peek().kind != TokenKind::kThis &&
            peek().kind != TokenKind::kTrue && peek().kind != TokenKind::kFalse &&
            peek().kind != TokenKind::kAnd && peek().kind != TokenKind::kOr &&
            peek().kind != TokenKind::kNot && peek().kind != TokenKind::kUnavailable) {
          return fail("expected a property name after '.', not " + shown(peek()) +
                      " (use ['...'] for other names)");
        }
        Node p = make(AstNode::Kind::kProperty, dot.offset);
        p->text = take().text;
        p->children.push_back(std::move(node));
        node = std::move(p);
      } else if (peek().kind == TokenKind::kLeftBracket) {
        const Token open = take();
        Node index = operand(&Parser::ternary, open);
        if (!index) return nullptr;
        if (!accept(TokenKind::kRightBracket)) return fail("expected ']' after the index");
        Node p = make(AstNode::Kind::kIndex, open.offset);
        p->children.push_back(std::move(node));
        p->children.push_back(std::move(index));
        node = std::move(p);
      } else {
        break;
      }
    }
    return node;
  }

  Node list(Node n, TokenKind close, const char* what) {
    if (accept(close)) return n;
    while (!m_tooLarge) {
      Node item = ternary();
      if (!item) return nullptr;
      n->children.push_back(std::move(item));
      if (accept(close)) return n;
      if (!accept(TokenKind::kComma)) {
        return fail(std::string("expected ',' or ") + describe(close) + " in the " + what +
                    ", not " + shown(peek()));
      }
    }
    return nullptr;
  }

  Node primary() {
    const Token& t = peek();
    Node n;
    switch (t.kind) {
      case TokenKind::kNumber:
        n = make(AstNode::Kind::kNumber, t.offset);
        n->number = t.number;
        take();
        return n;
      case TokenKind::kString:
        n = make(AstNode::Kind::kString, t.offset);
        n->text = t.text;
        take();
        return n;
      case TokenKind::kTrue:
      case TokenKind::kFalse:
        n = make(AstNode::Kind::kBool, t.offset);
        n->boolean = t.kind == TokenKind::kTrue;
        take();
        return n;
      case TokenKind::kUnavailable:
        n = make(AstNode::Kind::kUnavailable, t.offset);
        take();
        return n;
      case TokenKind::kThis:
        n = make(AstNode::Kind::kThis, t.offset);
        take();
        return n;
      case TokenKind::kIdentifier: {
        const Token name = take();
        if (accept(TokenKind::kLeftParen)) {
          n = make(AstNode::Kind::kCall, name.offset);
          n->text = name.text;
          return list(std::move(n), TokenKind::kRightParen, "arguments");
        }
        n = make(AstNode::Kind::kName, name.offset);
        n->text = name.text;
        return n;
      }
      case TokenKind::kLeftParen: {
        take();
        Node inner = ternary();
        if (!inner) return nullptr;
        if (!accept(TokenKind::kRightParen)) {
          return fail("expected ')' to close the '(', not " + shown(peek()));
        }
        return inner;
      }
      case TokenKind::kLeftBracket: {
        n = make(AstNode::Kind::kArray, t.offset);
        take();
        return list(std::move(n), TokenKind::kRightBracket, "list");
      }
      case TokenKind::kEnd:
        return fail("expected an expression");
      default:
        return fail("expected a value, a name or '(' but found " + shown(t));
    }
  }

  std::vector<Token> m_tokens;
  size_t m_pos = 0;
  int m_depth = 0;
  int m_nodes = 0;
  bool m_tooLarge = false;
  ParseError& m_error;
};

}  // namespace

std::unique_ptr<AstNode> parseExpression(std::string_view text, ParseError& error) {
  error = {};
  if (text.size() > kMaxExpressionLength) {
    error.message =
        "expression is longer than " + std::to_string(kMaxExpressionLength) + " characters";
    return nullptr;
  }
  std::vector<Token> tokens;
  LexError lexError;
  if (!tokenize(text, tokens, lexError)) {
    error.offset = lexError.offset;
    error.message = std::move(lexError.message);
    return nullptr;
  }
  Parser parser(std::move(tokens), error);
  auto node = parser.parseAll();
  if (parser.tooLarge()) node.reset();
  if (!node && error.message.empty()) error.message = "invalid expression";
  return node;
}

}  // namespace spindle::transform
