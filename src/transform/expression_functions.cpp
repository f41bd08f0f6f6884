#include "transform/expression_functions.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace spindle::transform {
namespace {

using Args = std::span<const ScriptValue>;

bool numberArg(const ScriptValue& v, double& out, EvalEnv& env, std::string_view fn) {
  if (v.toNumber(out)) return true;
  env.fail(RuntimeErrorKind::kTypeMismatch, std::string(fn) + "() needs a number, got " +
                                                v.typeName() +
                                                (v.isString() ? " '" + v.asString() + "'" : ""));
  return false;
}

bool stringArg(const ScriptValue& v, std::string& out, EvalEnv& env, std::string_view fn) {
  if (v.isString() || v.isNumber() || v.isBool()) {
    out = v.toText();
    return true;
  }
  env.fail(RuntimeErrorKind::kTypeMismatch,
           std::string(fn) + "() needs a string, got " + v.typeName());
  return false;
}

template <typename F>
ScriptValue unaryMath(Args a, EvalEnv& env, std::string_view name, F f) {
  double x = 0;
  if (!numberArg(a[0], x, env, name)) return {};
  return ScriptValue::number(f(x));
}

ScriptValue fnAbs(Args a, EvalEnv& env) {
  return unaryMath(a, env, "abs", [](double x) { return std::fabs(x); });
}
ScriptValue fnFloor(Args a, EvalEnv& env) {
  return unaryMath(a, env, "floor", [](double x) { return std::floor(x); });
}
ScriptValue fnCeil(Args a, EvalEnv& env) {
  return unaryMath(a, env, "ceil", [](double x) { return std::ceil(x); });
}

ScriptValue fnSqrt(Args a, EvalEnv& env) {
  double x = 0;
  if (!numberArg(a[0], x, env, "sqrt")) return {};
  if (x < 0) return env.fail(RuntimeErrorKind::kBadArgument, "sqrt() of a negative number");
  return ScriptValue::number(std::sqrt(x));
}

ScriptValue fnPow(Args a, EvalEnv& env) {
  double x = 0;
  double y = 0;
  if (!numberArg(a[0], x, env, "pow") || !numberArg(a[1], y, env, "pow")) return {};
  const double r = std::pow(x, y);
  if (!std::isfinite(r)) return env.fail(RuntimeErrorKind::kBadArgument, "pow() overflowed");
  return ScriptValue::number(r);
}

ScriptValue fnRound(Args a, EvalEnv& env) {
  double x = 0;
  double digits = 0;
  if (!numberArg(a[0], x, env, "round")) return {};
  if (a.size() > 1 && !numberArg(a[1], digits, env, "round")) return {};
  if (digits < 0 || digits > 15) {
    return env.fail(RuntimeErrorKind::kBadArgument, "round() digits must be 0 to 15");
  }
  const double scale = std::pow(10.0, std::floor(digits));
  return ScriptValue::number(std::round(x * scale) / scale);
}

// min/max over their arguments, or over one array argument.
template <bool kMax>
ScriptValue extreme(Args a, EvalEnv& env) {
  const char* name = kMax ? "max" : "min";
  Args values = a;
  if (a.size() == 1 && a[0].isArray()) values = a[0].asArray();
  if (values.empty())
    return env.fail(RuntimeErrorKind::kBadArgument, std::string(name) + "() of an empty list");
  double best = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].isUnavailable()) return {};
    double x = 0;
    if (!numberArg(values[i], x, env, name)) return {};
    if (i == 0 || (kMax ? x > best : x < best)) best = x;
  }
  return ScriptValue::number(best);
}
ScriptValue fnMin(Args a, EvalEnv& env) { return extreme<false>(a, env); }
ScriptValue fnMax(Args a, EvalEnv& env) { return extreme<true>(a, env); }

ScriptValue fnSum(Args a, EvalEnv& env) {
  if (!a[0].isArray()) {
    return env.fail(RuntimeErrorKind::kTypeMismatch,
                    std::string("sum() needs a list, got ") + a[0].typeName());
  }
  double total = 0;
  for (const auto& v : a[0].asArray()) {
    if (v.isUnavailable()) return {};
    double x = 0;
    if (!numberArg(v, x, env, "sum")) return {};
    total += x;
  }
  return ScriptValue::number(total);
}

ScriptValue fnClamp(Args a, EvalEnv& env) {
  double x = 0;
  double lo = 0;
  double hi = 0;
  if (!numberArg(a[0], x, env, "clamp") || !numberArg(a[1], lo, env, "clamp") ||
      !numberArg(a[2], hi, env, "clamp")) {
    return {};
  }
  if (lo > hi) return env.fail(RuntimeErrorKind::kBadArgument, "clamp() low is above high");
  return ScriptValue::number(std::clamp(x, lo, hi));
}

ScriptValue fnBit(Args a, EvalEnv& env) {
  double x = 0;
  double n = 0;
  if (!numberArg(a[0], x, env, "bit") || !numberArg(a[1], n, env, "bit")) return {};
  if (n < 0 || n > 63 || n != std::floor(n)) {
    return env.fail(RuntimeErrorKind::kBadArgument, "bit() position must be 0 to 63");
  }
  if (!std::isfinite(x) || std::fabs(x) >= 9.2e18) {
    return env.fail(RuntimeErrorKind::kBadArgument, "bit() needs a whole number within 64 bits");
  }
  const auto word = static_cast<std::uint64_t>(static_cast<std::int64_t>(x));
  return ScriptValue::boolean(((word >> static_cast<int>(n)) & 1u) != 0);
}

ScriptValue fnLen(Args a, EvalEnv& env) {
  const ScriptValue& v = a[0];
  if (v.isString()) return ScriptValue::number(static_cast<double>(v.asString().size()));
  if (v.isArray()) return ScriptValue::number(static_cast<double>(v.asArray().size()));
  if (v.isObject()) return ScriptValue::number(static_cast<double>(v.asObject().size()));
  return env.fail(RuntimeErrorKind::kTypeMismatch,
                  std::string("len() needs a string, list or object, got ") + v.typeName());
}

template <bool kUpper>
ScriptValue changeCase(Args a, EvalEnv& env) {
  std::string s;
  if (!stringArg(a[0], s, env, kUpper ? "upper" : "lower")) return {};
  for (char& c : s) {
    if (kUpper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!kUpper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return ScriptValue::string(std::move(s));
}
ScriptValue fnUpper(Args a, EvalEnv& env) { return changeCase<true>(a, env); }
ScriptValue fnLower(Args a, EvalEnv& env) { return changeCase<false>(a, env); }

ScriptValue fnTrim(Args a, EvalEnv& env) {
  std::string s;
  if (!stringArg(a[0], s, env, "trim")) return {};
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return ScriptValue::string("");
  const auto last = s.find_last_not_of(" \t\r\n");
  return ScriptValue::string(s.substr(first, last - first + 1));
}

ScriptValue fnContains(Args a, EvalEnv& env) {
  if (a[0].isArray()) {
    for (const auto& v : a[0].asArray()) {
      if (looselyEqual(v, a[1])) return ScriptValue::boolean(true);
    }
    return ScriptValue::boolean(false);
  }
  std::string s;
  std::string part;
  if (!stringArg(a[0], s, env, "contains") || !stringArg(a[1], part, env, "contains")) return {};
  return ScriptValue::boolean(s.find(part) != std::string::npos);
}

ScriptValue fnStartsWith(Args a, EvalEnv& env) {
  std::string s;
  std::string p;
  if (!stringArg(a[0], s, env, "starts_with") || !stringArg(a[1], p, env, "starts_with")) {
    return {};
  }
  return ScriptValue::boolean(s.starts_with(p));
}

ScriptValue fnEndsWith(Args a, EvalEnv& env) {
  std::string s;
  std::string p;
  if (!stringArg(a[0], s, env, "ends_with") || !stringArg(a[1], p, env, "ends_with")) return {};
  return ScriptValue::boolean(s.ends_with(p));
}

ScriptValue fnSubstr(Args a, EvalEnv& env) {
  std::string s;
  double start = 0;
  double length = 1e18;
  if (!stringArg(a[0], s, env, "substr") || !numberArg(a[1], start, env, "substr")) return {};
  if (a.size() > 2 && !numberArg(a[2], length, env, "substr")) return {};
  if (!std::isfinite(start) || std::isnan(length)) {
    return env.fail(RuntimeErrorKind::kBadArgument, "substr() needs finite numbers");
  }
  if (start < 0) start = std::max(0.0, static_cast<double>(s.size()) + start);
  if (start >= static_cast<double>(s.size()) || length <= 0) return ScriptValue::string("");
  const auto from = static_cast<size_t>(start);
  const auto count = static_cast<size_t>(std::min(length, static_cast<double>(s.size())));
  return ScriptValue::string(s.substr(from, count));
}

ScriptValue fnReplace(Args a, EvalEnv& env) {
  std::string s;
  std::string from;
  std::string to;
  if (!stringArg(a[0], s, env, "replace") || !stringArg(a[1], from, env, "replace") ||
      !stringArg(a[2], to, env, "replace")) {
    return {};
  }
  if (from.empty()) return ScriptValue::string(std::move(s));
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out.append(s, pos, hit - pos);
    out += to;
  }
  out.append(s, pos, std::string::npos);
  return ScriptValue::string(std::move(out));
}

ScriptValue fnSplit(Args a, EvalEnv& env) {
  std::string s;
  std::string sep;
  if (!stringArg(a[0], s, env, "split") || !stringArg(a[1], sep, env, "split")) return {};
  ScriptArray parts;
  if (sep.empty()) {
    for (char c : s) parts.push_back(ScriptValue::string(std::string(1, c)));
    return ScriptValue::array(std::move(parts));
  }
  size_t pos = 0;
  for (size_t hit; (hit = s.find(sep, pos)) != std::string::npos; pos = hit + sep.size()) {
    parts.push_back(ScriptValue::string(s.substr(pos, hit - pos)));
  }
  parts.push_back(ScriptValue::string(s.substr(pos)));
  return ScriptValue::array(std::move(parts));
}

ScriptValue fnJoin(Args a, EvalEnv& env) {
  if (!a[0].isArray()) {
    return env.fail(RuntimeErrorKind::kTypeMismatch,
                    std::string("join() needs a list, got ") + a[0].typeName());
  }
  std::string sep;
  if (!stringArg(a[1], sep, env, "join")) return {};
  std::string out;
  bool first = true;
  for (const auto& v : a[0].asArray()) {
    if (!first) out += sep;
    first = false;
    out += v.toText();
  }
  return ScriptValue::string(std::move(out));
}

ScriptValue fnNumber(Args a, EvalEnv& env) {
  double x = 0;
  if (!numberArg(a[0], x, env, "number")) return {};
  return ScriptValue::number(x);
}

ScriptValue fnString(Args a, EvalEnv&) { return ScriptValue::string(a[0].toText()); }

ScriptValue fnHas(Args a, EvalEnv& env) {
  if (a[0].isObject()) {
    std::string name;
    if (!stringArg(a[1], name, env, "has")) return {};
    return ScriptValue::boolean(a[0].field(name) != nullptr);
  }
  if (a[0].isArray()) {
    double i = 0;
    if (!numberArg(a[1], i, env, "has")) return {};
    return ScriptValue::boolean(i >= 0 && i < static_cast<double>(a[0].asArray().size()));
  }
  return ScriptValue::boolean(false);
}

ScriptValue fnAvailable(Args a, EvalEnv&) { return ScriptValue::boolean(!a[0].isUnavailable()); }

ScriptValue fnDefault(Args a, EvalEnv&) { return a[0].isUnavailable() ? a[1] : a[0]; }

constexpr std::array kBuiltins = {
    Builtin{"abs", 1, 1, false, fnAbs, "abs(x)"},
    Builtin{"available", 1, 1, true, fnAvailable, "available(x)"},
    Builtin{"bit", 2, 2, false, fnBit, "bit(x, n)"},
    Builtin{"ceil", 1, 1, false, fnCeil, "ceil(x)"},
    Builtin{"clamp", 3, 3, false, fnClamp, "clamp(x, low, high)"},
    Builtin{"contains", 2, 2, false, fnContains, "contains(text or list, part)"},
    Builtin{"default", 2, 2, true, fnDefault, "default(x, fallback)"},
    Builtin{"ends_with", 2, 2, false, fnEndsWith, "ends_with(text, suffix)"},
    Builtin{"floor", 1, 1, false, fnFloor, "floor(x)"},
    Builtin{"has", 2, 2, false, fnHas, "has(object, name)"},
    Builtin{"join", 2, 2, false, fnJoin, "join(list, separator)"},
    Builtin{"len", 1, 1, false, fnLen, "len(x)"},
    Builtin{"lower", 1, 1, false, fnLower, "lower(text)"},
    Builtin{"max", 1, 16, false, fnMax, "max(a, b, ...)"},
    Builtin{"min", 1, 16, false, fnMin, "min(a, b, ...)"},
    Builtin{"number", 1, 1, false, fnNumber, "number(x)"},
    Builtin{"pow", 2, 2, false, fnPow, "pow(x, y)"},
    Builtin{"replace", 3, 3, false, fnReplace, "replace(text, from, to)"},
    Builtin{"round", 1, 2, false, fnRound, "round(x[, digits])"},
    Builtin{"split", 2, 2, false, fnSplit, "split(text, separator)"},
    Builtin{"sqrt", 1, 1, false, fnSqrt, "sqrt(x)"},
    Builtin{"starts_with", 2, 2, false, fnStartsWith, "starts_with(text, prefix)"},
    Builtin{"string", 1, 1, false, fnString, "string(x)"},
    Builtin{"substr", 2, 3, false, fnSubstr, "substr(text, start[, length])"},
    Builtin{"sum", 1, 1, false, fnSum, "sum(list)"},
    Builtin{"trim", 1, 1, false, fnTrim, "trim(text)"},
    Builtin{"upper", 1, 1, false, fnUpper, "upper(text)"},
};

}  // namespace

std::span<const Builtin> builtins() { return kBuiltins; }

int findBuiltin(std::string_view name) {
  for (size_t i = 0; i < kBuiltins.size(); ++i) {
    if (kBuiltins[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace spindle::transform
