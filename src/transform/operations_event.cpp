// Operations that react to transitions of their input: rising-edge, falling-edge, count,
// latch-value.

#include <array>

#include "transform/operation.hpp"

namespace spindle::transform {
namespace {

// rising-edge / falling-edge: true on the evaluation where the input turns true (false), when
// the state that just ended lasted between min-dwell and max-dwell; false otherwise.
class EdgeOp final : public Operation {
 public:
  EdgeOp(bool rising, Duration minDwell, Duration maxDwell)
      : m_rising(rising), m_min(minDwell.count()), m_max(maxDwell.count()) {}

  struct State : OpState {
    Truth last = Truth::kUnknown;
    TimestampNs since = 0;
    bool pulse = false;
    ScriptValue input;
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }
  bool mayPulse() const override { return true; }
  bool pulsing(const OpState* s) const override { return static_cast<const State*>(s)->pulse; }
  const ScriptValue* lastInput(const OpState* s) const override {
    return &static_cast<const State*>(s)->input;
  }

  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const override {
    auto& s = static_cast<State&>(*state);
    s.input = input;
    s.pulse = false;
    const Truth t = input.truth();
    if (t == Truth::kUnknown) {
      s.last = Truth::kUnknown;  // the first value after unavailable is not an edge
      return ScriptValue();
    }
    if (s.last == Truth::kUnknown || t == s.last) {
      if (s.last == Truth::kUnknown) s.since = env.now;
      s.last = t;
      return ScriptValue::boolean(false);
    }
    const TimestampNs dwell = env.now - s.since;
    s.since = env.now;
    s.last = t;
    const bool wanted = (t == Truth::kTrue) == m_rising;
    s.pulse = wanted && dwell >= m_min && (m_max == 0 || dwell <= m_max);
    return ScriptValue::boolean(s.pulse);
  }

 private:
  bool m_rising;
  TimestampNs m_min;
  TimestampNs m_max;  ///< 0: no limit
};

std::unique_ptr<Operation> loadEdge(const YAML::Node& param, OpLoadContext& ctx, bool rising) {
  const char* name = rising ? "rising-edge" : "falling-edge";
  Duration minDwell{0};
  Duration maxDwell{0};
  if (param.IsDefined() && !param.IsNull()) {
    if (!param.IsMap()) {
      ctx.diagnostics().add(param, std::string(name) + " takes {min-dwell: s, max-dwell: s}",
                            std::string("or nothing: '- ") + name + "'");
      return nullptr;
    }
    if (!checkKeys(param, {"min-dwell", "max-dwell"}, name, ctx.diagnostics())) return nullptr;
    if (param["min-dwell"]) {
      auto d = ctx.duration(param["min-dwell"], "min-dwell");
      if (!d) return nullptr;
      minDwell = *d;
    }
    if (param["max-dwell"]) {
      auto d = ctx.duration(param["max-dwell"], "max-dwell");
      if (!d) return nullptr;
      maxDwell = *d;
      if (maxDwell.count() > 0 && maxDwell < minDwell) {
        ctx.diagnostics().add(param["max-dwell"], "max-dwell is shorter than min-dwell");
        return nullptr;
      }
    }
  }
  return std::make_unique<EdgeOp>(rising, minDwell, maxDwell);
}

std::unique_ptr<Operation> loadRising(const YAML::Node& p, OpLoadContext& c) {
  return loadEdge(p, c, true);
}
std::unique_ptr<Operation> loadFalling(const YAML::Node& p, OpLoadContext& c) {
  return loadEdge(p, c, false);
}

// count: adds `amount` each time the input turns true; `reset` (with `this` = the total)
// zeroes it; with a merge window, increments wait until the window passes without events.
class CountOp final : public Operation {
 public:
  CountOp(Expression amount, std::optional<Expression> reset, Duration mergeWindow)
      : m_amount(std::move(amount)), m_reset(std::move(reset)), m_window(mergeWindow.count()) {}

  struct State : OpState {
    double total = 0;
    double pending = 0;
    TimestampNs flushAt = kNever;
    Truth last = Truth::kUnknown;
    ScriptValue input;
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }

  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const override {
    auto& s = static_cast<State&>(*state);
    s.input = input;
    const Truth t = input.truth();
    if (m_reset && m_reset->evaluate(env, ScriptValue::number(s.total)).truth() == Truth::kTrue) {
      s.total = 0;
      s.pending = 0;
      s.flushAt = kNever;
      s.last = t;
      return ScriptValue::number(0);
    }
    if (env.error) return ScriptValue();
    if (s.last == Truth::kFalse && t == Truth::kTrue) {
      double amount = 1;
      const ScriptValue a = m_amount.evaluate(env, input);
      if (env.error) return ScriptValue();
      if (!a.isUnavailable() && !a.toNumber(amount)) {
        return env.fail(RuntimeErrorKind::kTypeMismatch,
                        std::string("count amount must be a number, got ") + a.typeName());
      }
      if (a.isUnavailable()) amount = 0;
      if (m_window > 0) {
        s.pending += amount;
        s.flushAt = env.now + m_window;
      } else {
        s.total += amount;
      }
    }
    s.last = t;
    if (s.flushAt != kNever && env.now >= s.flushAt) {
      s.total += s.pending;
      s.pending = 0;
      s.flushAt = kNever;
    }
    return ScriptValue::number(s.total);
  }

  bool isTimed() const override { return m_window > 0; }
  TimestampNs deadline(const OpState* state) const override {
    return static_cast<const State*>(state)->flushAt;
  }
  const ScriptValue* lastInput(const OpState* state) const override {
    return &static_cast<const State*>(state)->input;
  }
  void expressions(std::vector<const Expression*>& out) const override {
    out.push_back(&m_amount);
    if (m_reset) out.push_back(&*m_reset);
  }

 private:
  Expression m_amount;
  std::optional<Expression> m_reset;
  TimestampNs m_window;
};

std::unique_ptr<Operation> loadCount(const YAML::Node& param, OpLoadContext& ctx) {
  Expression amount = Expression::constant(ScriptValue::number(1));
  std::optional<Expression> reset;
  Duration window{0};
  if (param.IsScalar()) {
    auto e = ctx.expression(param, true);
    if (!e) return nullptr;
    amount = std::move(*e);
  } else if (param.IsMap()) {
    if (!checkKeys(param, {"amount", "reset", "merge-window"}, "count", ctx.diagnostics())) {
      return nullptr;
    }
    if (param["amount"]) {
      auto e = ctx.expression(param["amount"], true);
      if (!e) return nullptr;
      amount = std::move(*e);
    }
    if (param["reset"]) {
      reset = ctx.expression(param["reset"], true);
      if (!reset) return nullptr;
    }
    if (param["merge-window"]) {
      auto d = ctx.duration(param["merge-window"], "merge-window");
      if (!d) return nullptr;
      window = *d;
    }
  } else if (param.IsDefined() && !param.IsNull()) {
    ctx.diagnostics().add(param, "count takes an amount, or {amount, reset, merge-window}");
    return nullptr;
  }
  return std::make_unique<CountOp>(std::move(amount), std::move(reset), window);
}

// latch-value: sample and hold. While `reset` is true the latch is open (and shows
// reset-value when one is given); the first input after that is captured and held.
class LatchValueOp final : public Operation {
 public:
  LatchValueOp(Expression reset, std::optional<ScriptValue> resetValue, bool onChange)
      : m_reset(std::move(reset)), m_resetValue(std::move(resetValue)), m_onChange(onChange) {}

  struct State : OpState {
    ScriptValue held;
    bool open = true;
    bool hasAtReset = false;
    ScriptValue atReset;
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }

  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const override {
    auto& s = static_cast<State&>(*state);
    const Truth r = m_reset.evaluate(env, input).truth();
    if (env.error) return ScriptValue();
    if (r == Truth::kTrue) {
      s.open = true;
      s.atReset = input;
      s.hasAtReset = true;
    } else if (s.open && !input.isUnavailable()) {
      if (!(m_onChange && s.hasAtReset && input == s.atReset)) {
        s.held = input;
        s.open = false;
      }
    }
    return s.open && m_resetValue ? *m_resetValue : s.held;
  }
  void expressions(std::vector<const Expression*>& out) const override { out.push_back(&m_reset); }

 private:
  Expression m_reset;
  std::optional<ScriptValue> m_resetValue;
  bool m_onChange;
};

std::unique_ptr<Operation> loadLatchValue(const YAML::Node& param, OpLoadContext& ctx) {
  if (!param.IsMap() || !param["reset"]) {
    ctx.diagnostics().add(param, "latch-value needs {reset: condition}",
                          "optional: reset-value, latch-on-change");
    return nullptr;
  }
  if (!checkKeys(param, {"reset", "reset-value", "latch-on-change"}, "latch-value",
                 ctx.diagnostics())) {
    return nullptr;
  }
  auto reset = ctx.expression(param["reset"], true);
  if (!reset) return nullptr;
  std::optional<ScriptValue> resetValue;
  if (param["reset-value"]) {
    auto e = ctx.expression(param["reset-value"], false);
    if (!e) return nullptr;
    if (!e->isConstant()) {
      ctx.diagnostics().add(param["reset-value"], "reset-value must be a constant",
                            "quote strings: 'NONE'");
      return nullptr;
    }
    EvalEnv env;
    resetValue = e->evaluate(env, ScriptValue());
  }
  bool onChange = false;
  if (const auto n = param["latch-on-change"]) {
    if (n.Scalar() != "true" && n.Scalar() != "false") {
      ctx.diagnostics().add(n, "latch-on-change must be true or false");
      return nullptr;
    }
    onChange = n.Scalar() == "true";
  }
  return std::make_unique<LatchValueOp>(std::move(*reset), std::move(resetValue), onChange);
}

constexpr std::array kTypes = {
    OperationType{"rising-edge", false, loadRising},
    OperationType{"falling-edge", false, loadFalling},
    OperationType{"count", false, loadCount},
    OperationType{"latch-value", false, loadLatchValue},
};

}  // namespace

std::span<const OperationType> eventOperationTypes() { return kTypes; }

}  // namespace spindle::transform
