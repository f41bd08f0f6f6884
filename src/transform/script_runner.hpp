#pragma once
/// ScriptRunner: one machine running one compiled script. Observations of the machine come
/// in; the script's outputs (new observations of items interned in the same machine) and the
/// observations passed through go out.
///
/// Evaluation is reactive: an input that changes re-runs the variables that read it (each
/// variable's whole chain, with the latest values), in dependency order, then the outputs
/// that read anything that changed. Observations of one batch with the same timestamp are
/// applied together; a key seen twice in such a group is applied in two steps, so no
/// transition is lost. Outputs are emitted only when their value changes.
///
/// Time-driven operations and generators use the injected Clock. Their deadlines are met by
/// tick(); nextDeadline() says when it is next needed. Output timestamps are the input's
/// timestamp, or the deadline that produced them.
///
/// Runtime errors (division by zero, type mismatch, missing input, missing property) make
/// the value being computed UNAVAILABLE, are counted in stats() and never throw or stall.
///
/// Thread safety: process(), tick(), nextDeadline() and stats() from one thread at a time
/// (the pipeline's); statsSnapshot() from any thread.

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/dense_index.hpp"
#include "base/time.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::transform {

struct ScriptStats {
  std::uint64_t observations = 0;   ///< observations of this machine given to process()
  std::uint64_t inputs = 0;         ///< of those, values of a declared input
  std::uint64_t passedThrough = 0;  ///< forwarded unchanged
  std::uint64_t evaluations = 0;    ///< variable chains run
  std::uint64_t operations = 0;     ///< single operations run
  std::uint64_t outputs = 0;        ///< observations emitted by data items and conditions
  std::uint64_t writes = 0;         ///< values the script's `writes` asked the machine to take
  std::uint64_t errors = 0;         ///< runtime errors, all kinds
  std::array<std::uint64_t, kRuntimeErrorKinds> errorsByKind{};  ///< by RuntimeErrorKind
  std::string lastError;  ///< "variable 'rate': division by zero in 'a / b'"
  TimestampNs lastErrorTime = 0;
};

/// An output of the script as the catalog knows it, with the MTConnect description from the
/// script (for the agent interface and the status page).
/// One output of the script on this machine. Its description (type, subtype, units) is in the
/// catalog; the key is the compiled script's own (which the runner holds), not a copy per machine.
struct OutputItem {
  model::ItemId item = 0;
  std::string_view key;
  model::Kind kind = model::Kind::kEvent;
  /// The catalog refused the key (the machine's max_keys): the output is never emitted.
  bool refused = false;
};

/// A value the script asks its machine's collector to write (the script's `writes` section):
/// `key` is the target input's key, `at` the time of the change that caused it.
struct WriteRequest {
  std::string key;
  model::Value value;
  TimestampNs at = 0;
};

class ScriptRunner {
 public:
  /// Interns every output item of `machine` in `catalog` now. The clock must outlive the
  /// runner.
  ScriptRunner(std::shared_ptr<const CompiledScript> script, model::ItemCatalog& catalog,
               model::MachineId machine, const Clock& clock);
  ~ScriptRunner();
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  /// Applies `in` and appends to `out`: passed-through observations in their order, and the
  /// outputs they cause. Observations of other machines are forwarded untouched.
  void process(const model::Batch& in, model::Batch& out);

  /// Runs what is due (time-driven operations, generators) and appends their outputs.
  void tick(model::Batch& out);

  /// When tick() is next needed: the clock time of the earliest deadline, or kNever. Before
  /// the first process() or tick() it is the time the runner was made (start now).
  TimestampNs nextDeadline() const;

  const ScriptStats& stats() const;
  ScriptStats statsSnapshot() const;

  /// Whether process() or tick() asked for writes that takeWrites() has not taken yet.
  bool hasWrites() const { return !m_writes.empty(); }
  /// The writes asked for since the last call, in order: each time a `writes` expression
  /// changes to a value (never UNAVAILABLE), once.
  std::vector<WriteRequest> takeWrites() { return std::exchange(m_writes, {}); }

  const std::vector<OutputItem>& outputItems() const { return m_outputItems; }
  const CompiledScript& script() const { return *m_script; }

 private:
  struct ItemRoute {
    bool pass = false;
    int input = -1;
  };
  struct DataItemState {
    bool emitted = false;
    model::Value last;
  };
  struct ConditionState {
    bool initialized = false;
    bool unavailable = false;
    std::vector<model::Condition> active;
  };

  void start(model::Batch& out);
  void runDue(TimestampNs now, model::Batch& out);
  const ItemRoute& route(model::ItemId item);
  /// True when observations of `key` itself pass on (not consumed, not filtered, not an
  /// output's key).
  bool publishes(std::string_view key) const;
  /// True when `key` reaches the store under `script`: an output, or a key passed through.
  static bool publishedBy(const CompiledScript& script, std::string_view key);
  void applyInput(int input, const model::Observation& obs);
  ScriptValue convertInput(const InputSpec& spec, const model::Observation& obs);
  void setNode(int node, ScriptValue value);
  void resumeVariable(std::size_t index, TimestampNs at);
  void evaluateVariable(std::size_t index, std::size_t from, ScriptValue input);
  void endPulses(TimestampNs eventTime, model::Batch& out);
  void flushVariables();
  void flush(TimestampNs eventTime, model::Batch& out);
  void markOutputDirty(std::size_t index);
  void flushOutputs(TimestampNs eventTime, model::Batch& out);
  void emitDataItem(std::size_t index, TimestampNs at, model::Batch& out);
  void emitCondition(std::size_t index, TimestampNs at, model::Batch& out);
  void emitWrite(std::size_t index, TimestampNs at);
  bool desiredConditions(const ConditionDef& def, std::vector<model::Condition>& desired);
  void publishCondition(std::size_t index, bool unavailable, std::vector<model::Condition>& desired,
                        TimestampNs at, model::Batch& out);
  void recordError(const std::string& where, const EvalError& error);
  void publishStats();

  std::shared_ptr<const CompiledScript> m_script;
  model::ItemCatalog& m_catalog;
  model::MachineId m_machine;
  const Clock& m_clock;
  TimestampNs m_createdAt;
  bool m_started = false;

  EvalEnv m_env;
  std::vector<ScriptValue> m_values;  ///< by node
  std::vector<OpStates> m_variableStates;
  std::vector<TimestampNs> m_variableDeadlines;
  std::vector<GeneratorState> m_generatorStates;
  std::vector<char> m_dirtyVariables;
  std::size_t m_firstDirty = 0;
  std::vector<char> m_dirtyOutputs;
  bool m_anyOutputDirty = false;
  std::vector<std::uint32_t> m_dirtyList;  ///< the outputs whose m_dirtyOutputs flag is set
  std::vector<std::uint32_t> m_flushing;   ///< the list being flushed (kept for its capacity)
  bool m_hasPulses = false;
  bool m_endingPulses = false;

  /// The machine's items as this runner met them: a dense number per ItemId, and the route by
  /// that number. Sized by the machine's own items, never by the process's (2000 machines
  /// would otherwise each hold a table of every machine's items).
  DenseIndex m_routeIndex;
  std::vector<ItemRoute> m_routes;
  std::vector<std::uint32_t> m_inputGroup;  ///< group number an input was last set in
  std::uint32_t m_group = 1;
  std::uint8_t m_groupFlags = 0;
  std::vector<std::vector<model::Condition>> m_conditionInputs;  ///< active, by input

  std::vector<OutputItem> m_outputItems;  ///< data items, then conditions
  std::vector<DataItemState> m_dataItemStates;
  std::vector<ConditionState> m_conditionStates;
  std::vector<std::optional<model::Value>> m_written;  ///< last value asked, by write
  std::vector<WriteRequest> m_writes;                  ///< asked, not taken yet

  ScriptStats m_stats;
  mutable std::mutex m_snapshotMutex;
  ScriptStats m_snapshot;
};

}  // namespace spindle::transform
