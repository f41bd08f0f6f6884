#pragma once
/// Operations: the steps of a variable's chain. Each is fed the previous step's result
/// (`this`) and produces its own. An Operation is immutable and shared by every machine that
/// runs the script; what it remembers between evaluations lives in its OpState, one per
/// machine.

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/units.hpp"
#include "config/diagnostics.hpp"
#include "transform/expression.hpp"

namespace spindle::transform {

constexpr TimestampNs kNever = std::numeric_limits<TimestampNs>::max();

struct OpState {
  virtual ~OpState() = default;
};

class Operation;
using OperationList = std::vector<std::unique_ptr<Operation>>;
using OpStates = std::vector<std::unique_ptr<OpState>>;

class Operation {
 public:
  virtual ~Operation() = default;

  /// Per-machine state, or nullptr for stateless operations.
  virtual std::unique_ptr<OpState> makeState() const { return nullptr; }

  /// The result for `input` at env.now. Records runtime errors in env and returns
  /// unavailable then. Time-driven operations act on env.now whenever they run: a deadline
  /// that has passed takes effect.
  virtual ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const = 0;

  /// When this operation must run again without new input (kNever: not waiting).
  virtual TimestampNs deadline(const OpState*) const { return kNever; }

  /// The input it last received; time-driven operations keep it so a deadline can resume
  /// the chain from here.
  virtual const ScriptValue* lastInput(const OpState*) const { return nullptr; }

  /// Whether the operation may ever have a deadline.
  virtual bool isTimed() const { return false; }

  /// Event operations (edges, changed) are true for an instant: after an evaluation that
  /// made them true, this says so, and the runner resumes the chain from them at once, with
  /// the same input, to end the pulse.
  virtual bool pulsing(const OpState*) const { return false; }
  virtual bool mayPulse() const { return false; }

  /// Every expression it evaluates (dependencies, stack size).
  virtual void expressions(std::vector<const Expression*>&) const {}
};

/// Runs `ops[from..]` on `input`. A failing step yields unavailable and the chain goes on
/// (so later state sees it); the first error is left in env.error.
ScriptValue runChain(const OperationList& ops, OpStates& states, std::size_t from,
                     ScriptValue input, EvalEnv& env);

/// Fresh states for a chain.
OpStates makeStates(const OperationList& ops);

/// The earliest deadline of a chain and the index of the operation that holds it.
TimestampNs chainDeadline(const OperationList& ops, const OpStates& states, std::size_t* index);

/// The index of the first operation with a pulse to end, or -1.
int chainPulse(const OperationList& ops, const OpStates& states);

/// What an operation's loader may use.
class OpLoadContext {
 public:
  virtual ~OpLoadContext() = default;
  config::Diagnostics& diagnostics() { return m_diagnostics; }

  /// Compiles the scalar `node` as an expression; reports problems at their exact column.
  virtual std::optional<Expression> expression(const YAML::Node& node, bool allowThis) = 0;
  /// A duration: a number of seconds or a string with a unit ("1.5s", "250ms").
  virtual std::optional<Duration> duration(const YAML::Node& node, const std::string& what) = 0;
  virtual std::optional<double> number(const YAML::Node& node, const std::string& what) = 0;
  /// Loads a nested chain (for `map`); `this` is allowed from its first operation.
  virtual OperationList chain(const YAML::Node& list, const std::string& where) = 0;
  /// True when `this` has a value at the operation being loaded.
  virtual bool thisAllowed() const = 0;

 protected:
  explicit OpLoadContext(config::Diagnostics& d) : m_diagnostics(d) {}

 private:
  config::Diagnostics& m_diagnostics;
};

/// Loads an operation from its parameter (a null node for `- invert`). Returns nullptr after
/// adding a diagnostic.
using OperationLoader = std::unique_ptr<Operation> (*)(const YAML::Node& param,
                                                       OpLoadContext& context);

struct OperationType {
  std::string_view name;
  bool starts;  ///< may begin a chain (needs no `this`)
  OperationLoader load;
};

/// Every operation, by name.
std::span<const OperationType> operationTypes();
const OperationType* findOperationType(std::string_view name);

// Registration lists from each operations_*.cpp file.
std::span<const OperationType> valueOperationTypes();
std::span<const OperationType> eventOperationTypes();
std::span<const OperationType> timedOperationTypes();

/// Helpers for loaders: read the keys of a parameter map, reporting unknown ones.
bool checkKeys(const YAML::Node& map, std::initializer_list<std::string_view> known,
               const std::string& where, config::Diagnostics& diagnostics);

}  // namespace spindle::transform
