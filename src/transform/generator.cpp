#include "transform/generator.hpp"

#include "transform/cron_schedule.hpp"
#include "transform/datetime_format.hpp"
#include "transform/time_zone.hpp"

namespace spindle::transform {
namespace {

constexpr TimestampNs kSecond = 1'000'000'000;

TimestampNs alignUp(TimestampNs t, TimestampNs interval) {  // the next multiple after t
  TimestampNs q = t / interval;
  if (t < 0 && q * interval != t) --q;
  return (q + 1) * interval;
}

class CounterGenerator final : public Generator {
 public:
  explicit CounterGenerator(TimestampNs interval) : m_interval(interval) {}
  ScriptValue start(GeneratorState& s, TimestampNs now) const override {
    s.started = now;
    s.deadline = now + m_interval;
    return ScriptValue::number(0);
  }
  ScriptValue update(GeneratorState& s, TimestampNs now) const override {
    const TimestampNs n = (now - s.started) / m_interval;
    s.deadline = s.started + (n + 1) * m_interval;
    return ScriptValue::number(static_cast<double>(n));
  }

 private:
  TimestampNs m_interval;
};

class DateTimeGenerator final : public Generator {
 public:
  DateTimeGenerator(std::string format, TimestampNs interval, TimeZone zone)
      : m_format(std::move(format)), m_interval(interval), m_zone(std::move(zone)) {}
  ScriptValue start(GeneratorState& s, TimestampNs now) const override {
    s.started = now;
    return update(s, now);
  }
  ScriptValue update(GeneratorState& s, TimestampNs now) const override {
    s.deadline = alignUp(now, m_interval);
    if (m_format == "X") return ScriptValue::number(static_cast<double>(now / kSecond));
    if (m_format == "x") return ScriptValue::number(static_cast<double>(now / 1'000'000));
    return ScriptValue::string(formatDateTime(m_format, now, m_zone));
  }

 private:
  std::string m_format;
  TimestampNs m_interval;
  TimeZone m_zone;
};

class CronGenerator final : public Generator {
 public:
  CronGenerator(CronSchedule schedule, TimestampNs duration, TimeZone zone)
      : m_schedule(std::move(schedule)), m_duration(duration), m_zone(std::move(zone)) {}

  ScriptValue start(GeneratorState& s, TimestampNs now) const override {
    s.started = now;
    return update(s, now);
  }

  // True in [fire, fire + duration) of the latest firing; runs again at the next firing or
  // when the current one ends.
  ScriptValue update(GeneratorState& s, TimestampNs now) const override {
    const TimestampNs lookFrom = now - m_duration;
    std::int64_t fromSec = lookFrom / kSecond;
    if (lookFrom % kSecond < 0) --fromSec;
    auto fire = m_schedule.next(fromSec - 1, m_zone);
    std::optional<std::int64_t> last;
    for (int i = 0; fire && *fire * kSecond <= now; ++i) {
      if (i == 10000) {  // a dense schedule: skip ahead instead of walking every firing
        last = *fire;
        fire = m_schedule.next(now / kSecond, m_zone);
        break;
      }
      last = fire;
      fire = m_schedule.next(*fire, m_zone);
    }
    const TimestampNs nextFire = fire ? *fire * kSecond : kNever;
    if (last && now < *last * kSecond + m_duration) {
      s.deadline = std::min(*last * kSecond + m_duration, nextFire);
      return ScriptValue::boolean(true);
    }
    s.deadline = nextFire;
    return ScriptValue::boolean(false);
  }

 private:
  CronSchedule m_schedule;
  TimestampNs m_duration;
  TimeZone m_zone;
};

std::optional<TimestampNs> readDuration(const YAML::Node& n, const std::string& what,
                                        config::Diagnostics& d) {
  if (!n.IsScalar()) {
    d.add(n, what + " must be a duration like 5s");
    return std::nullopt;
  }
  auto parsed = parseDuration(n.Scalar());
  if (!parsed) {
    char* end = nullptr;
    const double seconds = std::strtod(n.Scalar().c_str(), &end);
    if (end && *end == '\0' && !n.Scalar().empty() && seconds >= 0 && seconds < 1e9) {
      return static_cast<TimestampNs>(seconds * 1e9);
    }
    d.add(n, what + ": " + parsed.error().message());
    return std::nullopt;
  }
  return parsed->count();
}

std::optional<TimeZone> readZone(const YAML::Node& def, config::Diagnostics& d) {
  const YAML::Node n = def["timezone"];
  if (!n) return TimeZone();
  auto zone = TimeZone::load(n.Scalar());
  if (!zone) {
    d.add(n, zone.error().message(),
          "use an IANA name like America/New_York, UTC, or a POSIX rule like "
          "EST5EDT,M3.2.0,M11.1.0");
    return std::nullopt;
  }
  return std::move(zone).value();
}

}  // namespace

const std::vector<std::string>& generatorTypes() {
  static const std::vector<std::string> types = {"counter", "cron", "datetime"};
  return types;
}

std::unique_ptr<Generator> loadGenerator(const YAML::Node& def, const std::string& name,
                                         config::Diagnostics& d) {
  const std::string where = "generator '" + name + "'";
  if (!def.IsMap()) {
    d.add(def, where + " must be a map with a type", "types: counter, datetime, cron");
    return nullptr;
  }
  const YAML::Node typeNode = def["type"];
  const std::string type = typeNode ? typeNode.Scalar() : "";
  if (type == "counter") {
    if (!checkKeys(def, {"type", "interval"}, where, d)) return nullptr;
    if (!def["interval"]) {
      d.add(def, where + " needs an interval, like 1s");
      return nullptr;
    }
    auto interval = readDuration(def["interval"], "interval", d);
    if (!interval) return nullptr;
    if (*interval <= 0) {
      d.add(def["interval"], "interval must be longer than 0");
      return nullptr;
    }
    return std::make_unique<CounterGenerator>(*interval);
  }
  if (type == "datetime") {
    if (!checkKeys(def, {"type", "format", "interval", "timezone"}, where, d)) return nullptr;
    TimestampNs interval = kSecond;
    if (def["interval"]) {
      auto i = readDuration(def["interval"], "interval", d);
      if (!i) return nullptr;
      if (*i <= 0) {
        d.add(def["interval"], "interval must be longer than 0");
        return nullptr;
      }
      interval = *i;
    }
    auto zone = readZone(def, d);
    if (!zone) return nullptr;
    const std::string format = def["format"] ? def["format"].Scalar() : "YYYY-MM-DDTHH:mm:ssZ";
    return std::make_unique<DateTimeGenerator>(format, interval, std::move(*zone));
  }
  if (type == "cron") {
    if (!checkKeys(def, {"type", "cron", "duration", "timezone"}, where, d)) return nullptr;
    if (!def["cron"] || !def["cron"].IsScalar()) {
      d.add(def, where + " needs cron: a schedule like \"0 6 * * 1-5\"",
            "quote it: YAML reads a leading * as an alias");
      return nullptr;
    }
    auto schedule = CronSchedule::parse(def["cron"].Scalar());
    if (!schedule) {
      d.add(def["cron"], schedule.error().message());
      return nullptr;
    }
    TimestampNs duration = kSecond;
    if (def["duration"]) {
      auto du = readDuration(def["duration"], "duration", d);
      if (!du) return nullptr;
      if (*du <= 0) {
        d.add(def["duration"], "duration must be longer than 0");
        return nullptr;
      }
      duration = *du;
    }
    auto zone = readZone(def, d);
    if (!zone) return nullptr;
    return std::make_unique<CronGenerator>(std::move(*schedule), duration, std::move(*zone));
  }
  if (type.empty()) {
    d.add(def, where + " needs a type", "types: counter, datetime, cron");
  } else {
    const std::string guess = config::closestMatch(type, generatorTypes());
    d.add(typeNode, "unknown generator type '" + type + "'",
          guess.empty() ? "types: counter, datetime, cron" : "did you mean '" + guess + "'?");
  }
  return nullptr;
}

}  // namespace spindle::transform
