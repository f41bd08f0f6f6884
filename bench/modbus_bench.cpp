// 100 Modbus TCP devices, each polled at 10 Hz for the default stack-light map plus twelve
// holding registers (two requests per poll), by 100 modbus_tcp collectors on two I/O threads
// (the edge's default; and on one, for comparison). The simulator (`spindle sim --protocol
// modbus -n 100`) runs in another process, so the figures are the collectors' own. Goals
// (issue 14): CPU <= 5% of one core, memory <= 50 KB per device.
//
// Figures: cpu_percent (user + system time of this process over wall time, while polling),
// kb_per_device (resident memory added by starting the 100 collectors, after a warm-up; the
// second run reuses what the first freed, so only the first run's figure counts),
// polls_per_s (requests answered per second; 100 devices x 10 Hz x 2 requests = 2000: the
// discrete inputs and one coalesced read of holding registers 0-57).

#include <filesystem>
#include <fstream>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <sys/resource.h>

#include "base/log.hpp"
#include "collectors/modbus_tcp/modbus_tcp_collector.hpp"
#include "counting_context.hpp"
#include "process.hpp"
#include "transform/script_loader.hpp"

namespace spindle {
namespace {

using namespace std::chrono_literals;
namespace mb = collectors::modbus_tcp;

using bench::CountingContext;
using bench::cpuSeconds;
using bench::residentKb;

void BM_ModbusHundredDevicesAt10Hz(benchmark::State& state) {
  constexpr int kDevices = 100;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("spindle_modbus_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto base = testing::freePortRange(kDevices);
  testing::Process sim({SPINDLE_BINARY, "sim", "--protocol", "modbus", "-n",
                        std::to_string(kDevices), "-p", std::to_string(base)},
                       (dir / "sim.out").string(), (dir / "sim.err").string());
  if (!testing::eventually([&] {
        return testing::readFile((dir / "sim.err").string()).find("press-100 serving") !=
               std::string::npos;
      })) {
    state.SkipWithError("the simulator did not start");
    return;
  }
  // The default script plus twelve holding registers of several types.
  std::string text = testing::readFile(std::string(SPINDLE_SOURCE_DIR) +
                                       "/src/collectors/modbus_tcp/modbus_tcp_default_script.yaml");
  text.replace(
      text.find("\ngenerators:"), 0,
      "\nregisters:\n  hr_parts: 0\n  rpm: {address: 1, type: int16}\n"
      "  load: {address: 2, scale: 0.1}\n  exec_code: 3\n  x: {address: 10, type: float32}\n"
      "  y: {address: 12, type: float32, order: CDAB}\n"
      "  z: {address: 14, type: float32, order: BADC}\n"
      "  f: {address: 16, type: float32, order: DCBA}\n"
      "  p32: {address: 20, type: uint32}\n  n64: {address: 36, type: int64, order: BADC}\n"
      "  program: {address: 50, type: string, length: 8}\n");
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
  auto logger = makeLogger("collector.modbus_tcp.bench");
  logger->set_level(spdlog::level::warn);
  std::this_thread::sleep_for(500ms);
  const double rssBefore = residentKb();
  std::vector<std::unique_ptr<CountingContext>> contexts;
  std::vector<std::unique_ptr<mb::ModbusTcpCollector>> collectors;
  for (int i = 0; i < kDevices; ++i) {
    contexts.push_back(std::make_unique<CountingContext>(io, catalog, "press-" + std::to_string(i),
                                                         *compiled, logger));
    mb::ModbusTcpOptions o;
    o.host = "127.0.0.1";
    o.port.value = static_cast<std::uint16_t>(base + i);
    o.pollInterval = 100ms;
    collectors.push_back(std::make_unique<mb::ModbusTcpCollector>(o));
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
  std::uint64_t answers = 0, timeouts = 0;
  for (auto& c : collectors) {
    answers += c->stats().answers;
    timeouts += c->stats().timeouts;
  }
  for (auto& c : collectors) c->stop();
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();
  sim.kill(SIGTERM);
  std::filesystem::remove_all(dir);
  state.counters["cpu_percent"] = 100.0 * cpu / wall;
  state.counters["kb_per_device"] = (rssAfter - rssBefore) / kDevices;
  state.counters["polls_per_s"] = static_cast<double>(answers - answersBefore) / wall;
  state.counters["timeouts"] = static_cast<double>(timeouts);
}
// Arguments: seconds measured, I/O threads (2: the edge's default, edge.threads; 1 for
// comparison).
BENCHMARK(BM_ModbusHundredDevicesAt10Hz)
    ->Args({10, 2})
    ->Args({10, 1})
    ->Iterations(1)
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace spindle

BENCHMARK_MAIN();
