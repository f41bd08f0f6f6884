#pragma once
/// What an evaluation sees (the current value of every identifier, the time) and how it
/// reports a runtime error. Runtime errors never throw: the first one is recorded here and
/// the value being computed becomes unavailable.

#include <cstdint>
#include <string>
#include <vector>

#include "base/time.hpp"
#include "transform/script_value.hpp"

namespace spindle::transform {

enum class RuntimeErrorKind : std::uint8_t {
  kNone,
  kDivideByZero,
  kTypeMismatch,
  kMissingInput,     ///< an identifier that has not received a value yet
  kMissingProperty,  ///< no such field, or an index out of range
  kBadArgument,      ///< a function or operation refused its argument
};
constexpr std::size_t kRuntimeErrorKinds = 6;

const char* toString(RuntimeErrorKind kind);

struct EvalError {
  RuntimeErrorKind kind = RuntimeErrorKind::kNone;
  std::string message;

  explicit operator bool() const { return kind != RuntimeErrorKind::kNone; }
};

/// One per runner; not thread-safe. `values` holds every identifier by node id (inputs,
/// generators, variables), `stack` is scratch space for expressions.
struct EvalEnv {
  const ScriptValue* values = nullptr;
  std::vector<ScriptValue> stack;
  TimestampNs now = 0;
  EvalError error;
  std::uint64_t operations = 0;  ///< operation evaluations, for stats and benchmarks

  /// Records the first error of the current evaluation; returns unavailable for convenience.
  ScriptValue fail(RuntimeErrorKind kind, std::string message) {
    if (!error) {
      error.kind = kind;
      error.message = std::move(message);
    }
    return ScriptValue();
  }
};

}  // namespace spindle::transform
