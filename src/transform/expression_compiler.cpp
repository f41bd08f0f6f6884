// Expression compilation: AST to instructions, names to node ids, constant folding.

#include <algorithm>
#include <unordered_map>

#include "config/diagnostics.hpp"
#include "transform/expression.hpp"
#include "transform/expression_functions.hpp"
#include "transform/expression_parser.hpp"

namespace spindle::transform {

class ExpressionCompiler {
 public:
  /// With `fold`, constant parts are computed now; without, everything is compiled as is
  /// (used to compute those parts, once each).
  ExpressionCompiler(Expression& out, const Symbols& symbols, bool allowThis, bool fold,
                     CompileError& error)
      : m_out(out), m_symbols(symbols), m_allowThis(allowThis), m_fold(fold), m_error(error) {}

  bool compileRoot(const AstNode& root) {
    if (m_fold) markConstants(root);
    return emit(root);
  }

 private:
  using Op = Expression::OpCode;

  bool fail(std::uint32_t offset, std::string message, std::string hint = "") {
    if (m_error.message.empty()) {
      m_error.offset = offset;
      m_error.message = std::move(message);
      m_error.hint = std::move(hint);
    }
    return false;
  }

  void push(Op op, std::int32_t arg = 0, std::int32_t arg2 = 0, int stackChange = 0) {
    m_out.m_code.push_back({op, arg, arg2});
    m_depth += stackChange;
    m_out.m_maxStack = std::max(m_out.m_maxStack, m_depth);
  }

  std::int32_t addConstant(ScriptValue v) {
    m_out.m_constants.push_back(std::move(v));
    return static_cast<std::int32_t>(m_out.m_constants.size() - 1);
  }

  std::int32_t addString(const std::string& s) {
    m_out.m_strings.push_back(s);
    return static_cast<std::int32_t>(m_out.m_strings.size() - 1);
  }

  // Bottom-up: a node is constant when it reads no name and no `this`.
  bool markConstants(const AstNode& n) {
    bool constant = n.kind != AstNode::Kind::kName && n.kind != AstNode::Kind::kThis;
    for (const auto& c : n.children) constant = markConstants(*c) && constant;
    m_constant[&n] = constant;
    return constant;
  }

  static std::uint32_t startOffset(const AstNode& n) {
    std::uint32_t offset = n.offset;
    for (const auto& c : n.children) offset = std::min(offset, startOffset(*c));
    return offset;
  }

  static bool isLiteral(const AstNode& n) {
    return n.kind == AstNode::Kind::kNumber || n.kind == AstNode::Kind::kString ||
           n.kind == AstNode::Kind::kBool || n.kind == AstNode::Kind::kUnavailable;
  }

  // Evaluates a constant subtree now and emits its value.
  bool fold(const AstNode& n) {
    Expression temp;
    CompileError error;
    ExpressionCompiler inner(temp, m_symbols, m_allowThis, false, error);
    if (!inner.compileRoot(n)) {
      return fail(error.offset, std::move(error.message), std::move(error.hint));
    }
    EvalEnv env;
    const ScriptValue value = temp.evaluate(env, ScriptValue());
    if (env.error) {
      return fail(startOffset(n), "this constant part always fails: " + env.error.message);
    }
    push(Op::kConst, addConstant(value), 0, 1);
    return true;
  }

  bool emit(const AstNode& n) {
    if (m_fold && !isLiteral(n) && m_constant[&n]) return fold(n);
    switch (n.kind) {
      case AstNode::Kind::kNumber:
        push(Op::kConst, addConstant(ScriptValue::number(n.number)), 0, 1);
        return true;
      case AstNode::Kind::kString:
        push(Op::kConst, addConstant(ScriptValue::string(n.text)), 0, 1);
        return true;
      case AstNode::Kind::kBool:
        push(Op::kConst, addConstant(ScriptValue::boolean(n.boolean)), 0, 1);
        return true;
      case AstNode::Kind::kUnavailable:
        push(Op::kConst, addConstant(ScriptValue()), 0, 1);
        return true;
      case AstNode::Kind::kThis:
        if (!m_allowThis) {
          return fail(n.offset, "'this' has no value here",
                      "'this' is the result of the previous operation; the first operation of "
                      "a variable and outputs have none");
        }
        m_out.m_usesThis = true;
        push(Op::kThis, 0, 0, 1);
        return true;
      case AstNode::Kind::kName:
        return emitName(n);
      case AstNode::Kind::kUnary:
        if (!emit(*n.children[0])) return false;
        push(n.op == TokenKind::kMinus ? Op::kNeg : n.op == TokenKind::kPlus ? Op::kPos : Op::kNot);
        return true;
      case AstNode::Kind::kBinary:
        return emitBinary(n);
      case AstNode::Kind::kAnd:
      case AstNode::Kind::kOr:
        return emitLogic(n);
      case AstNode::Kind::kTernary:
        return emitTernary(n);
      case AstNode::Kind::kProperty:
        if (!emit(*n.children[0])) return false;
        push(Op::kProp, addString(n.text));
        return true;
      case AstNode::Kind::kIndex:
        if (!emit(*n.children[0]) || !emit(*n.children[1])) return false;
        push(Op::kIndex, 0, 0, -1);
        return true;
      case AstNode::Kind::kCall:
        return emitCall(n);
      case AstNode::Kind::kArray:
        for (const auto& c : n.children) {
          if (!emit(*c)) return false;
        }
        push(Op::kArray, static_cast<std::int32_t>(n.children.size()), 0,
             1 - static_cast<int>(n.children.size()));
        return true;
    }
    return fail(n.offset, "unsupported expression");
  }

  bool emitName(const AstNode& n) {
    const int id = m_symbols.lookup ? m_symbols.lookup(n.text) : -1;
    if (id < 0) {
      std::vector<std::string> known =
          m_symbols.names ? m_symbols.names() : std::vector<std::string>{};
      std::string hint;
      const auto dash = n.text.find('-');
      if (dash != std::string::npos && m_symbols.lookup &&
          m_symbols.lookup(n.text.substr(0, dash)) >= 0) {
        hint = "to subtract, put spaces around the minus: '" + n.text.substr(0, dash) + " - " +
               n.text.substr(dash + 1) + "'";
      } else if (const std::string guess = config::closestMatch(n.text, known); !guess.empty()) {
        hint = "did you mean '" + guess + "'?";
      } else if (findBuiltin(n.text) >= 0) {
        hint = "'" + n.text + "' is a function: call it with ( )";
      } else {
        hint = "declare it as an input, a generator or a variable";
      }
      return fail(n.offset, "unknown name '" + n.text + "'", hint);
    }
    if (std::find(m_out.m_references.begin(), m_out.m_references.end(), id) ==
        m_out.m_references.end()) {
      m_out.m_references.push_back(id);
    }
    push(Op::kLoad, id, addString(n.text), 1);
    return true;
  }

  bool emitBinary(const AstNode& n) {
    if (!emit(*n.children[0]) || !emit(*n.children[1])) return false;
    Op op = Op::kAdd;
    switch (n.op) {
      case TokenKind::kPlus:
        op = Op::kAdd;
        break;
      case TokenKind::kMinus:
        op = Op::kSub;
        break;
      case TokenKind::kStar:
        op = Op::kMul;
        break;
      case TokenKind::kSlash:
        op = Op::kDiv;
        break;
      case TokenKind::kPercent:
        op = Op::kMod;
        break;
      case TokenKind::kEqual:
        op = Op::kEq;
        break;
      case TokenKind::kNotEqual:
        op = Op::kNe;
        break;
      case TokenKind::kLess:
        op = Op::kLt;
        break;
      case TokenKind::kLessEqual:
        op = Op::kLe;
        break;
      case TokenKind::kGreater:
        op = Op::kGt;
        break;
      case TokenKind::kGreaterEqual:
        op = Op::kGe;
        break;
      default:
        return fail(n.offset, "unsupported operator");
    }
    push(op, 0, 0, -1);
    return true;
  }

  // a and b:  a; AndTest(end); b; AndEnd; end:
  bool emitLogic(const AstNode& n) {
    const bool isAnd = n.kind == AstNode::Kind::kAnd;
    if (!emit(*n.children[0])) return false;
    const size_t test = m_out.m_code.size();
    push(isAnd ? Op::kAndTest : Op::kOrTest);
    if (!emit(*n.children[1])) return false;
    push(isAnd ? Op::kAndEnd : Op::kOrEnd, 0, 0, -1);
    m_out.m_code[test].arg = static_cast<std::int32_t>(m_out.m_code.size());
    return true;
  }

  // c ? x : y:  c; Branch(else, end); x; Jump(end); else: y; end:
  bool emitTernary(const AstNode& n) {
    if (!emit(*n.children[0])) return false;
    const size_t branch = m_out.m_code.size();
    push(Op::kBranch, 0, 0, -1);
    if (!emit(*n.children[1])) return false;
    const size_t jump = m_out.m_code.size();
    push(Op::kJump, 0, 0, -1);
    m_out.m_code[branch].arg = static_cast<std::int32_t>(m_out.m_code.size());
    if (!emit(*n.children[2])) return false;
    const auto end = static_cast<std::int32_t>(m_out.m_code.size());
    m_out.m_code[jump].arg = end;
    m_out.m_code[branch].arg2 = end;
    return true;
  }

  bool emitCall(const AstNode& n) {
    const int index = findBuiltin(n.text);
    if (index < 0) {
      std::vector<std::string> names;
      for (const auto& b : builtins()) names.emplace_back(b.name);
      const std::string guess = config::closestMatch(n.text, names);
      std::string all;
      for (const auto& b : builtins()) all += (all.empty() ? "" : ", ") + std::string(b.name);
      return fail(n.offset, "unknown function '" + n.text + "'",
                  guess.empty() ? "functions: " + all : "did you mean '" + guess + "'?");
    }
    const Builtin& b = builtins()[index];
    const int argc = static_cast<int>(n.children.size());
    if (argc < b.minArgs || argc > b.maxArgs) {
      return fail(n.offset,
                  "wrong number of arguments to '" + n.text + "': got " + std::to_string(argc),
                  "use " + std::string(b.help));
    }
    for (const auto& c : n.children) {
      if (!emit(*c)) return false;
    }
    push(Op::kCall, index, argc, 1 - argc);
    return true;
  }

  Expression& m_out;
  const Symbols& m_symbols;
  bool m_allowThis;
  bool m_fold;
  CompileError& m_error;
  int m_depth = 0;
  std::unordered_map<const AstNode*, bool> m_constant;
};

std::optional<Expression> Expression::compile(std::string_view text, const Symbols& symbols,
                                              bool allowThis, CompileError& error) {
  error = {};
  ParseError parseError;
  auto ast = parseExpression(text, parseError);
  if (!ast) {
    error.offset = parseError.offset;
    error.message = std::move(parseError.message);
    return std::nullopt;
  }
  Expression e;
  e.m_text = std::string(text);
  ExpressionCompiler compiler(e, symbols, allowThis, true, error);
  if (!compiler.compileRoot(*ast)) return std::nullopt;
  return e;
}

Expression Expression::constant(ScriptValue value) {
  Expression e;
  e.m_text = value.toText();
  e.m_constants.push_back(std::move(value));
  e.m_code.push_back({OpCode::kConst, 0, 0});
  return e;
}

}  // namespace spindle::transform
