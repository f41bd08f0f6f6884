// 100 Mitsubishi NCs (M700M), each polled every 250 ms (the fast group of one part system:
// status, mode, program, sequence, block, feeds, spindle, tool, part count, workpiece positions
// and servo loads of three axes, the alarms: 19 requests in one pipelined batch) and every
// 2.5 s (the slow group: machine positions, distances to go, program path, block text, time
// counters and the default script's PLC registers), by 100 mitsubishi collectors on two I/O
// threads (the edge's default; and on one, for comparison). The simulator (`spindle sim
// --protocol mitsubishi -n 100`) runs in another process, so the figures are the collectors'
// own. Goal (issue 17): CPU <= 10% of one core.
//
// Figures: cpu_percent (user + system time of this process over wall time, while polling),
// kb_per_machine (resident memory added by starting the 100 collectors, after a warm-up; only
// the first run's figure counts), batches_per_s (batches answered per second: 100 machines x
// (4 fast + 0.4 slow) = 440 expected), requests_per_s (GIOP requests answered per second).

#include <benchmark/benchmark.h>

#include "collectors/mitsubishi/mitsubishi_collector.hpp"
#include "poll_bench_harness.hpp"

namespace spindle {
namespace {

using namespace std::chrono_literals;
namespace mc = collectors::mitsubishi;

void BM_MitsubishiHundredMachinesAt4Hz(benchmark::State& state) {
  const bench::PollBenchSpec spec{.protocol = "mitsubishi",
                                  .kind = "mitsubishi",
                                  .prefix = "mitsubishi-",
                                  .script = bench::defaultScript("mitsubishi"),
                                  .answersCounter = "batches_per_s"};
  std::uint64_t overruns = 0, undecoded = 0;
  const bool ran = bench::runPollBench<mc::MitsubishiCollector>(
      state, spec,
      [](std::uint16_t port) {
        mc::MitsubishiOptions o;
        o.host = "127.0.0.1";
        o.port.value = port;
        o.pollInterval = 250ms;
        o.slowInterval = 2500ms;
        o.partSystemNumbers = {1};
        return std::make_unique<mc::MitsubishiCollector>(o);
      },
      [&](const mc::MitsubishiCollector& c) {
        overruns += c.stats().overruns;
        undecoded += c.stats().undecoded;
      });
  if (!ran) return;
  state.counters["overruns"] = static_cast<double>(overruns);
  state.counters["undecoded"] = static_cast<double>(undecoded);
}
// Arguments: seconds measured, I/O threads (2: the edge's default, edge.threads; 1 for
// comparison).
BENCHMARK(BM_MitsubishiHundredMachinesAt4Hz)
    ->Args({10, 2})
    ->Args({10, 1})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace spindle

BENCHMARK_MAIN();
