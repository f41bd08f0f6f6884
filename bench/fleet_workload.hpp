#pragma once
// The workload the delivery benchmarks share: pipeline batches of 64 observations from 50
// machines of 20 items, as a fleet of CNCs reports them (delivery_bench, https_bench), and
// their measuring helpers.

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "model/item_catalog.hpp"
#include "model/observation.hpp"

namespace spindle::bench {

/// Where a benchmark writes: $SPINDLE_BENCH_DIR (the disk measured), else `fallback`.
inline std::filesystem::path benchDir(const char* fallback) {
  const char* env = std::getenv("SPINDLE_BENCH_DIR");
  return std::filesystem::path(env != nullptr && *env != '\0' ? env : fallback);
}

/// CPU seconds of the whole process so far (user + system).
inline double cpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/// Pipeline batches of 64 observations from 50 machines of 20 items: half numbers (samples),
/// a quarter counters, a quarter short state strings, as a fleet of CNCs reports them.
struct Workload {
  model::ItemCatalog catalog;
  std::vector<model::Batch> batches;

  Workload() {
    std::mt19937 rng(7);
    const char* states[] = {"ACTIVE", "READY", "STOPPED", "INTERRUPTED", "FEED_HOLD"};
    std::vector<model::MachineId> machines;
    for (int m = 0; m < 50; ++m) machines.push_back(catalog.addMachine("m" + std::to_string(m)));
    TimestampNs ts = 1'700'000'000'000'000'000;
    for (int b = 0; b < 1000; ++b) {
      const auto machine = machines[static_cast<std::size_t>(b) % machines.size()];
      model::Batch batch;
      for (int i = 0; i < 64; ++i) {
        const int item = i % 20;
        model::Observation obs;
        obs.machine = machine;
        obs.item = catalog.intern(machine, "item_" + std::to_string(item)).value();
        ts += 20'000 + rng() % 1000;
        obs.timestamp = ts;
        if (item < 10) {
          obs.kind = model::Kind::kSample;
          obs.value = 100.0 + static_cast<double>(rng() % 100000) / 1000.0;
        } else if (item < 15) {
          obs.kind = model::Kind::kEvent;
          obs.value = static_cast<std::int64_t>(rng() % 100000);
        } else {
          obs.kind = model::Kind::kEvent;
          obs.value = std::string(states[rng() % 5]);
        }
        batch.push_back(std::move(obs));
      }
      batches.push_back(std::move(batch));
    }
  }
};

}  // namespace spindle::bench
