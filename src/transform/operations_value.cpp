// Operations that compute a value from their input alone: source, expression, state,
// threshold, invert, changed, max-length, hash, map.

#include <array>

#include <openssl/evp.h>

#include "transform/operation.hpp"

namespace spindle::transform {
namespace {

// source / expression: the value of an expression (`this` is the previous result).
class ExpressionOp final : public Operation {
 public:
  explicit ExpressionOp(Expression e) : m_expression(std::move(e)) {}
  ScriptValue apply(const ScriptValue& input, OpState*, EvalEnv& env) const override {
    return m_expression.evaluate(env, input);
  }
  void expressions(std::vector<const Expression*>& out) const override {
    out.push_back(&m_expression);
  }

 private:
  Expression m_expression;
};

std::unique_ptr<Operation> loadExpression(const YAML::Node& param, OpLoadContext& ctx) {
  if (!param.IsScalar()) {
    ctx.diagnostics().add(param, "expected an expression (a name, a value or a formula)");
    return nullptr;
  }
  auto e = ctx.expression(param, ctx.thisAllowed());
  if (!e) return nullptr;
  return std::make_unique<ExpressionOp>(std::move(*e));
}

// state: the name of the first entry whose condition is true.
class StateOp final : public Operation {
 public:
  struct Entry {
    ScriptValue name;
    Expression condition;
  };
  explicit StateOp(std::vector<Entry> entries) : m_entries(std::move(entries)) {}

  ScriptValue apply(const ScriptValue& input, OpState*, EvalEnv& env) const override {
    bool unknown = false;
    for (const auto& e : m_entries) {
      const Truth t = e.condition.evaluate(env, input).truth();
      if (env.error) return ScriptValue();
      if (t == Truth::kTrue) return unknown ? ScriptValue() : e.name;
      if (t == Truth::kUnknown) unknown = true;
    }
    return ScriptValue();
  }
  void expressions(std::vector<const Expression*>& out) const override {
    for (const auto& e : m_entries) out.push_back(&e.condition);
  }

 private:
  std::vector<Entry> m_entries;
};

std::unique_ptr<Operation> loadState(const YAML::Node& param, OpLoadContext& ctx) {
  std::vector<StateOp::Entry> entries;
  auto addEntry = [&](const YAML::Node& key, const YAML::Node& value) {
    auto e = ctx.expression(value, ctx.thisAllowed());
    if (e) entries.push_back({ScriptValue::string(key.Scalar()), std::move(*e)});
    return e.has_value();
  };
  bool ok = true;
  if (param.IsMap()) {
    for (const auto& kv : param) ok = addEntry(kv.first, kv.second) && ok;
  } else if (param.IsSequence()) {
    for (const auto& item : param) {
      if (!item.IsMap() || item.size() != 1) {
        ctx.diagnostics().add(item, "expected a 'STATE: condition' entry",
                              "for example '- ACTIVE: running and ready'");
        ok = false;
        continue;
      }
      const auto kv = *item.begin();
      ok = addEntry(kv.first, kv.second) && ok;
    }
  } else {
    ctx.diagnostics().add(param, "state needs a list of 'STATE: condition' entries",
                          "the first entry whose condition is true gives the value");
    return nullptr;
  }
  if (!ok) return nullptr;
  if (entries.empty()) {
    ctx.diagnostics().add(param, "state needs at least one 'STATE: condition' entry");
    return nullptr;
  }
  return std::make_unique<StateOp>(std::move(entries));
}

// threshold: analog to digital.
class ThresholdOp final : public Operation {
 public:
  ThresholdOp(double value, bool above) : m_value(value), m_above(above) {}
  ScriptValue apply(const ScriptValue& input, OpState*, EvalEnv&) const override {
    if (input.isBool() || input.isUnavailable()) return input;
    if (input.isString()) {
      if (input.asString() == "true") return ScriptValue::boolean(true);
      if (input.asString() == "false") return ScriptValue::boolean(false);
    }
    double x = 0;
    if (!input.toNumber(x)) return ScriptValue::boolean(false);
    return ScriptValue::boolean(m_above ? x >= m_value : x <= m_value);
  }

 private:
  double m_value;
  bool m_above;
};

std::unique_ptr<Operation> loadThreshold(const YAML::Node& param, OpLoadContext& ctx) {
  if (param.IsScalar()) {
    auto v = ctx.number(param, "threshold");
    return v ? std::make_unique<ThresholdOp>(*v, true) : nullptr;
  }
  if (!param.IsMap() || !param["value"]) {
    ctx.diagnostics().add(param, "threshold needs a number, or {value: N, direction: above|below}");
    return nullptr;
  }
  if (!checkKeys(param, {"value", "direction"}, "threshold", ctx.diagnostics())) return nullptr;
  auto v = ctx.number(param["value"], "threshold value");
  bool above = true;
  if (const auto d = param["direction"]) {
    if (d.Scalar() != "above" && d.Scalar() != "below") {
      ctx.diagnostics().add(d, "direction must be 'above' or 'below', not '" + d.Scalar() + "'");
      return nullptr;
    }
    above = d.Scalar() == "above";
  }
  return v ? std::make_unique<ThresholdOp>(*v, above) : nullptr;
}

class InvertOp final : public Operation {
 public:
  ScriptValue apply(const ScriptValue& input, OpState*, EvalEnv&) const override {
    const Truth t = input.truth();
    if (t == Truth::kUnknown) return ScriptValue();
    return ScriptValue::boolean(t == Truth::kFalse);
  }
};

// changed: true when the input differs from the one before.
class ChangedOp final : public Operation {
 public:
  struct State : OpState {
    bool has = false;
    bool pulse = false;
    ScriptValue previous;
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }
  bool mayPulse() const override { return true; }
  bool pulsing(const OpState* s) const override { return static_cast<const State*>(s)->pulse; }
  const ScriptValue* lastInput(const OpState* s) const override {
    return &static_cast<const State*>(s)->previous;
  }
  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv&) const override {
    auto& s = static_cast<State&>(*state);
    if (input.isUnavailable()) {
      s.has = false;
      s.pulse = false;
      s.previous = input;
      return ScriptValue();
    }
    s.pulse = s.has && !(input == s.previous);
    s.previous = input;
    s.has = true;
    return ScriptValue::boolean(s.pulse);
  }
};

template <typename T>
std::unique_ptr<Operation> loadPlain(const YAML::Node& param, OpLoadContext& ctx,
                                     const char* name) {
  if (param.IsDefined() && !param.IsNull()) {
    ctx.diagnostics().add(param, std::string(name) + " takes no parameter",
                          std::string("write '- ") + name + "'");
    return nullptr;
  }
  return std::make_unique<T>();
}

std::unique_ptr<Operation> loadInvert(const YAML::Node& p, OpLoadContext& c) {
  return loadPlain<InvertOp>(p, c, "invert");
}
std::unique_ptr<Operation> loadChanged(const YAML::Node& p, OpLoadContext& c) {
  return loadPlain<ChangedOp>(p, c, "changed");
}

// max-length: strings cut to N bytes (never inside a UTF-8 character), lists to N items.
class MaxLengthOp final : public Operation {
 public:
  explicit MaxLengthOp(std::size_t n) : m_max(n) {}
  ScriptValue apply(const ScriptValue& input, OpState*, EvalEnv& env) const override {
    if (input.isUnavailable()) return input;
    if (input.isArray()) {
      if (input.asArray().size() <= m_max) return input;
      return ScriptValue::array(
          ScriptArray(input.asArray().begin(), input.asArray().begin() + m_max));
    }
    if (input.isObject()) {
      return env.fail(RuntimeErrorKind::kTypeMismatch, "max-length needs a string or a list");
    }
    std::string text = input.toText();
    if (text.size() <= m_max) return input.isString() ? input : ScriptValue::string(text);
    std::size_t cut = m_max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    return ScriptValue::string(std::move(text));
  }

 private:
  std::size_t m_max;
};

std::unique_ptr<Operation> loadMaxLength(const YAML::Node& param, OpLoadContext& ctx) {
  auto n = ctx.number(param, "max-length");
  if (!n) return nullptr;
  if (*n < 0 || *n > 1e9 || *n != static_cast<double>(static_cast<std::size_t>(*n))) {
    ctx.diagnostics().add(param, "max-length must be a whole number of characters, 0 or more");
    return nullptr;
  }
  return std::make_unique<MaxLengthOp>(static_cast<std::size_t>(*n));
}

// hash: the hex digest of the input's text.
class HashOp final : public Operation {
 public:
  explicit HashOp(const EVP_MD* md) : m_md(md) {}
  ScriptValue apply(const ScriptValue& input, OpState*, EvalEnv& env) const override {
    if (input.isUnavailable()) return input;
    const std::string text = input.toText();
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &size, m_md, nullptr) != 1) {
      return env.fail(RuntimeErrorKind::kBadArgument, "hash failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
      hex.push_back(kHex[digest[i] >> 4]);
      hex.push_back(kHex[digest[i] & 15]);
    }
    return ScriptValue::string(std::move(hex));
  }

 private:
  const EVP_MD* m_md;
};

std::unique_ptr<Operation> loadHash(const YAML::Node& param, OpLoadContext& ctx) {
  const std::string algorithm = param.IsScalar() ? param.Scalar() : "md5";
  if (param.IsDefined() && !param.IsNull() && !param.IsScalar()) {
    ctx.diagnostics().add(param, "hash takes an algorithm name: md5, sha1 or sha256");
    return nullptr;
  }
  const EVP_MD* md = algorithm == "md5"      ? EVP_md5()
                     : algorithm == "sha1"   ? EVP_sha1()
                     : algorithm == "sha256" ? EVP_sha256()
                                             : nullptr;
  if (md == nullptr) {
    ctx.diagnostics().add(param, "unknown hash '" + algorithm + "'", "use md5, sha1 or sha256");
    return nullptr;
  }
  return std::make_unique<HashOp>(md);
}

// map: runs a nested chain on every element of a list; element i keeps its own state.
class MapOp final : public Operation {
 public:
  explicit MapOp(OperationList ops) : m_ops(std::move(ops)) {}

  struct State : OpState {
    std::vector<OpStates> elements;
    ScriptValue last;
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }

  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const override {
    auto& s = static_cast<State&>(*state);
    s.last = input;
    if (input.isUnavailable()) {
      s.elements.clear();
      return input;
    }
    if (!input.isArray()) {
      return env.fail(RuntimeErrorKind::kTypeMismatch,
                      std::string("map needs a list, got ") + input.typeName());
    }
    const auto& items = input.asArray();
    if (s.elements.size() > items.size()) s.elements.resize(items.size());
    while (s.elements.size() < items.size()) s.elements.push_back(makeStates(m_ops));
    ScriptArray out;
    out.reserve(items.size());
    EvalError first;
    for (std::size_t i = 0; i < items.size(); ++i) {
      out.push_back(runChain(m_ops, s.elements[i], 0, items[i], env));
      if (env.error && !first) first = std::move(env.error);
      env.error = {};
    }
    if (first) env.error = std::move(first);
    return ScriptValue::array(std::move(out));
  }

  bool isTimed() const override {
    for (const auto& op : m_ops) {
      if (op->isTimed()) return true;
    }
    return false;
  }
  TimestampNs deadline(const OpState* state) const override {
    TimestampNs best = kNever;
    for (const auto& e : static_cast<const State*>(state)->elements) {
      best = std::min(best, chainDeadline(m_ops, e, nullptr));
    }
    return best;
  }
  const ScriptValue* lastInput(const OpState* state) const override {
    return &static_cast<const State*>(state)->last;
  }
  bool mayPulse() const override {
    for (const auto& op : m_ops) {
      if (op->mayPulse()) return true;
    }
    return false;
  }
  bool pulsing(const OpState* state) const override {
    for (const auto& e : static_cast<const State*>(state)->elements) {
      if (chainPulse(m_ops, e) >= 0) return true;
    }
    return false;
  }
  void expressions(std::vector<const Expression*>& out) const override {
    for (const auto& op : m_ops) op->expressions(out);
  }

 private:
  OperationList m_ops;
};

std::unique_ptr<Operation> loadMap(const YAML::Node& param, OpLoadContext& ctx) {
  if (!param.IsSequence() || param.size() == 0) {
    ctx.diagnostics().add(param, "map needs a list of operations to run on each element");
    return nullptr;
  }
  OperationList ops = ctx.chain(param, "map");
  if (ops.size() != param.size()) return nullptr;
  return std::make_unique<MapOp>(std::move(ops));
}

constexpr std::array kTypes = {
    OperationType{"source", true, loadExpression},
    OperationType{"expression", true, loadExpression},
    OperationType{"state", true, loadState},
    OperationType{"threshold", false, loadThreshold},
    OperationType{"invert", false, loadInvert},
    OperationType{"changed", false, loadChanged},
    OperationType{"max-length", false, loadMaxLength},
    OperationType{"hash", false, loadHash},
    OperationType{"map", false, loadMap},
};

}  // namespace

std::span<const OperationType> valueOperationTypes() { return kTypes; }

}  // namespace spindle::transform
