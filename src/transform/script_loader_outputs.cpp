// Loading scripts: the outputs, data items and conditions.

#include <algorithm>

#include "transform/script_loader_impl.hpp"

namespace spindle::transform {
namespace {

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

}  // namespace

bool ScriptLoader::claimOutput(const std::string& key, const YAML::Node& where) {
  if (key.empty()) {
    m_diag.add(where, "an output needs a name");
    return false;
  }
  if (std::find(m_outputKeys.begin(), m_outputKeys.end(), key) != m_outputKeys.end()) {
    m_diag.add(where, "output '" + key + "' is listed twice",
               "data items and conditions share one set of output names");
    return false;
  }
  m_outputKeys.push_back(key);
  return true;
}

// data-items: a list of names, or of `key: source` / `key: {source, category, ...}`; or the
// same as a map.
void ScriptLoader::loadDataItems(const YAML::Node& section) {
  if (!section || section.IsNull()) return;
  if (section.IsSequence()) {
    for (const auto& item : section) {
      if (item.IsScalar()) {
        loadDataItem(item.Scalar(), item, YAML::Node());
      } else if (item.IsMap() && item.size() == 1) {
        const auto kv = *item.begin();
        loadDataItem(kv.first.Scalar(), kv.first, kv.second);
      } else {
        m_diag.add(item, "a data item is a name, or 'name: {source: ..., type: ...}'",
                   item.IsMap() ? "this map has " + std::to_string(item.size()) +
                                      " keys; indent its fields under the name"
                                : "");
      }
    }
  } else if (section.IsMap()) {
    for (const auto& kv : section) loadDataItem(kv.first.Scalar(), kv.first, kv.second);
  } else {
    m_diag.add(section, "data-items must be a list of names");
  }
}

void ScriptLoader::loadDataItem(const std::string& key, const YAML::Node& keyNode,
                                const YAML::Node& spec) {
  if (!claimOutput(key, keyNode)) return;
  DataItemDef item;
  item.key = key;
  std::optional<Expression> source;
  if (!spec || spec.IsNull()) {
    source = expression(keyNode, false);
  } else if (spec.IsScalar()) {
    source = expression(spec, false);
  } else if (spec.IsMap()) {
    if (!checkKeys(spec, {"source", "category", "type", "subtype", "units"},
                   "data item '" + key + "'", m_diag)) {
      return;
    }
    source = expression(spec["source"] ? spec["source"] : keyNode, false);
    if (const auto c = spec["category"]) {
      item.category = upper(c.Scalar());
      if (item.category != "SAMPLE" && item.category != "EVENT") {
        m_diag.add(c, "category must be SAMPLE or EVENT, not '" + c.Scalar() + "'",
                   item.category == "CONDITION" ? "list conditions under 'conditions'" : "");
        return;
      }
    }
    if (spec["type"]) item.type = upper(spec["type"].Scalar());
    if (spec["subtype"]) item.subtype = upper(spec["subtype"].Scalar());
    if (spec["units"]) item.units = spec["units"].Scalar();
  } else {
    m_diag.add(spec, "expected the source of '" + key + "' or {source: ..., type: ...}");
    return;
  }
  if (!source) return;
  item.source = std::move(*source);
  if (item.category.empty()) item.category = "EVENT";
  item.kind = item.type == "MESSAGE"      ? model::Kind::kMessage
              : item.category == "SAMPLE" ? model::Kind::kSample
                                          : model::Kind::kEvent;
  m_script->m_dataItems.push_back(std::move(item));
}

bool ScriptLoader::loadConditionCode(const YAML::Node& spec, ConditionCodeDef& out,
                                     bool codeRequired, const std::string& where) {
  if (!checkKeys(spec,
                 {"code", "message", "severity", "native-severity", "qualifier", "type", "value"},
                 where, m_diag)) {
    return false;
  }
  if (spec["code"]) {
    out.code = spec["code"].Scalar();
  } else if (codeRequired) {
    m_diag.add(spec, where + " needs a code", "each entry of a multi-code condition has one");
    return false;
  }
  if (spec["message"]) out.message = spec["message"].Scalar();
  if (spec["severity"]) out.severity = spec["severity"].Scalar();
  if (spec["native-severity"]) out.severity = spec["native-severity"].Scalar();
  if (spec["qualifier"]) out.qualifier = upper(spec["qualifier"].Scalar());
  const YAML::Node value = spec["value"];
  if (!value || !value.IsMap()) {
    m_diag.add(value ? value : spec, where + " needs value: {FAULT: condition, WARNING: condition}",
               "the level is NORMAL when neither is true");
    return false;
  }
  bool ok = true;
  for (const auto& kv : value) {
    const std::string level = upper(kv.first.Scalar());
    if (level != "FAULT" && level != "WARNING") {
      m_diag.add(kv.first, "unknown level '" + kv.first.Scalar() + "' in " + where,
                 "use FAULT and WARNING; NORMAL is what is left");
      ok = false;
      continue;
    }
    auto e = expression(kv.second, false);
    if (!e) {
      ok = false;
      continue;
    }
    (level == "FAULT" ? out.fault : out.warning) = std::move(*e);
  }
  if (ok && !out.fault && !out.warning) {
    m_diag.add(value, where + " needs a FAULT or WARNING condition");
    ok = false;
  }
  return ok;
}

// conditions: name: {message, value: {FAULT, WARNING}} (simple), name: [ {code, ...}, ... ]
// (multi-code), or name: {source: expression} (codes and texts from the data).
void ScriptLoader::loadConditions(const YAML::Node& section) {
  if (!section || section.IsNull()) return;
  if (!section.IsMap()) {
    m_diag.add(section, "conditions must be a map of name: condition");
    return;
  }
  for (const auto& kv : section) {
    const std::string key = kv.first.Scalar();
    if (!claimOutput(key, kv.first)) continue;
    const YAML::Node spec = kv.second;
    const std::string where = "condition '" + key + "'";
    ConditionDef c;
    c.key = key;
    bool ok = true;
    if (spec.IsSequence()) {
      for (const auto& entry : spec) {
        ConditionCodeDef code;
        if (!entry.IsMap()) {
          m_diag.add(entry, "each entry of " + where + " is a map with code, message, value");
          ok = false;
          continue;
        }
        if (!loadConditionCode(entry, code, true, where)) {
          ok = false;
          continue;
        }
        if (entry["type"]) c.type = upper(entry["type"].Scalar());
        for (const auto& other : c.codes) {
          if (other.code == code.code) {
            m_diag.add(entry["code"], "code '" + code.code + "' appears twice in " + where);
            ok = false;
          }
        }
        c.codes.push_back(std::move(code));
      }
      if (spec.size() == 0) {
        m_diag.add(spec, where + " has no codes");
        ok = false;
      }
    } else if (spec.IsMap() && spec["source"]) {
      if (!checkKeys(spec, {"source", "message", "type"}, where, m_diag)) continue;
      c.source = expression(spec["source"], false);
      ok = c.source.has_value();
      if (spec["message"]) c.message = spec["message"].Scalar();
      if (spec["type"]) c.type = upper(spec["type"].Scalar());
    } else if (spec.IsMap()) {
      ConditionCodeDef code;
      ok = loadConditionCode(spec, code, false, where);
      if (code.code.empty()) code.code = key;
      if (spec["type"]) c.type = upper(spec["type"].Scalar());
      c.codes.push_back(std::move(code));
    } else {
      m_diag.add(spec.IsDefined() && !spec.IsNull() ? spec : kv.first,
                 where + " needs message and value: {FAULT: ..., WARNING: ...}",
                 "or a list of codes, or source: an alarm input");
      ok = false;
    }
    if (ok) m_script->m_conditions.push_back(std::move(c));
  }
}

// writes: target: expression, or target: {value: expression}. The target is one of the
// script's own inputs that the machine lets a client change: a holding register, a coil, or a
// key its collector can write.
void ScriptLoader::loadWrites(const YAML::Node& section) {
  if (!section || section.IsNull()) return;
  if (!section.IsMap()) {
    m_diag.add(section, "writes must be a map of input: expression",
               "for example writes: {light_red: alarm_active}");
    return;
  }
  const auto& inputs = m_script->m_inputs;
  for (const auto& kv : section) {
    const std::string target = kv.first.Scalar();
    const auto it = std::find_if(inputs.begin(), inputs.end(),
                                 [&](const InputSpec& in) { return in.identifier == target; });
    if (it == inputs.end()) {
      m_diag.add(kv.first, "writes names '" + target + "', which is no input of this script",
                 "declare it under registers: (a holding register), coils: (a coil) or keys:");
      continue;
    }
    if (const std::string why = unwritable(*it); !why.empty()) {
      m_diag.add(kv.first, "'" + target + "' cannot be written: " + why);
      continue;
    }
    const auto& writes = m_script->m_writes;
    if (std::any_of(writes.begin(), writes.end(),
                    [&](const WriteDef& w) { return w.target == target; })) {
      m_diag.add(kv.first, "'" + target + "' is written twice");
      continue;
    }
    YAML::Node source = kv.second;
    if (source.IsMap()) {
      if (!checkKeys(source, {"value"}, "write '" + target + "'", m_diag)) continue;
      source = source["value"];
    }
    if (!source || !source.IsScalar()) {
      m_diag.add(kv.second.IsDefined() && !kv.second.IsNull() ? kv.second : kv.first,
                 "write '" + target + "' needs an expression",
                 "for example light_red: alarm_active");
      continue;
    }
    auto value = expression(source, false);
    if (!value) continue;
    m_script->m_writes.push_back(
        WriteDef{target, static_cast<int>(it - inputs.begin()), std::move(*value)});
  }
}

std::string ScriptLoader::unwritable(const InputSpec& in) const {
  switch (in.section) {
    case InputSection::kRegisters:
      if (in.addressSpace != 4) {
        return "it is an input register (address-space 3), which Modbus devices never let a "
               "client write; holding registers (address-space 4) can be";
      }
      if (in.bit >= 0) {
        return "it is one bit of a register; writing it would overwrite the other 15 bits";
      }
      return "";
    case InputSection::kCoils:
      return in.addressSpace == 0 ? ""
                                  : "it is a discrete input (address-space 1), which is "
                                    "read-only; coils (address-space 0) can be written";
    case InputSection::kKeys:
      // Which keys a machine lets a client write is the collector's to say (a FOCAS
      // macro_<n>): CollectorInfo::checkScript refuses the others before the machine starts.
      return "";
    case InputSection::kTags:
      break;
  }
  return std::string("it is under ") + toString(in.section) +
         "; writes go to Modbus registers and coils, or to keys the machine's collector can "
         "write (FOCAS macro_<n>)";
}

}  // namespace spindle::transform
