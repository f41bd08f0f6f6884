// ScriptRunner: turning observations into input values, and outputs into observations.

#include <algorithm>

#include "model/same_value.hpp"
#include "transform/script_runner.hpp"

namespace spindle::transform {
namespace {

// Codes a condition input may hold active at once; an adapter that never clears its codes
// cannot grow memory without bound.
constexpr std::size_t kMaxActiveCodes = 1024;

bool equalsIgnoreCase(const std::string& a, const char* b) {
  std::size_t i = 0;
  for (; i < a.size() && b[i]; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return i == a.size() && b[i] == '\0';
}

int rank(model::Level level) {
  switch (level) {
    case model::Level::kFault:
      return 2;
    case model::Level::kWarning:
      return 1;
    default:
      return 0;
  }
}

ScriptValue conditionValue(const model::Condition& c) {
  return ScriptValue::object({{"level", ScriptValue::string(model::toString(c.level))},
                              {"code", ScriptValue::string(c.nativeCode)},
                              {"severity", ScriptValue::string(c.nativeSeverity)},
                              {"qualifier", ScriptValue::string(c.qualifier)},
                              {"text", ScriptValue::string(c.text)}});
}

// What a script sees of a condition input: the worst level among the active codes, the most
// recent activation's code and text, how many are active, and the list of them.
ScriptValue aggregate(const std::vector<model::Condition>& active) {
  model::Level worst = model::Level::kNormal;
  for (const auto& c : active) {
    if (rank(c.level) > rank(worst)) worst = c.level;
  }
  const model::Condition latest = active.empty() ? model::Condition{} : active.back();
  ScriptArray list;
  for (const auto& c : active) list.push_back(conditionValue(c));
  return ScriptValue::object({{"level", ScriptValue::string(model::toString(worst))},
                              {"code", ScriptValue::string(latest.nativeCode)},
                              {"severity", ScriptValue::string(latest.nativeSeverity)},
                              {"qualifier", ScriptValue::string(latest.qualifier)},
                              {"text", ScriptValue::string(latest.text)},
                              {"count", ScriptValue::number(static_cast<double>(active.size()))},
                              {"active", ScriptValue::array(std::move(list))}});
}

std::optional<model::Level> parseLevel(const std::string& s) {
  if (equalsIgnoreCase(s, "fault")) return model::Level::kFault;
  if (equalsIgnoreCase(s, "warning")) return model::Level::kWarning;
  if (equalsIgnoreCase(s, "normal")) return model::Level::kNormal;
  return std::nullopt;
}

std::string textOf(const ScriptValue* v) {
  if (v == nullptr || v->isUnavailable()) return "";
  return v->toText();
}

// One alarm of a source-form condition: an object (level, code, text or message, severity,
// qualifier), a string (its own code and text), or a condition input's aggregate.
bool alarmFrom(const ScriptValue& v, const std::string& fallbackText,
               std::vector<model::Condition>& out, EvalEnv& env) {
  if (v.isString()) {
    out.push_back({model::Level::kFault, v.asString(), "", "", v.asString()});
    return true;
  }
  if (!v.isObject()) {
    env.fail(RuntimeErrorKind::kTypeMismatch,
             std::string("an alarm must be a text or an object, got ") + v.typeName());
    return false;
  }
  model::Condition c;
  c.level = model::Level::kFault;
  if (const ScriptValue* level = v.field("level")) {
    const auto parsed = parseLevel(level->toText());
    if (!parsed) {
      env.fail(RuntimeErrorKind::kBadArgument, "unknown alarm level '" + level->toText() + "'");
      return false;
    }
    c.level = *parsed;
  }
  c.text = textOf(v.field("text"));
  if (c.text.empty()) c.text = textOf(v.field("message"));
  if (c.text.empty()) c.text = fallbackText;
  c.nativeCode = textOf(v.field("code"));
  if (c.nativeCode.empty()) c.nativeCode = c.text;
  c.nativeSeverity = textOf(v.field("severity"));
  c.qualifier = textOf(v.field("qualifier"));
  if (c.level != model::Level::kNormal) out.push_back(std::move(c));
  return true;
}

}  // namespace

ScriptValue ScriptRunner::convertInput(const InputSpec& spec, const model::Observation& obs) {
  ScriptValue v = fromModel(obs.value);
  if (v.isUnavailable() || spec.conversion == InputConversion::kAuto) return v;
  auto refuse = [&](const char* as) {
    EvalError e{RuntimeErrorKind::kTypeMismatch,
                "cannot read " + std::string(v.typeName()) +
                    (v.isString() ? " '" + v.asString() + "'" : "") + " as " + as};
    recordError("input '" + spec.identifier + "'", e);
    return ScriptValue();
  };
  switch (spec.conversion) {
    case InputConversion::kNumber: {
      double x = 0;
      if (v.isArray() || v.isObject() || !v.toNumber(x)) return refuse("a number");
      return ScriptValue::number(x);
    }
    case InputConversion::kString:
      return v.isString() ? v : ScriptValue::string(v.toText());
    case InputConversion::kBoolean: {
      if (v.isBool()) return v;
      if (v.isNumber()) return ScriptValue::boolean(v.asNumber() != 0);
      if (v.isString()) {
        const std::string& s = v.asString();
        for (const char* t : {"true", "1", "on", "yes"}) {
          if (equalsIgnoreCase(s, t)) return ScriptValue::boolean(true);
        }
        for (const char* f : {"false", "0", "off", "no"}) {
          if (equalsIgnoreCase(s, f)) return ScriptValue::boolean(false);
        }
      }
      return refuse("a boolean");
    }
    default:
      return v;
  }
}

void ScriptRunner::applyInput(int input, const model::Observation& obs) {
  const InputSpec& spec = m_script->inputs()[static_cast<std::size_t>(input)];
  const auto* cond = std::get_if<std::shared_ptr<const model::Condition>>(&obs.value);
  if (cond == nullptr) {
    setNode(spec.node, convertInput(spec, obs));
    return;
  }
  auto& active = m_conditionInputs[static_cast<std::size_t>(input)];
  const model::Condition& c = **cond;
  if (c.level == model::Level::kUnavailable) {
    active.clear();
    setNode(spec.node, ScriptValue());
    return;
  }
  if (c.level == model::Level::kNormal && c.nativeCode.empty()) {
    active.clear();
  } else {
    std::erase_if(active, [&](const model::Condition& a) { return a.nativeCode == c.nativeCode; });
    if (c.level != model::Level::kNormal) active.push_back(c);
    if (active.size() > kMaxActiveCodes) active.erase(active.begin());  // bounded: oldest goes
  }
  setNode(spec.node, aggregate(active));
}

void ScriptRunner::emitDataItem(std::size_t index, TimestampNs at, model::Batch& out) {
  const DataItemDef& def = m_script->dataItems()[index];
  ScriptValue v = def.source.evaluate(m_env, ScriptValue());
  if (m_env.error) {
    recordError("data item '" + def.key + "'", m_env.error);
    m_env.error = {};
    v = ScriptValue();
  }
  model::Value value;
  if (def.kind == model::Kind::kMessage && !v.isUnavailable()) {
    auto m = std::make_shared<model::Message>();
    if (v.isObject()) {
      m->nativeCode = textOf(v.field("code"));
      m->text = textOf(v.field("text"));
    } else {
      m->text = v.toText();
    }
    value = std::shared_ptr<const model::Message>(std::move(m));
  } else {
    value = toModel(v);
  }
  DataItemState& state = m_dataItemStates[index];
  if (state.emitted && model::sameValue(state.last, value)) return;
  state.emitted = true;
  state.last = value;
  const OutputItem& item = m_outputItems[index];
  if (item.refused) return;
  out.push_back(
      model::Observation{m_machine, item.item, at, item.kind, m_groupFlags, std::move(value)});
  ++m_stats.outputs;
}

// A write is a wish for the machine's state: asked when its value changes, never for
// UNAVAILABLE (an input that went away says nothing about what the machine should hold).
void ScriptRunner::emitWrite(std::size_t index, TimestampNs at) {
  const WriteDef& def = m_script->writes()[index];
  const ScriptValue v = def.value.evaluate(m_env, ScriptValue());
  if (m_env.error) {
    recordError("write '" + def.target + "'", m_env.error);
    m_env.error = {};
    return;
  }
  if (v.isUnavailable() || v.isMissing()) return;
  model::Value value = toModel(v);
  std::optional<model::Value>& last = m_written[index];
  if (last && model::sameValue(*last, value)) return;
  last = value;
  // The collector knows its inputs by key (the identifier's for registers and coils).
  const auto& input = m_script->inputs()[static_cast<std::size_t>(def.input)];
  m_writes.push_back(WriteRequest{input.key, std::move(value), at});
  ++m_stats.writes;
}

bool ScriptRunner::desiredConditions(const ConditionDef& def,
                                     std::vector<model::Condition>& desired) {
  const std::string where = "condition '" + def.key + "'";
  auto fail = [&] {
    recordError(where, m_env.error);
    m_env.error = {};
    return false;
  };
  if (def.source) {
    const ScriptValue v = def.source->evaluate(m_env, ScriptValue());
    if (m_env.error) return fail();
    if (v.isUnavailable()) return false;
    if (v.isBool() || v.isNumber()) {
      if (v.truth() == Truth::kTrue) {
        desired.push_back({model::Level::kFault, def.key, "", "", def.message});
      }
      return true;
    }
    if (v.isObject() && v.field("active") && v.field("active")->isArray()) {
      for (const auto& a : v.field("active")->asArray()) {
        if (!alarmFrom(a, def.message, desired, m_env)) return fail();
      }
      return true;
    }
    if (v.isArray()) {
      for (const auto& a : v.asArray()) {
        if (!alarmFrom(a, def.message, desired, m_env)) return fail();
      }
      return true;
    }
    if (!alarmFrom(v, def.message, desired, m_env)) return fail();
    return true;
  }
  bool unknown = false;
  for (const auto& code : def.codes) {
    model::Level level = model::Level::kNormal;
    if (code.fault) {
      const Truth t = code.fault->evaluate(m_env, ScriptValue()).truth();
      if (m_env.error) return fail();
      if (t == Truth::kTrue) level = model::Level::kFault;
      unknown = unknown || t == Truth::kUnknown;
    }
    if (level == model::Level::kNormal && code.warning) {
      const Truth t = code.warning->evaluate(m_env, ScriptValue()).truth();
      if (m_env.error) return fail();
      if (t == Truth::kTrue) level = model::Level::kWarning;
      unknown = unknown || t == Truth::kUnknown;
    }
    if (level != model::Level::kNormal) {
      desired.push_back({level, code.code, code.severity, code.qualifier, code.message});
    }
  }
  return !unknown;
}

void ScriptRunner::emitCondition(std::size_t index, TimestampNs at, model::Batch& out) {
  std::vector<model::Condition> desired;
  const bool known = desiredConditions(m_script->conditions()[index], desired);
  publishCondition(index, !known, desired, at, out);
}

// Emits the difference between what is active and what should be: activations for new or
// changed codes, NORMAL for a code that cleared, one NORMAL without code when all clear.
void ScriptRunner::publishCondition(std::size_t index, bool unavailable,
                                    std::vector<model::Condition>& desired, TimestampNs at,
                                    model::Batch& out) {
  ConditionState& s = m_conditionStates[index];
  const OutputItem& item = m_outputItems[m_script->dataItems().size() + index];
  auto emit = [&](model::Condition c) {
    if (item.refused) return;
    out.push_back(model::Observation{m_machine, item.item, at, model::Kind::kCondition,
                                     m_groupFlags,
                                     std::make_shared<const model::Condition>(std::move(c))});
    ++m_stats.outputs;
  };
  if (unavailable) {
    if (!s.initialized || !s.unavailable) emit({model::Level::kUnavailable, "", "", "", ""});
    s.initialized = true;
    s.unavailable = true;
    s.active.clear();
    return;
  }
  // Duplicate codes: the first wins.
  for (std::size_t i = 0; i < desired.size(); ++i) {
    for (std::size_t j = desired.size(); j-- > i + 1;) {
      if (desired[j].nativeCode == desired[i].nativeCode) desired.erase(desired.begin() + j);
    }
  }
  const bool fresh = !s.initialized || s.unavailable;
  s.initialized = true;
  s.unavailable = false;
  if (desired.empty()) {
    if (fresh || !s.active.empty()) emit({model::Level::kNormal, "", "", "", ""});
    s.active.clear();
    return;
  }
  for (const auto& a : s.active) {
    const bool still = std::any_of(desired.begin(), desired.end(),
                                   [&](const auto& d) { return d.nativeCode == a.nativeCode; });
    if (!still) emit({model::Level::kNormal, a.nativeCode, "", "", ""});
  }
  for (const auto& d : desired) {
    const auto it = std::find_if(s.active.begin(), s.active.end(),
                                 [&](const auto& a) { return a.nativeCode == d.nativeCode; });
    if (fresh || it == s.active.end() || !(*it == d)) emit(d);
  }
  s.active = std::move(desired);
}

}  // namespace spindle::transform
