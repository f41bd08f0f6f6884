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

#include <filesystem>
#include <fstream>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <sys/resource.h>

#include "base/log.hpp"
#include "collectors/focas/focas_collector.hpp"
#include "counting_context.hpp"
#include "process.hpp"
#include "transform/script_loader.hpp"

namespace spindle {
namespace {

using namespace std::chrono_literals;
namespace fc = collectors::focas;

using bench::CountingContext;
using bench::cpuSeconds;
using bench::residentKb;

void BM_FocasHundredMachinesAt10Hz(benchmark::State& state) {
  constexpr int kMachines = 100;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("spindle_focas_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto base = testing::freePortRange(kMachines);
  testing::Process sim({SPINDLE_BINARY, "sim", "--protocol", "focas", "-n",
                        std::to_string(kMachines), "-p", std::to_string(base)},
                       (dir / "sim.out").string(), (dir / "sim.err").string());
  if (!testing::eventually([&] {
        return testing::readFile((dir / "sim.err").string()).find("fanuc-100 serving") !=
               std::string::npos;
      })) {
    state.SkipWithError("the simulator did not start");
    return;
  }
  const std::string text = testing::readFile(std::string(SPINDLE_SOURCE_DIR) +
                                             "/src/collectors/focas/focas_default_script.yaml");
  auto compiled = transform::compileScript(text, "bench");
  if (!compiled) {
    state.SkipWithError(compiled.error().describe().c_str());
    return;
  }
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (std::int64_t i = 0; i < state.range(1); ++i) threads.emplace_back([&] { io.run(); });
  model::ItemCatalog catalog;
  auto logger = makeLogger("collector.focas.bench");
  logger->set_level(spdlog::level::warn);
  std::this_thread::sleep_for(500ms);
  const double rssBefore = residentKb();
  std::vector<std::unique_ptr<CountingContext>> contexts;
  std::vector<std::unique_ptr<fc::FocasCollector>> collectors;
  for (int i = 0; i < kMachines; ++i) {
    contexts.push_back(std::make_unique<CountingContext>(io, catalog, "fanuc-" + std::to_string(i),
                                                         *compiled, logger));
    fc::FocasOptions o;
    o.host = "127.0.0.1";
    o.port.value = static_cast<std::uint16_t>(base + i);
    o.pollInterval = 100ms;
    o.slowInterval = 1s;
    o.pathNumbers = {1};
    collectors.push_back(std::make_unique<fc::FocasCollector>(o));
    if (!collectors.back()->start(*contexts.back())) {
      state.SkipWithError("a collector did not start");
      return;
    }
  }
  std::this_thread::sleep_for(3s);  // connected, first values reported, allocations settled
  const double rssAfter = residentKb();
  std::uint64_t answersBefore = 0;
  for (auto& c : collectors) answersBefore += c->stats().answers;
  double cpu = 0, wall = 0;
  for (auto _ : state) {
    const double cpu0 = cpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(state.range(0)));
    cpu = cpuSeconds() - cpu0;
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  std::uint64_t answers = 0, overruns = 0;
  for (auto& c : collectors) {
    answers += c->stats().answers;
    overruns += c->stats().overruns;
  }
  for (auto& c : collectors) c->stop();
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  sim.kill(SIGTERM);
  std::filesystem::remove_all(dir);
  state.counters["cpu_percent"] = 100.0 * cpu / wall;
  state.counters["kb_per_machine"] = (rssAfter - rssBefore) / kMachines;
  state.counters["frames_per_s"] = static_cast<double>(answers - answersBefore) / wall;
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
