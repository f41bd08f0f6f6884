#include "transform/script_value.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "model/json_encoder.hpp"

namespace spindle::transform {
namespace {

bool parseNumber(std::string_view text, double& out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(out);
}

bool equalsFalse(const std::string& s) {
  if (s.size() != 5) return false;
  static constexpr char kFalse[] = "false";
  for (size_t i = 0; i < 5; ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kFalse[i]) return false;
  }
  return true;
}

void appendJson(std::string& out, const ScriptValue& v) {
  switch (v.type()) {
    case ScriptValue::Type::kString:
      model::appendJsonString(out, v.asString());
      return;
    case ScriptValue::Type::kArray: {
      out += '[';
      bool first = true;
      for (const auto& item : v.asArray()) {
        if (!first) out += ',';
        first = false;
        appendJson(out, item);
      }
      out += ']';
      return;
    }
    case ScriptValue::Type::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [name, item] : v.asObject()) {
        if (!first) out += ',';
        first = false;
        model::appendJsonString(out, name);
        out += ':';
        appendJson(out, item);
      }
      out += '}';
      return;
    }
    case ScriptValue::Type::kMissing:
    case ScriptValue::Type::kUnavailable:
      out += "null";
      return;
    default:
      out += v.toText();
  }
}

ScriptValue conditionObject(const model::Condition& c) {
  return ScriptValue::object({{"level", ScriptValue::string(model::toString(c.level))},
                              {"code", ScriptValue::string(c.nativeCode)},
                              {"severity", ScriptValue::string(c.nativeSeverity)},
                              {"qualifier", ScriptValue::string(c.qualifier)},
                              {"text", ScriptValue::string(c.text)}});
}

ScriptValue numbers(const std::vector<double>& values) {
  ScriptArray items;
  items.reserve(values.size());
  for (double d : values) items.push_back(ScriptValue::number(d));
  return ScriptValue::array(std::move(items));
}

struct FromModel {
  ScriptValue operator()(const model::Unavailable&) const { return ScriptValue(); }
  ScriptValue operator()(bool b) const { return ScriptValue::boolean(b); }
  ScriptValue operator()(std::int64_t i) const {
    return ScriptValue::number(static_cast<double>(i));
  }
  ScriptValue operator()(double d) const { return ScriptValue::number(d); }
  ScriptValue operator()(const std::string& s) const { return ScriptValue::string(s); }
  ScriptValue operator()(const std::vector<double>& v) const { return numbers(v); }
  ScriptValue operator()(const std::shared_ptr<const model::Condition>& c) const {
    if (c->level == model::Level::kUnavailable) return ScriptValue();
    return conditionObject(*c);
  }
  ScriptValue operator()(const std::shared_ptr<const model::Message>& m) const {
    return ScriptValue::object(
        {{"code", ScriptValue::string(m->nativeCode)}, {"text", ScriptValue::string(m->text)}});
  }
  ScriptValue operator()(const std::shared_ptr<const model::TimeSeries>& t) const {
    return numbers(t->samples);
  }
  ScriptValue operator()(const std::shared_ptr<const model::DataSet>& d) const {
    ScriptFields fields;
    for (const auto& e : d->entries) {
      if (e.removed) continue;
      if (e.cells.empty()) {
        fields.emplace_back(e.key, ScriptValue::string(e.value));
        continue;
      }
      ScriptFields row;
      for (const auto& [k, v] : e.cells) row.emplace_back(k, ScriptValue::string(v));
      fields.emplace_back(e.key, ScriptValue::object(std::move(row)));
    }
    return ScriptValue::object(std::move(fields));
  }
  ScriptValue operator()(const std::shared_ptr<const model::Asset>& a) const {
    return ScriptValue::object(
        {{"id", ScriptValue::string(a->id)}, {"type", ScriptValue::string(a->type)}});
  }
};

}  // namespace

ScriptValue ScriptValue::missing() {
  ScriptValue v;
  v.m_type = Type::kMissing;
  return v;
}

ScriptValue ScriptValue::boolean(bool b) {
  ScriptValue v;
  v.m_type = Type::kBool;
  v.m_scalar.b = b;
  return v;
}

ScriptValue ScriptValue::number(double n) {
  ScriptValue v;
  v.m_type = Type::kNumber;
  v.m_scalar.n = n;
  return v;
}

ScriptValue ScriptValue::string(std::string s) {
  ScriptValue v;
  v.m_type = Type::kString;
  v.m_heap = std::make_shared<const std::string>(std::move(s));
  return v;
}

ScriptValue ScriptValue::array(ScriptArray items) {
  ScriptValue v;
  v.m_type = Type::kArray;
  v.m_heap = std::make_shared<const ScriptArray>(std::move(items));
  return v;
}

ScriptValue ScriptValue::object(ScriptFields fields) {
  ScriptValue v;
  v.m_type = Type::kObject;
  v.m_heap = std::make_shared<const ScriptFields>(std::move(fields));
  return v;
}

Truth ScriptValue::truth() const {
  switch (m_type) {
    case Type::kBool:
      return m_scalar.b ? Truth::kTrue : Truth::kFalse;
    case Type::kNumber:
      return m_scalar.n != 0 ? Truth::kTrue : Truth::kFalse;
    case Type::kString: {
      const std::string& s = asString();
      if (s.empty() || equalsFalse(s)) return Truth::kFalse;
      double d = 0;
      if (parseNumber(s, d)) return d != 0 ? Truth::kTrue : Truth::kFalse;
      return Truth::kTrue;
    }
    case Type::kArray:
      return asArray().empty() ? Truth::kFalse : Truth::kTrue;
    case Type::kObject:
      return asObject().empty() ? Truth::kFalse : Truth::kTrue;
    default:
      return Truth::kUnknown;
  }
}

bool ScriptValue::toNumber(double& out) const {
  switch (m_type) {
    case Type::kNumber:
      out = m_scalar.n;
      return true;
    case Type::kBool:
      out = m_scalar.b ? 1 : 0;
      return true;
    case Type::kString:
      return parseNumber(asString(), out);
    default:
      return false;
  }
}

std::string ScriptValue::toText() const {
  switch (m_type) {
    case Type::kBool:
      return m_scalar.b ? "true" : "false";
    case Type::kNumber:
      return formatNumber(m_scalar.n);
    case Type::kString:
      return asString();
    case Type::kArray:
    case Type::kObject: {
      std::string out;
      appendJson(out, *this);
      return out;
    }
    default:
      return "UNAVAILABLE";
  }
}

const ScriptValue* ScriptValue::field(std::string_view name) const {
  if (m_type != Type::kObject) return nullptr;
  for (const auto& [key, value] : asObject()) {
    if (key == name) return &value;
  }
  return nullptr;
}

bool operator==(const ScriptValue& a, const ScriptValue& b) {
  if (a.m_type != b.m_type) return false;
  switch (a.m_type) {
    case ScriptValue::Type::kBool:
      return a.m_scalar.b == b.m_scalar.b;
    case ScriptValue::Type::kNumber:
      return a.m_scalar.n == b.m_scalar.n || (std::isnan(a.m_scalar.n) && std::isnan(b.m_scalar.n));
    case ScriptValue::Type::kString:
      return a.m_heap == b.m_heap || a.asString() == b.asString();
    case ScriptValue::Type::kArray:
      return a.m_heap == b.m_heap || a.asArray() == b.asArray();
    case ScriptValue::Type::kObject:
      return a.m_heap == b.m_heap || a.asObject() == b.asObject();
    default:
      return true;
  }
}

const char* typeName(ScriptValue::Type type) {
  switch (type) {
    case ScriptValue::Type::kMissing:
      return "missing";
    case ScriptValue::Type::kUnavailable:
      return "unavailable";
    case ScriptValue::Type::kBool:
      return "boolean";
    case ScriptValue::Type::kNumber:
      return "number";
    case ScriptValue::Type::kString:
      return "string";
    case ScriptValue::Type::kArray:
      return "array";
    case ScriptValue::Type::kObject:
      return "object";
  }
  return "?";
}

const char* ScriptValue::typeName() const { return transform::typeName(m_type); }

bool looselyEqual(const ScriptValue& a, const ScriptValue& b) {
  using T = ScriptValue::Type;
  if (a.type() == b.type()) return a == b;
  const bool aNumeric = a.type() == T::kNumber || a.type() == T::kBool;
  const bool bNumeric = b.type() == T::kNumber || b.type() == T::kBool;
  if ((aNumeric && (bNumeric || b.isString())) || (bNumeric && a.isString())) {
    double x = 0;
    double y = 0;
    return a.toNumber(x) && b.toNumber(y) && x == y;
  }
  return false;
}

std::string formatNumber(double n) {
  if (std::isnan(n)) return "NaN";
  if (std::isinf(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (n == std::trunc(n) && std::fabs(n) < 1e15) {
    char buf[24];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(n));
    return std::string(buf, ptr);
  }
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, n);
  return std::string(buf, ptr);
}

ScriptValue fromModel(const model::Value& value) { return std::visit(FromModel{}, value); }

model::Value toModel(const ScriptValue& value) {
  switch (value.type()) {
    case ScriptValue::Type::kBool:
      return value.asBool();
    case ScriptValue::Type::kNumber: {
      const double n = value.asNumber();
      constexpr double kExact = 9007199254740992.0;  // 2^53
      if (n == std::trunc(n) && std::fabs(n) <= kExact) return static_cast<std::int64_t>(n);
      return n;
    }
    case ScriptValue::Type::kString:
      return value.asString();
    case ScriptValue::Type::kArray: {
      std::vector<double> out;
      out.reserve(value.asArray().size());
      for (const auto& item : value.asArray()) {
        if (!item.isNumber()) return value.toText();
        out.push_back(item.asNumber());
      }
      return out;
    }
    case ScriptValue::Type::kObject:
      return value.toText();
    default:
      return model::Unavailable{};
  }
}

}  // namespace spindle::transform
