#pragma once
/// The pure functions expressions may call: abs, min, max, round, floor, ceil, sqrt, pow,
/// clamp, bit, len, upper, lower, trim, contains, starts_with, ends_with, substr, replace,
/// split, join, sum, number, string, has, available, default.

#include <span>
#include <string_view>

#include "transform/eval_context.hpp"

namespace spindle::transform {

using BuiltinFunction = ScriptValue (*)(std::span<const ScriptValue> args, EvalEnv& env);

struct Builtin {
  std::string_view name;
  int minArgs;
  int maxArgs;
  /// False for almost every function: an unavailable argument makes the result unavailable
  /// without calling it. True for `available` and `default`, which exist to look at it.
  bool seesUnavailable;
  BuiltinFunction function;
  std::string_view help;  ///< "round(x[, digits])": for messages and docs
};

std::span<const Builtin> builtins();

/// Index into builtins(), or -1.
int findBuiltin(std::string_view name);

}  // namespace spindle::transform
