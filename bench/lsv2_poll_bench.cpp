// 100 Heidenhain iTNC 530 controls, each polled every 250 ms (R_RI 22, 23, 24, 25, 26 and 51:
// six telegrams, one at a time) and every 10 s (the NC error list), by 100 lsv2 collectors on
// two I/O threads (the edge's default; and on one, for comparison). The simulator (`spindle sim
// --protocol lsv2 -n 100`) runs in another process, so the figures are the collectors' own.
// Goal (issue 17): CPU <= 10% of one core.
//
// Figures: cpu_percent (user + system time of this process over wall time, while polling),
// kb_per_machine (resident memory added by starting the 100 collectors, after a warm-up),
// telegrams_per_s (answers per second: 100 machines x 4 polls x 6 telegrams = 2400 expected,
// plus the error list), overruns (polls skipped because the round before was not done).

#include <benchmark/benchmark.h>

#include "collectors/lsv2/lsv2_collector.hpp"
#include "poll_bench_harness.hpp"

namespace spindle {
namespace {

using namespace std::chrono_literals;
namespace lv = collectors::lsv2;

void BM_Lsv2HundredMachinesAt4Hz(benchmark::State& state) {
  const bench::PollBenchSpec spec{.protocol = "lsv2",
                                  .kind = "lsv2",
                                  .prefix = "heidenhain-",
                                  .script = bench::defaultScript("lsv2"),
                                  .answersCounter = "telegrams_per_s"};
  std::uint64_t overruns = 0;
  const bool ran = bench::runPollBench<lv::Lsv2Collector>(
      state, spec,
      [](std::uint16_t port) {
        lv::Lsv2Options o;
        o.host = "127.0.0.1";
        o.port.value = port;
        o.pollInterval = 250ms;
        o.slowInterval = 10s;
        return std::make_unique<lv::Lsv2Collector>(o);
      },
      [&](const lv::Lsv2Collector& c) { overruns += c.stats().overruns; });
  if (!ran) return;
  state.counters["overruns"] = static_cast<double>(overruns);
}
// Arguments: seconds measured, I/O threads (2: the edge's default, edge.threads; 1 for
// comparison).
BENCHMARK(BM_Lsv2HundredMachinesAt4Hz)
    ->Args({10, 2})
    ->Args({10, 1})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace spindle

BENCHMARK_MAIN();
