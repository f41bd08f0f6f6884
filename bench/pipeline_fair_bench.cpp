// Fair share of the pipeline: the latency of a healthy machine's batches (push to applied)
// while hostile machines flood the pipeline as fast as it takes their batches (1000
// observations a batch). A healthy machine sends 5 observations every millisecond. Like
// collectors (their Emitter), every sender offers a refused batch again when the pipeline calls
// it back (its room listener). Reported: p50, p99 and max latency
// in ms, and the hostile rate.
//
//   build/bench/pipeline_fair_bench --benchmark_counters_tabular=true
// Files go to $SPINDLE_BENCH_DIR (default /tmp/spindle-pipeline-bench).

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <benchmark/benchmark.h>

#include "app/pipeline.hpp"
#include "base/log.hpp"
#include "journal/journal.hpp"

namespace {

using namespace spindle;
namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

fs::path benchDir() {
  const char* env = std::getenv("SPINDLE_BENCH_DIR");
  return fs::path(env != nullptr && *env != '\0' ? env : "/tmp/spindle-pipeline-bench");
}

/// A sender's room listener: the pipeline's call back wakes the sender (a collector posts to
/// its strand instead).
class Room {
 public:
  void notify() {
    {
      std::lock_guard lock(m_mutex);
      m_room = true;
    }
    m_cv.notify_one();
  }
  /// Waits for the pipeline's call back, or `deadline`.
  void wait(Steady::time_point deadline) {
    std::unique_lock lock(m_mutex);
    m_cv.wait_until(lock, deadline, [&] { return m_room; });
    m_room = false;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_room = false;
};

std::int64_t steadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch())
      .count();
}

void BM_HealthyLatencyBesideFloods(benchmark::State& state) {
  setupLogging(LogFormat::kText, spdlog::level::err);
  const int hostile = static_cast<int>(state.range(0));
  const auto runFor = std::chrono::seconds(2);
  for (auto _ : state) {
    const fs::path dir = benchDir() / "journal";
    fs::remove_all(dir);
    SystemClock clock;
    journal::Settings settings;
    settings.dir = dir.string();
    settings.sync = journal::SyncPolicy{journal::SyncMode::kNever, {}};
    settings.maxSize = 256ull << 20;
    settings.segmentSize = 16ull << 20;
    auto journal = journal::Journal::open(settings, clock);
    if (!journal) {
      state.SkipWithError(journal.error().describe().c_str());
      return;
    }
    model::ItemCatalog catalog;
    state::StateStore store(8192);
    app::Pipeline pipeline(65536, store, **journal, catalog, clock);
    const model::MachineId healthy = catalog.addMachine("healthy");
    const model::ItemId healthyItem = catalog.intern(healthy, "x").value();
    std::mutex mutex;
    std::vector<double> latencies;
    // Latency up to the moment the worker applied the batch: the subscription's callback runs
    // on the worker as the tap did; it takes what is queued there and then.
    auto applied =
        pipeline.subscribe("latency", std::size_t(1) << 20, [&](state::BatchSubscription& sub) {
          std::vector<state::AppliedBatch> taken;
          sub.take(taken);
          const TimestampNs now = steadyNs();
          std::lock_guard lock(mutex);
          for (const auto& a : taken) {
            if (a.batch->front().machine != healthy) continue;
            latencies.push_back(static_cast<double>(now - a.batch->front().timestamp) / 1e6);
          }
        });
    Room healthyRoom;
    pipeline.setRoomListener(healthy, [&] { healthyRoom.notify(); });
    pipeline.start();
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> hostileSent{0};
    std::vector<std::thread> floods;
    std::vector<std::unique_ptr<Room>> rooms;
    const auto end = Steady::now() + runFor;
    for (int h = 0; h < hostile; ++h) {
      const model::MachineId m = catalog.addMachine("hostile-" + std::to_string(h));
      std::vector<model::ItemId> items;
      for (int i = 0; i < 100; ++i)
        items.push_back(catalog.intern(m, "k" + std::to_string(i)).value());
      Room* room = rooms.emplace_back(std::make_unique<Room>()).get();
      pipeline.setRoomListener(m, [room] { room->notify(); });
      floods.emplace_back([&, m, items, room] {
        model::Batch batch;
        while (!stop) {
          if (batch.empty()) {
            for (int i = 0; i < 1000; ++i) {
              batch.push_back(model::Observation{m, items[i % items.size()], steadyNs(),
                                                 model::Kind::kEvent, 0,
                                                 std::string("flood-value-") + std::to_string(i)});
            }
          }
          const std::size_t n = batch.size();
          if (pipeline.tryPush(batch)) {
            hostileSent += n;
          } else {
            room->wait(end);  // as a collector waits for the call back
          }
        }
      });
    }
    auto next = Steady::now();
    while (Steady::now() < end) {
      model::Batch batch;
      const std::int64_t sent = steadyNs();
      for (int i = 0; i < 5; ++i) {
        batch.push_back(model::Observation{healthy, healthyItem, sent, model::Kind::kSample, 0,
                                           static_cast<double>(i)});
      }
      while (!pipeline.tryPush(batch) && Steady::now() < end) healthyRoom.wait(end);
      next += std::chrono::milliseconds(1);
      std::this_thread::sleep_until(next);
    }
    stop = true;
    for (auto& t : floods) t.join();
    pipeline.stop();
    std::sort(latencies.begin(), latencies.end());
    const auto at = [&](double q) {
      return latencies.empty() ? 0.0
                               : latencies[std::min(latencies.size() - 1,
                                                    static_cast<size_t>(q * latencies.size()))];
    };
    state.counters["healthy_p50_ms"] = at(0.50);
    state.counters["healthy_p99_ms"] = at(0.99);
    state.counters["healthy_max_ms"] = latencies.empty() ? 0.0 : latencies.back();
    state.counters["healthy_batches"] = static_cast<double>(latencies.size());
    state.counters["hostile_obs_per_s"] =
        static_cast<double>(hostileSent.load()) / std::chrono::duration<double>(runFor).count();
    fs::remove_all(dir);
  }
}
BENCHMARK(BM_HealthyLatencyBesideFloods)
    ->Arg(0)
    ->Arg(4)
    ->Arg(15)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
