#pragma once
/// What the poll benchmarks (bench/*_poll_bench.cpp, bench/modbus_bench.cpp) share: the
/// simulator (`spindle sim --protocol <p> -n <machines>`) in another process, so the figures are
/// the collectors' own; one collector per simulated machine on `state.range(1)` I/O threads,
/// each with a CountingContext; a warm-up; then `state.range(0)` seconds measured.

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "base/log.hpp"
#include "counting_context.hpp"
#include "process.hpp"
#include "transform/script_loader.hpp"

namespace spindle::bench {

/// What differs between the poll benchmarks, apart from the collector and its options.
struct PollBenchSpec {
  std::string protocol;  ///< `spindle sim --protocol`: focas, modbus, ...
  std::string kind;      ///< the collector's type (focas, modbus_tcp, ...); names the logger
  std::string prefix;    ///< the simulator's machine names without the number: "fanuc-"
  std::string script;    ///< the text of the script every machine runs
  /// The counter of the answers per second (stats().answers): "frames_per_s", ...
  std::string answersCounter;
  /// The counter of the resident memory added per machine, after the warm-up.
  std::string memoryCounter = "kb_per_machine";
  int machines = 100;
};

/// The text of src/collectors/<kind>/<kind>_default_script.yaml.
inline std::string defaultScript(const std::string& kind) {
  return testing::readFile(std::string(SPINDLE_SOURCE_DIR) + "/src/collectors/" + kind + "/" +
                           kind + "_default_script.yaml");
}

/// Runs one poll benchmark: `make(port)` builds the collector of the machine on `port`;
/// `tally(collector)` is called for each after the measurement, before they stop, to sum their
/// other stats. Sets the counters cpu_percent (user + system time of this process over wall
/// time, while polling), spec.memoryCounter and spec.answersCounter. False (and the state
/// skipped with the reason) when the simulator, the script or a collector did not start.
template <typename Collector, typename Make, typename Tally>
bool runPollBench(benchmark::State& state, const PollBenchSpec& spec, Make make, Tally tally) {
  using namespace std::chrono_literals;
  const auto dir = std::filesystem::temp_directory_path() /
                   ("spindle_" + spec.protocol + "_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto base = testing::freePortRange(spec.machines);
  testing::Process sim({SPINDLE_BINARY, "sim", "--protocol", spec.protocol, "-n",
                        std::to_string(spec.machines), "-p", std::to_string(base)},
                       (dir / "sim.out").string(), (dir / "sim.err").string());
  const std::string ready = spec.prefix + std::to_string(spec.machines) + " serving";
  if (!testing::eventually([&] {
        return testing::readFile((dir / "sim.err").string()).find(ready) != std::string::npos;
      })) {
    state.SkipWithError("the simulator did not start");
    return false;
  }
  auto compiled = transform::compileScript(spec.script, "bench");
  if (!compiled) {
    state.SkipWithError(compiled.error().describe().c_str());
    return false;
  }
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (std::int64_t i = 0; i < state.range(1); ++i) threads.emplace_back([&] { io.run(); });
  // Stops the collectors and the I/O threads on every way out.
  std::vector<std::unique_ptr<Collector>> collectors;
  auto stopAll = [&] {
    for (auto& c : collectors) c->stop();
    work.reset();
    io.stop();
    for (auto& t : threads) t.join();
    threads.clear();
  };
  model::ItemCatalog catalog;
  auto logger = makeLogger("collector." + spec.kind + ".bench");
  logger->set_level(spdlog::level::warn);
  std::this_thread::sleep_for(500ms);
  const double rssBefore = residentKb();
  std::vector<std::unique_ptr<CountingContext>> contexts;
  for (int i = 0; i < spec.machines; ++i) {
    contexts.push_back(std::make_unique<CountingContext>(
        io, catalog, spec.prefix + std::to_string(i), *compiled, logger));
    collectors.push_back(make(static_cast<std::uint16_t>(base + i)));
    if (!collectors.back()->start(*contexts.back())) {
      state.SkipWithError("a collector did not start");
      stopAll();
      return false;
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
  for (auto& c : collectors) tally(static_cast<const Collector&>(*c));
  stopAll();
  sim.kill(SIGTERM);
  std::filesystem::remove_all(dir);
  state.counters["cpu_percent"] = 100.0 * cpu / wall;
  state.counters[spec.memoryCounter] = (rssAfter - rssBefore) / spec.machines;
  state.counters[spec.answersCounter] = static_cast<double>(answers - answersBefore) / wall;
  return true;
}

}  // namespace spindle::bench
