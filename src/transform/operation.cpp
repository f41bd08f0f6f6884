#include "transform/operation.hpp"

#include <vector>

namespace spindle::transform {

ScriptValue runChain(const OperationList& ops, OpStates& states, std::size_t from,
                     ScriptValue input, EvalEnv& env) {
  EvalError first;
  ScriptValue value = std::move(input);
  for (std::size_t i = from; i < ops.size(); ++i) {
    value = ops[i]->apply(value, states[i].get(), env);
    ++env.operations;
    if (env.error) [[unlikely]] {
      if (!first) first = std::move(env.error);
      env.error = {};
      value = ScriptValue();
    }
  }
  if (first) env.error = std::move(first);
  return value;
}

OpStates makeStates(const OperationList& ops) {
  OpStates states;
  states.reserve(ops.size());
  for (const auto& op : ops) states.push_back(op->makeState());
  return states;
}

TimestampNs chainDeadline(const OperationList& ops, const OpStates& states, std::size_t* index) {
  TimestampNs best = kNever;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (!ops[i]->isTimed()) continue;
    const TimestampNs d = ops[i]->deadline(states[i].get());
    if (d < best) {
      best = d;
      if (index) *index = i;
    }
  }
  return best;
}

int chainPulse(const OperationList& ops, const OpStates& states) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i]->mayPulse() && ops[i]->pulsing(states[i].get())) return static_cast<int>(i);
  }
  return -1;
}

std::span<const OperationType> operationTypes() {
  static const std::vector<OperationType> all = [] {
    std::vector<OperationType> v;
    for (auto list : {valueOperationTypes(), eventOperationTypes(), timedOperationTypes()}) {
      v.insert(v.end(), list.begin(), list.end());
    }
    return v;
  }();
  return all;
}

const OperationType* findOperationType(std::string_view name) {
  for (const auto& t : operationTypes()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

bool checkKeys(const YAML::Node& map, std::initializer_list<std::string_view> known,
               const std::string& where, config::Diagnostics& diagnostics) {
  bool ok = true;
  std::vector<std::string> names(known.begin(), known.end());
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    bool found = false;
    for (auto k : known) found = found || k == key;
    if (found) continue;
    ok = false;
    const std::string guess = config::closestMatch(key, names);
    std::string all;
    for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
    diagnostics.add(kv.first, "unknown key '" + key + "' in " + where,
                    guess.empty() ? "known keys: " + all : "did you mean '" + guess + "'?");
  }
  return ok;
}

}  // namespace spindle::transform
