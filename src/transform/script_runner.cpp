#include "transform/script_runner.hpp"

#include <algorithm>

#include "model/device_file.hpp"

namespace spindle::transform {
namespace {

// Upper bound of deadlines handled by one tick() or process(): the rest waits for the next
// call, so a clock jump can never hold the pipeline thread for long.
constexpr int kMaxTimerSteps = 4096;

}  // namespace

ScriptRunner::ScriptRunner(std::shared_ptr<const CompiledScript> script,
                           model::ItemCatalog& catalog, model::MachineId machine,
                           const Clock& clock)
    : m_script(std::move(script)),
      m_catalog(catalog),
      m_machine(machine),
      m_clock(clock),
      m_createdAt(clock.now()) {
  const CompiledScript& s = *m_script;
  m_values.assign(static_cast<std::size_t>(s.nodeCount()), ScriptValue::missing());
  m_env.values = m_values.data();
  m_env.stack.resize(static_cast<std::size_t>(s.stackDepth()) + 1);
  for (const auto& v : s.variables()) m_variableStates.push_back(makeStates(v.ops));
  m_variableDeadlines.assign(s.variables().size(), kNever);
  m_generatorStates.resize(s.generators().size());
  m_dirtyVariables.assign(s.variables().size(), 0);
  m_firstDirty = s.variables().size();
  m_dirtyOutputs.assign(s.dataItems().size() + s.conditions().size() + s.writes().size(), 0);
  m_inputGroup.assign(s.inputs().size(), 0);
  m_conditionInputs.resize(s.inputs().size());
  for (const auto& d : s.dataItems()) {
    // The description travels with the item: the MTConnect interface serves it.
    const auto item = catalog.intern(machine, d.key, d.kind, d.type, d.subtype, d.units);
    m_outputItems.push_back(OutputItem{item.ok() ? item.value() : 0, d.key, d.kind, !item.ok()});
  }
  for (const auto& c : s.conditions()) {
    const auto item = catalog.intern(machine, c.key, model::Kind::kCondition, c.type, "", "");
    m_outputItems.push_back(
        OutputItem{item.ok() ? item.value() : 0, c.key, model::Kind::kCondition, !item.ok()});
  }
  for (const auto& v : s.variables()) m_hasPulses = m_hasPulses || v.pulses;
  // The keys the script consumes are not served as data items of their own (they would never
  // have a value); the catalog tells the MTConnect interface which keys reach the store.
  catalog.setPublished(
      machine, [script = m_script](std::string_view key) { return publishedBy(*script, key); });
  m_dataItemStates.resize(s.dataItems().size());
  m_conditionStates.resize(s.conditions().size());
  m_written.resize(s.writes().size());
}

ScriptRunner::~ScriptRunner() = default;

// Starts generators, evaluates what needs no input, and shows every other output as
// UNAVAILABLE until its inputs arrive.
void ScriptRunner::start(model::Batch& out) {
  m_started = true;
  const CompiledScript& s = *m_script;
  const TimestampNs now = m_clock.now();
  m_env.now = now;
  for (std::size_t i = 0; i < s.generators().size(); ++i) {
    const auto& g = s.generators()[i];
    setNode(g.node, g.generator->start(m_generatorStates[i], now));
  }
  for (std::size_t i = 0; i < s.variables().size(); ++i) {
    if (s.variables()[i].reads.empty()) {
      m_dirtyVariables[i] = 1;
      m_firstDirty = std::min(m_firstDirty, i);
    }
  }
  flushVariables();
  for (std::size_t i = 0; i < s.dataItems().size(); ++i) {
    if (s.dataItems()[i].source.isConstant() || m_dirtyOutputs[i]) {
      markOutputDirty(i);
    } else {
      m_dataItemStates[i] = {true, model::Unavailable{}};
      if (m_outputItems[i].refused) continue;
      out.push_back(model::Observation{m_machine, m_outputItems[i].item, now, m_outputItems[i].kind,
                                       model::kFlagNone, model::Unavailable{}});
      ++m_stats.outputs;
    }
  }
  const std::size_t base = s.dataItems().size();
  for (std::size_t i = 0; i < s.conditions().size(); ++i) {
    std::vector<model::Condition> none;
    if (!m_dirtyOutputs[base + i]) publishCondition(i, true, none, now, out);
  }
  const std::size_t writeBase = base + s.conditions().size();
  for (std::size_t i = 0; i < s.writes().size(); ++i) {
    if (s.writes()[i].value.isConstant()) markOutputDirty(writeBase + i);
  }
  flush(now, out);
}

void ScriptRunner::process(const model::Batch& in, model::Batch& out) {
  const TimestampNs now = m_clock.now();
  if (!m_started) start(out);
  runDue(now, out);
  m_env.now = now;
  bool pending = false;
  TimestampNs groupTime = 0;
  for (const auto& obs : in) {
    if (obs.machine != m_machine) {
      out.push_back(obs);
      continue;
    }
    ++m_stats.observations;
    const ItemRoute r = route(obs.item);
    if (r.pass) {
      out.push_back(obs);
      ++m_stats.passedThrough;
    }
    if (r.input < 0) continue;
    ++m_stats.inputs;
    if (pending && (obs.timestamp != groupTime || m_inputGroup[r.input] == m_group)) {
      flush(groupTime, out);
      ++m_group;
      m_groupFlags = 0;
    }
    pending = true;
    groupTime = obs.timestamp;
    m_inputGroup[r.input] = m_group;
    m_groupFlags |= obs.flags & model::kFlagUntrustedClock;
    applyInput(r.input, obs);
  }
  if (pending) {
    flush(groupTime, out);
    ++m_group;
    m_groupFlags = 0;
  }
  publishStats();
}

void ScriptRunner::tick(model::Batch& out) {
  const TimestampNs now = m_clock.now();
  if (!m_started) start(out);
  runDue(now, out);
  publishStats();
}

TimestampNs ScriptRunner::nextDeadline() const {
  if (!m_started) return m_createdAt;
  TimestampNs best = kNever;
  for (const auto& g : m_generatorStates) best = std::min(best, g.deadline);
  for (TimestampNs d : m_variableDeadlines) best = std::min(best, d);
  return best;
}

void ScriptRunner::runDue(TimestampNs now, model::Batch& out) {
  const CompiledScript& s = *m_script;
  for (int step = 0; step < kMaxTimerSteps; ++step) {
    TimestampNs due = kNever;
    int generator = -1;
    int variable = -1;
    for (std::size_t i = 0; i < m_generatorStates.size(); ++i) {
      if (m_generatorStates[i].deadline < due) {
        due = m_generatorStates[i].deadline;
        generator = static_cast<int>(i);
      }
    }
    for (std::size_t i = 0; i < m_variableDeadlines.size(); ++i) {
      if (m_variableDeadlines[i] < due) {
        due = m_variableDeadlines[i];
        variable = static_cast<int>(i);
        generator = -1;
      }
    }
    if (due > now) return;
    m_groupFlags = 0;
    if (variable >= 0) {
      const auto index = static_cast<std::size_t>(variable);
      resumeVariable(index, due);
      flush(due, out);
      if (m_variableDeadlines[index] <= now && due < now) {  // still behind: catch up at once
        resumeVariable(index, now);
        flush(now, out);
      }
    } else {
      const auto& g = s.generators()[static_cast<std::size_t>(generator)];
      auto& state = m_generatorStates[static_cast<std::size_t>(generator)];
      m_env.now = due;
      setNode(g.node, g.generator->update(state, due));
      flush(due, out);
      if (state.deadline <= now && due < now) {
        m_env.now = now;
        setNode(g.node, g.generator->update(state, now));
        flush(now, out);
      }
    }
  }
}

// Runs a variable's chain from its operation with the earliest deadline, on the input that
// operation last received.
void ScriptRunner::resumeVariable(std::size_t index, TimestampNs at) {
  const VariableDef& v = m_script->variables()[index];
  auto& states = m_variableStates[index];
  std::size_t op = 0;
  chainDeadline(v.ops, states, &op);
  m_env.now = at;
  const ScriptValue* last = v.ops[op]->lastInput(states[op].get());
  evaluateVariable(index, op, last ? *last : ScriptValue());
}

bool ScriptRunner::publishedBy(const CompiledScript& script, std::string_view key) {
  for (const auto& d : script.dataItems()) {
    if (d.key == key) return true;
  }
  for (const auto& c : script.conditions()) {
    if (c.key == key) return true;
  }
  // Keys the script reads are consumed; the rest pass unless filtered.
  for (const auto& in : script.inputs()) {
    if (in.key == key) return false;
  }
  return script.passthrough() && script.passthroughFilter().passes(key);
}

bool ScriptRunner::publishes(std::string_view key) const {
  for (const auto& o : m_outputItems) {
    if (o.key == key) return false;  // the output's own observations, not the input's
  }
  return publishedBy(*m_script, key);
}

const ScriptRunner::ItemRoute& ScriptRunner::route(model::ItemId item) {
  const std::uint32_t k = m_routeIndex.intern(item);
  if (k < m_routes.size()) return m_routes[k];
  ItemRoute& r = m_routes.emplace_back();
  const model::DataItem& di = m_catalog.item(item);
  r.input = m_script->inputOf(di.key);
  // A device file's item reaches the script under its name too (the adapter's key).
  if (r.input < 0 && di.fileItem >= 0) {
    if (const auto file = m_catalog.deviceFile(di.machine);
        file && static_cast<std::size_t>(di.fileItem) < file->items.size())
      r.input = m_script->inputOf(file->items[static_cast<std::size_t>(di.fileItem)].name);
  }
  // A device file's items are the machine's model: they always reach the store, and the
  // script reads them besides.
  r.pass = di.fileItem >= 0 || publishes(di.key);
  return r;
}

void ScriptRunner::setNode(int node, ScriptValue value) {
  ScriptValue& slot = m_values[static_cast<std::size_t>(node)];
  if (value == slot) return;
  slot = std::move(value);
  for (int v : m_script->variableReaders(node)) {
    m_dirtyVariables[static_cast<std::size_t>(v)] = 1;
    m_firstDirty = std::min(m_firstDirty, static_cast<std::size_t>(v));
  }
  for (int o : m_script->outputReaders(node)) markOutputDirty(static_cast<std::size_t>(o));
}

void ScriptRunner::evaluateVariable(std::size_t index, std::size_t from, ScriptValue input) {
  const VariableDef& v = m_script->variables()[index];
  ScriptValue value = runChain(v.ops, m_variableStates[index], from, std::move(input), m_env);
  ++m_stats.evaluations;
  if (m_env.error) [[unlikely]] {
    recordError("variable '" + v.name + "'", m_env.error);
    m_env.error = {};
    value = ScriptValue();
  }
  if (v.timed) m_variableDeadlines[index] = chainDeadline(v.ops, m_variableStates[index], nullptr);
  setNode(v.node, std::move(value));
}

// Event operations are true for an instant: each pulse ends right after the evaluation that
// raised it, at the same time, so two events in a row are two transitions downstream.
void ScriptRunner::endPulses(TimestampNs eventTime, model::Batch& out) {
  const CompiledScript& s = *m_script;
  for (int round = 0; round < 64; ++round) {
    bool any = false;
    for (std::size_t i = 0; i < s.variables().size(); ++i) {
      const VariableDef& v = s.variables()[i];
      if (!v.pulses) continue;
      const int op = chainPulse(v.ops, m_variableStates[i]);
      if (op < 0) continue;
      any = true;
      const auto k = static_cast<std::size_t>(op);
      const ScriptValue* last = v.ops[k]->lastInput(m_variableStates[i][k].get());
      evaluateVariable(i, k, last ? *last : ScriptValue());
    }
    if (!any) return;
    flushVariables();
    if (m_anyOutputDirty) flushOutputs(eventTime, out);
  }
}

void ScriptRunner::flushVariables() {
  const std::size_t count = m_dirtyVariables.size();
  for (std::size_t i = m_firstDirty; i < count; ++i) {
    if (!m_dirtyVariables[i]) continue;
    m_dirtyVariables[i] = 0;
    evaluateVariable(i, 0, ScriptValue());
  }
  m_firstDirty = count;
}

void ScriptRunner::flush(TimestampNs eventTime, model::Batch& out) {
  flushVariables();
  if (m_anyOutputDirty) flushOutputs(eventTime, out);
  if (m_hasPulses && !m_endingPulses) {
    m_endingPulses = true;
    endPulses(eventTime, out);
    m_endingPulses = false;
  }
}

void ScriptRunner::markOutputDirty(std::size_t index) {
  if (!m_dirtyOutputs[index]) m_dirtyList.push_back(static_cast<std::uint32_t>(index));
  m_dirtyOutputs[index] = 1;
  m_anyOutputDirty = true;
}

// Only the outputs marked since the last flush, in output order: a script with thousands of
// outputs (an OPC UA machine's nodes) flushes per distinct timestamp, so scanning every flag
// would cost the whole script per observation.
void ScriptRunner::flushOutputs(TimestampNs eventTime, model::Batch& out) {
  const std::size_t items = m_script->dataItems().size();
  const std::size_t writeBase = items + m_script->conditions().size();
  while (!m_dirtyList.empty()) {
    m_anyOutputDirty = false;
    m_flushing.swap(m_dirtyList);
    std::sort(m_flushing.begin(), m_flushing.end());
    for (const std::uint32_t o : m_flushing) {
      const std::size_t i = o;
      m_dirtyOutputs[i] = 0;
      if (i < items) {
        emitDataItem(i, eventTime, out);
      } else if (i < writeBase) {
        emitCondition(i - items, eventTime, out);
      } else {
        emitWrite(i - writeBase, eventTime);
      }
    }
    m_flushing.clear();
  }
  m_anyOutputDirty = false;
}

void ScriptRunner::recordError(const std::string& where, const EvalError& error) {
  ++m_stats.errors;
  ++m_stats.errorsByKind[static_cast<std::size_t>(error.kind)];
  m_stats.lastError = where + ": " + error.message;
  m_stats.lastErrorTime = m_env.now;
}

const ScriptStats& ScriptRunner::stats() const { return m_stats; }

void ScriptRunner::publishStats() {
  m_stats.operations = m_env.operations;
  std::lock_guard lock(m_snapshotMutex);
  m_snapshot = m_stats;
}

ScriptStats ScriptRunner::statsSnapshot() const {
  std::lock_guard lock(m_snapshotMutex);
  return m_snapshot;
}

const char* toString(RuntimeErrorKind kind) {
  switch (kind) {
    case RuntimeErrorKind::kNone:
      return "none";
    case RuntimeErrorKind::kDivideByZero:
      return "divide_by_zero";
    case RuntimeErrorKind::kTypeMismatch:
      return "type_mismatch";
    case RuntimeErrorKind::kMissingInput:
      return "missing_input";
    case RuntimeErrorKind::kMissingProperty:
      return "missing_property";
    case RuntimeErrorKind::kBadArgument:
      return "bad_argument";
  }
  return "?";
}

}  // namespace spindle::transform
