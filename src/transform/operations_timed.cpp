// Operations driven by time as well as input: on-delay, off-delay, debounce, average,
// resample. Each keeps its last input so a deadline can resume the chain from it.

#include <algorithm>
#include <array>
#include <deque>

#include "transform/operation.hpp"

namespace spindle::transform {
namespace {

struct TimedState : OpState {
  ScriptValue input;
  TimestampNs deadline = kNever;
};

class TimedOp : public Operation {
 public:
  bool isTimed() const override { return true; }
  TimestampNs deadline(const OpState* s) const override {
    return static_cast<const TimedState*>(s)->deadline;
  }
  const ScriptValue* lastInput(const OpState* s) const override {
    return &static_cast<const TimedState*>(s)->input;
  }
};

// on-delay: true once the input has been true for the delay; off-delay: false once it has
// been false for the delay. Any change back restarts the timer.
class DelayOp final : public TimedOp {
 public:
  DelayOp(bool on, Duration delay) : m_on(on), m_delay(delay.count()) {}

  struct State : TimedState {
    TimestampNs since = kNever;  ///< when the input took the delayed state
    bool output = false;
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }

  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const override {
    auto& s = static_cast<State&>(*state);
    s.input = input;
    const Truth t = input.truth();
    if (t == Truth::kUnknown) {
      s.since = kNever;
      s.deadline = kNever;
      s.output = false;
      return ScriptValue();
    }
    const bool delayed = (t == Truth::kTrue) == m_on;  // the state that waits
    if (!delayed) {
      s.since = kNever;
      s.deadline = kNever;
      s.output = !m_on;
      return ScriptValue::boolean(s.output);
    }
    if (!m_on && !s.output) {  // off-delay that never was on: nothing to hold
      s.deadline = kNever;
      return ScriptValue::boolean(false);
    }
    if (s.since == kNever) s.since = env.now;
    if (env.now - s.since >= m_delay) {
      s.output = m_on;
      s.deadline = kNever;
    } else {
      s.deadline = s.since + m_delay;
    }
    return ScriptValue::boolean(s.output);
  }

 private:
  bool m_on;
  TimestampNs m_delay;
};

// debounce: a new input value is passed on only after it has held for the delay.
class DebounceOp final : public TimedOp {
 public:
  explicit DebounceOp(Duration delay) : m_delay(delay.count()) {}

  struct State : TimedState {
    bool has = false;
    ScriptValue stable;
    bool pending = false;
    ScriptValue candidate;
    TimestampNs since = 0;
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }

  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const override {
    auto& s = static_cast<State&>(*state);
    s.input = input;
    if (!s.has || input.isUnavailable() || s.stable.isUnavailable()) {
      s.stable = input;  // the first value, and values around a gap, pass at once
      s.has = true;
      s.pending = false;
      s.deadline = kNever;
      return input;
    }
    if (input == s.stable) {
      s.pending = false;
      s.deadline = kNever;
      return s.stable;
    }
    if (!s.pending || !(input == s.candidate)) {
      s.pending = true;
      s.candidate = input;
      s.since = env.now;
    }
    if (env.now - s.since >= m_delay) {
      s.stable = s.candidate;
      s.pending = false;
      s.deadline = kNever;
    } else {
      s.deadline = s.since + m_delay;
    }
    return s.stable;
  }

 private:
  TimestampNs m_delay;
};

std::unique_ptr<Operation> loadDelay(const YAML::Node& p, OpLoadContext& c, const char* name,
                                     int kind) {
  const YAML::Node node = p.IsMap() ? p["delay"] : p;
  if (p.IsMap() && !checkKeys(p, {"delay"}, name, c.diagnostics())) return nullptr;
  if (!node || node.IsNull()) {
    c.diagnostics().add(p, std::string(name) + " needs a delay: seconds or a duration like 2s");
    return nullptr;
  }
  auto d = c.duration(node, name);
  if (!d) return nullptr;
  if (kind == 2) return std::make_unique<DebounceOp>(*d);
  return std::make_unique<DelayOp>(kind == 0, *d);
}
std::unique_ptr<Operation> loadOnDelay(const YAML::Node& p, OpLoadContext& c) {
  return loadDelay(p, c, "on-delay", 0);
}
std::unique_ptr<Operation> loadOffDelay(const YAML::Node& p, OpLoadContext& c) {
  return loadDelay(p, c, "off-delay", 1);
}
std::unique_ptr<Operation> loadDebounce(const YAML::Node& p, OpLoadContext& c) {
  return loadDelay(p, c, "debounce", 2);
}

// average: over a time window (time-weighted: each value counts for as long as it held) or
// over the last N samples.
class AverageOp final : public TimedOp {
 public:
  static constexpr std::size_t kMaxPoints = 100000;
  AverageOp(TimestampNs window, std::size_t samples) : m_window(window), m_samples(samples) {}

  struct State : TimedState {
    std::deque<std::pair<TimestampNs, double>> points;  ///< (since, value)
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }
  bool isTimed() const override { return m_window > 0; }

  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const override {
    auto& s = static_cast<State&>(*state);
    const bool repeat = input == s.input && !s.points.empty();
    s.input = input;
    if (input.isUnavailable()) {
      s.points.clear();
      s.deadline = kNever;
      return ScriptValue();
    }
    double x = 0;
    if (input.isArray() || input.isObject() || !input.toNumber(x)) {
      s.points.clear();
      s.deadline = kNever;
      return env.fail(RuntimeErrorKind::kTypeMismatch,
                      std::string("average needs numbers, got ") + input.typeName());
    }
    if (m_samples > 0) {
      s.points.emplace_back(env.now, x);
      if (s.points.size() > m_samples) s.points.pop_front();
      double sum = 0;
      for (const auto& p : s.points) sum += p.second;
      return ScriptValue::number(sum / static_cast<double>(s.points.size()));
    }
    if (!repeat) s.points.emplace_back(env.now, x);
    if (s.points.size() > kMaxPoints) s.points.pop_front();
    const TimestampNs start = env.now - m_window;
    while (s.points.size() > 1 && s.points[1].first <= start) s.points.pop_front();
    s.deadline = s.points.size() > 1 ? s.points[1].first + m_window : kNever;
    const TimestampNs from = std::max(start, s.points.front().first);
    if (env.now <= from) return ScriptValue::number(s.points.back().second);
    double integral = 0;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const TimestampNs a = std::max(from, s.points[i].first);
      const TimestampNs b = i + 1 < s.points.size() ? s.points[i + 1].first : env.now;
      if (b > a) integral += s.points[i].second * static_cast<double>(b - a);
    }
    return ScriptValue::number(integral / static_cast<double>(env.now - from));
  }

 private:
  TimestampNs m_window;   ///< 0 when averaging samples
  std::size_t m_samples;  ///< 0 when averaging over time
};

std::unique_ptr<Operation> loadAverage(const YAML::Node& p, OpLoadContext& c) {
  if (p.IsMap()) {
    if (!checkKeys(p, {"window", "samples"}, "average", c.diagnostics())) return nullptr;
    if (p["samples"] && !p["window"]) {
      auto n = c.number(p["samples"], "samples");
      if (!n) return nullptr;
      if (*n < 1 || *n > 100000 || *n != static_cast<double>(static_cast<std::size_t>(*n))) {
        c.diagnostics().add(p["samples"], "samples must be a whole number from 1 to 100000");
        return nullptr;
      }
      return std::make_unique<AverageOp>(0, static_cast<std::size_t>(*n));
    }
    if (!p["window"] || p["samples"]) {
      c.diagnostics().add(p, "average needs either window (a duration) or samples (a count)");
      return nullptr;
    }
  }
  const YAML::Node node = p.IsMap() ? p["window"] : p;
  auto d = node && !node.IsNull() ? c.duration(node, "average window") : std::nullopt;
  if (!d) {
    if (!node || node.IsNull()) c.diagnostics().add(p, "average needs a window, like 10s");
    return nullptr;
  }
  if (d->count() <= 0) {
    c.diagnostics().add(node, "the average window must be longer than 0");
    return nullptr;
  }
  return std::make_unique<AverageOp>(d->count(), 0);
}

// resample: the value changes only on interval boundaries (multiples of the interval since
// the epoch), to the last input or the time-weighted mean, min or max of the interval.
class ResampleOp final : public TimedOp {
 public:
  enum class Method { kLast, kMean, kMin, kMax };
  ResampleOp(TimestampNs interval, Method method) : m_interval(interval), m_method(method) {}

  struct State : TimedState {
    bool started = false;
    ScriptValue output;
    TimestampNs periodStart = 0;
    TimestampNs measuredFrom = 0;  ///< the mean covers measuredFrom .. end of the period
    TimestampNs lastChange = 0;
    double integral = 0;
    bool hasRange = false;
    double low = 0;
    double high = 0;
    bool bad = false;  ///< an unavailable or non-numeric value in this period
  };
  std::unique_ptr<OpState> makeState() const override { return std::make_unique<State>(); }

  ScriptValue apply(const ScriptValue& input, OpState* state, EvalEnv& env) const override {
    auto& s = static_cast<State&>(*state);
    if (!s.started) {  // the first value passes at once
      s.started = true;
      s.output = input;
      s.input = input;
      beginPeriod(s, env.now, floorTo(env.now));
    } else {
      if (env.now >= s.deadline) {
        closePeriod(s, s.deadline);
        const TimestampNs boundary = floorTo(env.now);
        if (boundary > s.periodStart) {  // whole intervals without input: the value held
          s.output = s.input;
          beginPeriod(s, boundary, boundary);
        }
      }
      if (!(input == s.input)) {
        accumulate(s, env.now);
        s.input = input;
        track(s);
      }
    }
    if (m_method != Method::kLast && !input.isUnavailable() && !numeric(input)) {
      return env.fail(
          RuntimeErrorKind::kTypeMismatch,
          std::string("resample mean, min and max need numbers, got ") + input.typeName());
    }
    return s.output;
  }

 private:
  static bool numeric(const ScriptValue& v) { return v.isNumber() || v.isBool(); }

  TimestampNs floorTo(TimestampNs t) const {
    TimestampNs q = t / m_interval;
    if (t < 0 && q * m_interval != t) --q;
    return q * m_interval;
  }

  void beginPeriod(State& s, TimestampNs now, TimestampNs boundary) const {
    s.periodStart = boundary;
    s.measuredFrom = now;
    s.lastChange = now;
    s.integral = 0;
    s.bad = false;
    s.hasRange = false;
    s.deadline = boundary + m_interval;
    track(s);
  }

  void track(State& s) const {
    double x = 0;
    if (!numeric(s.input) || !s.input.toNumber(x)) {
      s.bad = true;
      return;
    }
    if (!s.hasRange) {
      s.low = s.high = x;
      s.hasRange = true;
    }
    s.low = std::min(s.low, x);
    s.high = std::max(s.high, x);
  }

  void accumulate(State& s, TimestampNs now) const {
    double x = 0;
    if (numeric(s.input) && s.input.toNumber(x)) {
      s.integral += x * static_cast<double>(now - s.lastChange);
    }
    s.lastChange = now;
  }

  void closePeriod(State& s, TimestampNs end) const {
    accumulate(s, end);
    const TimestampNs length = end - s.measuredFrom;
    switch (m_method) {
      case Method::kLast:
        s.output = s.input;
        break;
      case Method::kMean:
        s.output = s.bad || length <= 0
                       ? ScriptValue()
                       : ScriptValue::number(s.integral / static_cast<double>(length));
        break;
      case Method::kMin:
        s.output = s.bad ? ScriptValue() : ScriptValue::number(s.low);
        break;
      case Method::kMax:
        s.output = s.bad ? ScriptValue() : ScriptValue::number(s.high);
        break;
    }
    beginPeriod(s, end, end);
  }

  TimestampNs m_interval;
  Method m_method;
};

std::unique_ptr<Operation> loadResample(const YAML::Node& p, OpLoadContext& c) {
  ResampleOp::Method method = ResampleOp::Method::kLast;
  if (p.IsMap()) {
    if (!checkKeys(p, {"interval", "method"}, "resample", c.diagnostics())) return nullptr;
    if (const auto m = p["method"]) {
      const std::string name = m.Scalar();
      if (name == "last") {
        method = ResampleOp::Method::kLast;
      } else if (name == "mean") {
        method = ResampleOp::Method::kMean;
      } else if (name == "min") {
        method = ResampleOp::Method::kMin;
      } else if (name == "max") {
        method = ResampleOp::Method::kMax;
      } else {
        c.diagnostics().add(m, "unknown resample method '" + name + "'",
                            "use last, mean, min or max");
        return nullptr;
      }
    }
  }
  const YAML::Node node = p.IsMap() ? p["interval"] : p;
  if (!node || node.IsNull()) {
    c.diagnostics().add(p, "resample needs an interval, like 1s");
    return nullptr;
  }
  auto d = c.duration(node, "resample interval");
  if (!d) return nullptr;
  if (d->count() <= 0) {
    c.diagnostics().add(node, "the resample interval must be longer than 0");
    return nullptr;
  }
  return std::make_unique<ResampleOp>(d->count(), method);
}

constexpr std::array kTypes = {
    OperationType{"on-delay", false, loadOnDelay},  OperationType{"off-delay", false, loadOffDelay},
    OperationType{"debounce", false, loadDebounce}, OperationType{"average", false, loadAverage},
    OperationType{"resample", false, loadResample},
};

}  // namespace

std::span<const OperationType> timedOperationTypes() { return kTypes; }

}  // namespace spindle::transform
