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

#include <benchmark/benchmark.h>

#include "collectors/modbus_tcp/modbus_tcp_collector.hpp"
#include "poll_bench_harness.hpp"

namespace spindle {
namespace {

using namespace std::chrono_literals;
namespace mb = collectors::modbus_tcp;

void BM_ModbusHundredDevicesAt10Hz(benchmark::State& state) {
  // The default script plus twelve holding registers of several types.
  std::string text = bench::defaultScript("modbus_tcp");
  text.replace(
      text.find("\ngenerators:"), 0,
      "\nregisters:\n  hr_parts: 0\n  rpm: {address: 1, type: int16}\n"
      "  load: {address: 2, scale: 0.1}\n  exec_code: 3\n  x: {address: 10, type: float32}\n"
      "  y: {address: 12, type: float32, order: CDAB}\n"
      "  z: {address: 14, type: float32, order: BADC}\n"
      "  f: {address: 16, type: float32, order: DCBA}\n"
      "  p32: {address: 20, type: uint32}\n  n64: {address: 36, type: int64, order: BADC}\n"
      "  program: {address: 50, type: string, length: 8}\n");
  const bench::PollBenchSpec spec{.protocol = "modbus",
                                  .kind = "modbus_tcp",
                                  .prefix = "press-",
                                  .script = text,
                                  .answersCounter = "polls_per_s",
                                  .memoryCounter = "kb_per_device"};
  std::uint64_t timeouts = 0;
  const bool ran = bench::runPollBench<mb::ModbusTcpCollector>(
      state, spec,
      [](std::uint16_t port) {
        mb::ModbusTcpOptions o;
        o.host = "127.0.0.1";
        o.port.value = port;
        o.pollInterval = 100ms;
        return std::make_unique<mb::ModbusTcpCollector>(o);
      },
      [&](const mb::ModbusTcpCollector& c) { timeouts += c.stats().timeouts; });
  if (!ran) return;
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
