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

#include <filesystem>
#include <fstream>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <sys/resource.h>

#include "base/log.hpp"
#include "collectors/lsv2/lsv2_collector.hpp"
#include "counting_context.hpp"
#include "process.hpp"
#include "transform/script_loader.hpp"

namespace spindle {
namespace {

using namespace std::chrono_literals;
namespace lv = collectors::lsv2;

using bench::CountingContext;
using bench::cpuSeconds;
using bench::residentKb;

void BM_Lsv2HundredMachinesAt4Hz(benchmark::State& state) {
  constexpr int kMachines = 100;
  const auto dir =
      std::filesystem::temp_directory_path() / ("spindle_lsv2_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto base = testing::freePortRange(kMachines);
  testing::Process sim({SPINDLE_BINARY, "sim", "--protocol", "lsv2", "-n",
                        std::to_string(kMachines), "-p", std::to_string(base)},
                       (dir / "sim.out").string(), (dir / "sim.err").string());
  if (!testing::eventually([&] {
        return testing::readFile((dir / "sim.err").string()).find("heidenhain-100 serving") !=
               std::string::npos;
      })) {
    state.SkipWithError("the simulator did not start");
    return;
  }
  const std::string text = testing::readFile(std::string(SPINDLE_SOURCE_DIR) +
                                             "/src/collectors/lsv2/lsv2_default_script.yaml");
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
  auto logger = makeLogger("collector.lsv2.bench");
  logger->set_level(spdlog::level::warn);
  std::this_thread::sleep_for(500ms);
  const double rssBefore = residentKb();
  std::vector<std::unique_ptr<CountingContext>> contexts;
  std::vector<std::unique_ptr<lv::Lsv2Collector>> collectors;
  for (int i = 0; i < kMachines; ++i) {
    contexts.push_back(std::make_unique<CountingContext>(
        io, catalog, "heidenhain-" + std::to_string(i), *compiled, logger));
    lv::Lsv2Options o;
    o.host = "127.0.0.1";
    o.port.value = static_cast<std::uint16_t>(base + i);
    o.pollInterval = 250ms;
    o.slowInterval = 10s;
    collectors.push_back(std::make_unique<lv::Lsv2Collector>(o));
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
  state.counters["telegrams_per_s"] = static_cast<double>(answers - answersBefore) / wall;
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
