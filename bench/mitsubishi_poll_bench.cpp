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

#include <filesystem>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>

#include "base/log.hpp"
#include "collectors/mitsubishi/mitsubishi_collector.hpp"
#include "counting_context.hpp"
#include "process.hpp"
#include "transform/script_loader.hpp"

namespace spindle {
namespace {

using namespace std::chrono_literals;
namespace mc = collectors::mitsubishi;

using bench::CountingContext;
using bench::cpuSeconds;
using bench::residentKb;

void BM_MitsubishiHundredMachinesAt4Hz(benchmark::State& state) {
  constexpr int kMachines = 100;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("spindle_mitsubishi_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto base = testing::freePortRange(kMachines);
  testing::Process sim({SPINDLE_BINARY, "sim", "--protocol", "mitsubishi", "-n",
                        std::to_string(kMachines), "-p", std::to_string(base)},
                       (dir / "sim.out").string(), (dir / "sim.err").string());
  if (!testing::eventually([&] {
        return testing::readFile((dir / "sim.err").string()).find("mitsubishi-100 serving") !=
               std::string::npos;
      })) {
    state.SkipWithError("the simulator did not start");
    return;
  }
  const std::string text =
      testing::readFile(std::string(SPINDLE_SOURCE_DIR) +
                        "/src/collectors/mitsubishi/mitsubishi_default_script.yaml");
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
  auto logger = makeLogger("collector.mitsubishi.bench");
  logger->set_level(spdlog::level::warn);
  std::this_thread::sleep_for(500ms);
  const double rssBefore = residentKb();
  std::vector<std::unique_ptr<CountingContext>> contexts;
  std::vector<std::unique_ptr<mc::MitsubishiCollector>> collectors;
  for (int i = 0; i < kMachines; ++i) {
    contexts.push_back(std::make_unique<CountingContext>(
        io, catalog, "mitsubishi-" + std::to_string(i), *compiled, logger));
    mc::MitsubishiOptions o;
    o.host = "127.0.0.1";
    o.port.value = static_cast<std::uint16_t>(base + i);
    o.pollInterval = 250ms;
    o.slowInterval = 2500ms;
    o.partSystemNumbers = {1};
    collectors.push_back(std::make_unique<mc::MitsubishiCollector>(o));
    if (!collectors.back()->start(*contexts.back())) {
      state.SkipWithError("a collector did not start");
      return;
    }
  }
  std::this_thread::sleep_for(3s);  // connected, first values reported, allocations settled
  const double rssAfter = residentKb();
  auto answered = [&] {
    std::uint64_t n = 0;
    for (auto& c : collectors) n += c->stats().answers;
    return n;
  };
  const std::uint64_t answersBefore = answered();
  double cpu = 0, wall = 0;
  for (auto _ : state) {
    const double cpu0 = cpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::seconds(state.range(0)));
    cpu = cpuSeconds() - cpu0;
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const std::uint64_t answers = answered();
  std::uint64_t overruns = 0, undecoded = 0;
  for (auto& c : collectors) {
    overruns += c->stats().overruns;
    undecoded += c->stats().undecoded;
  }
  for (auto& c : collectors) c->stop();
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  sim.kill(SIGTERM);
  std::filesystem::remove_all(dir);
  state.counters["cpu_percent"] = 100.0 * cpu / wall;
  state.counters["kb_per_machine"] = (rssAfter - rssBefore) / kMachines;
  state.counters["batches_per_s"] = static_cast<double>(answers - answersBefore) / wall;
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
