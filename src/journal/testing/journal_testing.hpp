#pragma once
/// Helpers shared by the journal's tests, its integration tests and its benchmark: temporary
/// directories, a settable clock, sample batches with every kind of value, and comparison of
/// observations by name (ids differ between catalogs).

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "base/time.hpp"
#include "base/units.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"

namespace spindle::journal::testing {

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    m_path = std::filesystem::temp_directory_path() /
             ("spindle_journal_" + tag + "_" + std::to_string(::getpid()) + "_" +
              std::to_string(counter++));
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }
  std::string str() const { return m_path.string(); }

 private:
  std::filesystem::path m_path;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampNs start = 1'700'000'000'000'000'000) : m_now(start) {}
  TimestampNs now() const override { return m_now.load(); }
  void advance(Duration d) { m_now += d.count(); }

 private:
  std::atomic<TimestampNs> m_now;
};

/// A batch of `n` observations of machine `machine`, values cycling through every alternative
/// of model::Value, item keys "k0".."k{keys-1}", timestamps from `t0` in steps of 1 ms; the
/// int64 value of observation i (where it has one) is `base + i`.
inline model::Batch sampleBatch(model::ItemCatalog& catalog, const std::string& machine,
                                std::size_t n, std::int64_t base, TimestampNs t0 = 1'000'000,
                                std::size_t keys = 16) {
  const auto m = catalog.addMachine(machine);
  model::Batch batch;
  batch.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    model::Observation obs;
    obs.machine = m;
    obs.item = catalog.intern(m, "k" + std::to_string(i % keys)).value();
    obs.timestamp = t0 + static_cast<TimestampNs>(i) * 1'000'000;
    obs.kind = model::Kind::kEvent;
    const std::int64_t v = base + static_cast<std::int64_t>(i);
    switch (i % 12) {
      case 0:
      case 6:
        obs.kind = model::Kind::kSample;
        obs.value = v;
        break;
      case 1:
        obs.kind = model::Kind::kSample;
        obs.value = static_cast<double>(v) * 0.5;
        break;
      case 2:
        obs.value = "text " + std::to_string(v);
        break;
      case 3:
        obs.value = (v % 2) == 0;
        obs.flags = model::kFlagUntrustedClock;
        break;
      case 4:
        obs.value = model::Unavailable{};
        break;
      case 5:
        obs.kind = model::Kind::kTimeSeries;
        obs.value = std::make_shared<const model::TimeSeries>(
            model::TimeSeries{100.0, {1.0, 2.5, static_cast<double>(v)}});
        break;
      case 7:
        obs.kind = model::Kind::kCondition;
        obs.value = std::make_shared<const model::Condition>(model::Condition{
            model::Level::kFault, "E" + std::to_string(v), "2", "HIGH", "spindle overload"});
        break;
      case 8:
        obs.kind = model::Kind::kMessage;
        obs.value = std::make_shared<const model::Message>(model::Message{"M1", "hello \"x\""});
        break;
      case 9: {
        model::DataSet ds;
        ds.reset = true;
        ds.entries.push_back({"a", "1", {}, false});
        ds.entries.push_back({"b", "", {}, true});
        ds.entries.push_back({"row", "", {{"c1", "x"}, {"c2", "y"}}, false});
        obs.kind = model::Kind::kTable;
        obs.value = std::make_shared<const model::DataSet>(std::move(ds));
        break;
      }
      case 10:
        obs.kind = model::Kind::kAsset;
        obs.value = std::make_shared<const model::Asset>(
            model::Asset{model::Asset::Action::kAdd, "T1", "CuttingTool", "<CuttingTool/>"});
        break;
      default:
        obs.kind = model::Kind::kSample;
        obs.value = std::vector<double>{0.25, -1.0, static_cast<double>(v)};
        obs.flags = model::kFlagArrivalTime | model::kFlagResetTriggered;
        break;
    }
    batch.push_back(std::move(obs));
  }
  return batch;
}

/// Equal values, kinds, flags, timestamps, and the same machine and key names.
inline bool sameObservation(const model::Observation& a, const model::ItemCatalog& ca,
                            const model::Observation& b, const model::ItemCatalog& cb) {
  if (a.timestamp != b.timestamp || a.kind != b.kind || a.flags != b.flags) return false;
  if (ca.machineName(a.machine) != cb.machineName(b.machine)) return false;
  if (ca.item(a.item).key != cb.item(b.item).key) return false;
  if (a.value.index() != b.value.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const auto& y = std::get<T>(b.value);
        if constexpr (requires { *x; }) {
          return *x == *y;
        } else {
          return x == y;
        }
      },
      a.value);
}

/// The int64 value, or -1 for any other alternative.
inline std::int64_t intValue(const model::Observation& obs) {
  const auto* v = std::get_if<std::int64_t>(&obs.value);
  return v ? *v : -1;
}

}  // namespace spindle::journal::testing

#include <mutex>

#include <spdlog/sinks/base_sink.h>

#include "base/log.hpp"

namespace spindle::journal::testing {

/// Collects what one logger writes while it lives.
class LogCapture {
 public:
  explicit LogCapture(const std::string& logger)
      : m_logger(makeLogger(logger)), m_sink(std::make_shared<Sink>()) {
    m_sink->set_pattern("%l %v");
    m_logger->sinks().push_back(m_sink);
  }
  ~LogCapture() {
    auto& sinks = m_logger->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
  }
  std::string text() { return m_sink->text(); }

 private:
  class Sink final : public spdlog::sinks::base_sink<std::mutex> {
   public:
    std::string text() {
      std::lock_guard lock(mutex_);
      return m_text;
    }

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
      spdlog::memory_buf_t out;
      formatter_->format(msg, out);
      m_text.append(out.data(), out.size());
    }
    void flush_() override {}

   private:
    std::string m_text;
  };

  std::shared_ptr<spdlog::logger> m_logger;
  std::shared_ptr<Sink> m_sink;
};

}  // namespace spindle::journal::testing
