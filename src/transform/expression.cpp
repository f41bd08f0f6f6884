// The expression interpreter: a loop over instructions on a value stack.

#include "transform/expression.hpp"

#include <cmath>

#include "transform/expression_functions.hpp"

namespace spindle::transform {
namespace {

std::string describeValue(const ScriptValue& v) {
  if (v.isString()) {
    std::string s = v.asString();
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return "string '" + s + "'";
  }
  return v.typeName();
}

ScriptValue mismatch(EvalEnv& env, const char* op, const ScriptValue& a, const ScriptValue& b) {
  return env.fail(
      RuntimeErrorKind::kTypeMismatch,
      std::string("cannot ") + op + " " + describeValue(a) + " and " + describeValue(b));
}

bool isComposite(const ScriptValue& v) { return v.isArray() || v.isObject(); }

// Arithmetic other than +: both sides must read as numbers.
bool numbers(EvalEnv& env, const char* op, const ScriptValue& a, const ScriptValue& b, double& x,
             double& y) {
  if (a.toNumber(x) && b.toNumber(y)) return true;
  mismatch(env, op, a, b);
  return false;
}

ScriptValue add(EvalEnv& env, const ScriptValue& a, const ScriptValue& b) {
  if ((a.isString() || b.isString()) && !isComposite(a) && !isComposite(b)) {
    return ScriptValue::string(a.toText() + b.toText());
  }
  double x = 0;
  double y = 0;
  if (!isComposite(a) && !isComposite(b) && !a.isString() && a.toNumber(x) && b.toNumber(y)) {
    return ScriptValue::number(x + y);
  }
  return mismatch(env, "add", a, b);
}

// <, <=, >, >=: strings with strings, otherwise numbers.
ScriptValue compare(EvalEnv& env, Expression::OpCode op, const ScriptValue& a,
                    const ScriptValue& b) {
  int order = 0;
  if (a.isString() && b.isString()) {
    const int c = a.asString().compare(b.asString());
    order = c < 0 ? -1 : c > 0 ? 1 : 0;
  } else {
    double x = 0;
    double y = 0;
    if (isComposite(a) || isComposite(b) || !a.toNumber(x) || !b.toNumber(y)) {
      return mismatch(env, "compare", a, b);
    }
    if (std::isnan(x) || std::isnan(y)) return ScriptValue::boolean(false);
    order = x < y ? -1 : x > y ? 1 : 0;
  }
  switch (op) {
    case Expression::OpCode::kLt:
      return ScriptValue::boolean(order < 0);
    case Expression::OpCode::kLe:
      return ScriptValue::boolean(order <= 0);
    case Expression::OpCode::kGt:
      return ScriptValue::boolean(order > 0);
    default:
      return ScriptValue::boolean(order >= 0);
  }
}

ScriptValue property(EvalEnv& env, const ScriptValue& v, const std::string& name) {
  if (v.isObject()) {
    if (const ScriptValue* f = v.field(name)) return *f;
    return env.fail(RuntimeErrorKind::kMissingProperty, "no property '" + name + "'");
  }
  if (name == "length" && (v.isArray() || v.isString())) {
    return ScriptValue::number(
        static_cast<double>(v.isArray() ? v.asArray().size() : v.asString().size()));
  }
  return env.fail(RuntimeErrorKind::kTypeMismatch,
                  "cannot read property '" + name + "' of " + describeValue(v));
}

ScriptValue index(EvalEnv& env, const ScriptValue& v, const ScriptValue& i) {
  if (v.isObject()) {
    if (!i.isString()) return mismatch(env, "index", v, i);
    return property(env, v, i.asString());
  }
  if (v.isArray() || v.isString()) {
    if (!i.isNumber() || std::floor(i.asNumber()) != i.asNumber()) {
      return mismatch(env, "index", v, i);
    }
    double d = i.asNumber();
    const double size = static_cast<double>(v.isArray() ? v.asArray().size() : v.asString().size());
    if (d < 0) d += size;  // negative indexes count from the end
    if (d < 0 || d >= size) {
      return env.fail(RuntimeErrorKind::kMissingProperty, "index " + formatNumber(i.asNumber()) +
                                                              " is out of range (length " +
                                                              formatNumber(size) + ")");
    }
    const auto at = static_cast<size_t>(d);
    if (v.isArray()) return v.asArray()[at];
    return ScriptValue::string(std::string(1, v.asString()[at]));
  }
  return mismatch(env, "index", v, i);
}

}  // namespace

ScriptValue Expression::evaluate(EvalEnv& env, const ScriptValue& self) const {
  if (env.stack.size() < static_cast<size_t>(m_maxStack) + 1) env.stack.resize(m_maxStack + 1);
  ScriptValue* stack = env.stack.data();
  int sp = -1;  // index of the top
  const Instruction* code = m_code.data();
  const size_t size = m_code.size();
  for (size_t pc = 0; pc < size; ++pc) {
    const Instruction in = code[pc];
    switch (in.op) {
      case OpCode::kConst:
        stack[++sp] = m_constants[in.arg];
        break;
      case OpCode::kLoad: {
        const ScriptValue& v = env.values[in.arg];
        if (v.isMissing()) {
          return env.fail(RuntimeErrorKind::kMissingInput,
                          "'" + m_strings[in.arg2] + "' has no value yet");
        }
        stack[++sp] = v;
        break;
      }
      case OpCode::kThis:
        stack[++sp] = self;
        break;
      case OpCode::kAdd:
      case OpCode::kSub:
      case OpCode::kMul:
      case OpCode::kDiv:
      case OpCode::kMod: {
        ScriptValue& a = stack[sp - 1];
        const ScriptValue& b = stack[sp];
        --sp;
        if (a.isNumber() && b.isNumber()) {  // the hot path
          const double x = a.asNumber();
          const double y = b.asNumber();
          switch (in.op) {
            case OpCode::kAdd:
              a.setNumber(x + y);
              break;
            case OpCode::kSub:
              a.setNumber(x - y);
              break;
            case OpCode::kMul:
              a.setNumber(x * y);
              break;
            case OpCode::kDiv:
              if (y == 0) return env.fail(RuntimeErrorKind::kDivideByZero, "division by zero");
              a.setNumber(x / y);
              break;
            default:
              if (y == 0) return env.fail(RuntimeErrorKind::kDivideByZero, "modulo by zero");
              a.setNumber(std::fmod(x, y));
          }
          break;
        }
        if (a.isUnavailable() || b.isUnavailable()) {
          a = ScriptValue();
          break;
        }
        if (in.op == OpCode::kAdd) {
          a = add(env, a, b);
        } else {
          double x = 0;
          double y = 0;
          const char* name = in.op == OpCode::kSub   ? "subtract"
                             : in.op == OpCode::kMul ? "multiply"
                                                     : "divide";
          if (isComposite(a) || isComposite(b) || !numbers(env, name, a, b, x, y)) {
            if (!env.error) mismatch(env, name, a, b);
            return ScriptValue();
          }
          if ((in.op == OpCode::kDiv || in.op == OpCode::kMod) && y == 0) {
            return env.fail(RuntimeErrorKind::kDivideByZero, "division by zero");
          }
          a.setNumber(in.op == OpCode::kSub   ? x - y
                      : in.op == OpCode::kMul ? x * y
                      : in.op == OpCode::kDiv ? x / y
                                              : std::fmod(x, y));
        }
        if (env.error) return ScriptValue();
        break;
      }
      case OpCode::kEq:
      case OpCode::kNe: {
        ScriptValue& a = stack[sp - 1];
        const ScriptValue& b = stack[sp];
        --sp;
        if (a.isUnavailable() || b.isUnavailable()) {
          a = ScriptValue();
        } else {
          a.setBool(looselyEqual(a, b) == (in.op == OpCode::kEq));
        }
        break;
      }
      case OpCode::kLt:
      case OpCode::kLe:
      case OpCode::kGt:
      case OpCode::kGe: {
        ScriptValue& a = stack[sp - 1];
        const ScriptValue& b = stack[sp];
        --sp;
        if (a.isNumber() && b.isNumber()) {
          const double x = a.asNumber();
          const double y = b.asNumber();
          a.setBool(in.op == OpCode::kLt   ? x < y
                    : in.op == OpCode::kLe ? x <= y
                    : in.op == OpCode::kGt ? x > y
                                           : x >= y);
        } else if (a.isUnavailable() || b.isUnavailable()) {
          a = ScriptValue();
        } else {
          a = compare(env, in.op, a, b);
          if (env.error) return ScriptValue();
        }
        break;
      }
      case OpCode::kNeg:
      case OpCode::kPos: {
        ScriptValue& a = stack[sp];
        if (a.isUnavailable()) break;
        double x = 0;
        if (isComposite(a) || !a.toNumber(x)) {
          return env.fail(RuntimeErrorKind::kTypeMismatch, "cannot negate " + describeValue(a));
        }
        a.setNumber(in.op == OpCode::kNeg ? -x : x);
        break;
      }
      case OpCode::kNot: {
        ScriptValue& a = stack[sp];
        const Truth t = a.truth();
        if (t == Truth::kUnknown) {
          a = ScriptValue();
        } else {
          a.setBool(t == Truth::kFalse);
        }
        break;
      }
      case OpCode::kAndTest:
      case OpCode::kOrTest: {
        const Truth t = stack[sp].truth();
        const Truth decisive = in.op == OpCode::kAndTest ? Truth::kFalse : Truth::kTrue;
        if (t == decisive) {
          stack[sp].setBool(t == Truth::kTrue);
          pc = static_cast<size_t>(in.arg) - 1;
        }
        break;
      }
      case OpCode::kAndEnd:
      case OpCode::kOrEnd: {
        const Truth a = stack[sp - 1].truth();
        const Truth b = stack[sp].truth();
        --sp;
        const Truth decisive = in.op == OpCode::kAndEnd ? Truth::kFalse : Truth::kTrue;
        if (b == decisive) {
          stack[sp].setBool(b == Truth::kTrue);
        } else if (a == Truth::kUnknown || b == Truth::kUnknown) {
          stack[sp] = ScriptValue();
        } else {
          stack[sp].setBool(decisive == Truth::kFalse);
        }
        break;
      }
      case OpCode::kBranch: {
        const Truth t = stack[sp].truth();
        if (t == Truth::kUnknown) {
          stack[sp] = ScriptValue();  // stays as the result
          pc = static_cast<size_t>(in.arg2) - 1;
        } else {
          --sp;
          if (t == Truth::kFalse) pc = static_cast<size_t>(in.arg) - 1;
        }
        break;
      }
      case OpCode::kJump:
        pc = static_cast<size_t>(in.arg) - 1;
        break;
      case OpCode::kProp: {
        ScriptValue& a = stack[sp];
        if (a.isUnavailable()) break;
        a = property(env, a, m_strings[in.arg]);
        if (env.error) return ScriptValue();
        break;
      }
      case OpCode::kIndex: {
        ScriptValue& a = stack[sp - 1];
        const ScriptValue& b = stack[sp];
        --sp;
        if (a.isUnavailable() || b.isUnavailable()) {
          a = ScriptValue();
          break;
        }
        a = index(env, a, b);
        if (env.error) return ScriptValue();
        break;
      }
      case OpCode::kCall: {
        const Builtin& b = builtins()[in.arg];
        const int argc = in.arg2;
        const int first = sp - argc + 1;
        std::span<const ScriptValue> args(stack + first, static_cast<size_t>(argc));
        bool unavailable = false;
        if (!b.seesUnavailable) {
          for (const auto& v : args) unavailable = unavailable || v.isUnavailable();
        }
        ScriptValue result = unavailable ? ScriptValue() : b.function(args, env);
        if (env.error) return ScriptValue();
        sp = first;
        stack[sp] = std::move(result);
        break;
      }
      case OpCode::kArray: {
        const int count = in.arg;
        const int first = sp - count + 1;
        ScriptArray items(stack + first, stack + sp + 1);
        sp = first;
        stack[sp] = ScriptValue::array(std::move(items));
        break;
      }
    }
  }
  return sp >= 0 ? stack[sp] : ScriptValue();
}

}  // namespace spindle::transform
