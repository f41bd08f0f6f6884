// 100 FANUC controls, each polled every 100 ms (the fast group: statinfo, program, sequence,
// feed, spindle speed, positions, servo loads and alarm bits of one path in ONE request frame)
// and every 1 s (the slow group: alarm texts, machine positions, distance to go, block, program
// name and path, four timers, and the default script's parameter, diagnosis and PMC reads), by
// 100 focas collectors on two I/O threads (the edge's default; and on one, for comparison). The
// simulator (`spindle sim --protocol focas -n 100`, 30i series) runs in another process, so the
// figures are the collectors' own. Goals (issue 16): CPU <= 10% of one core, memory <= 60 KB per
// machine.
//
// Figures: cpu_percent (user + system time of this process over wall time, while polling),
// kb_per_machine (resident memory added by starting the 100 collectors, after a warm-up; only
// the first run's figure counts, the second reuses what the first freed), frames_per_s (request
// frames answered per second: 100 machines x (10 fast + 1 slow) = 1100 expected).

#include <benchmark/benchmark.h>

#include "collectors/focas/focas_collector.hpp"
#include "poll_bench_harness.hpp"

namespace spindle {
namespace {

using namespace std::chrono_literals;
namespace fc = collectors::focas;

void BM_FocasHundredMachinesAt10Hz(benchmark::State& state) {
  const bench::PollBenchSpec spec{.protocol = "focas",
                                  .kind = "focas",
                                  .prefix = "fanuc-",
                                  .script = bench::defaultScript("focas"),
                                  .answersCounter = "frames_per_s"};
  std::uint64_t overruns = 0;
  const bool ran = bench::runPollBench<fc::FocasCollector>(
      state, spec,
      [](std::uint16_t port) {
        fc::FocasOptions o;
        o.host = "127.0.0.1";
        o.port.value = port;
        o.pollInterval = 100ms;
        o.slowInterval = 1s;
        o.pathNumbers = {1};
        return std::make_unique<fc::FocasCollector>(o);
      },
      [&](const fc::FocasCollector& c) { overruns += c.stats().overruns; });
  if (!ran) return;
  state.counters["overruns"] = static_cast<double>(overruns);
}
// Arguments: seconds measured, I/O threads (2: the edge's default, edge.threads; 1 for
// comparison).
BENCHMARK(BM_FocasHundredMachinesAt10Hz)
    ->Args({10, 2})
    ->Args({10, 1})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace spindle

BENCHMARK_MAIN();
