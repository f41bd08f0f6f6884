// 50 Haas controls polled every second (the defaults: Q100-Q102 once, 10 commands a round, plus
// the 5 variables of the default script), each simulated control on loopback TCP. The
// simulators run on their own thread; the collectors on one io thread, whose CPU time is what
// is reported, as a percentage of one core. Goal (issue 14): <= 2 %.
//
//   build/bench/haas_poll_bench --benchmark_counters_tabular=true
// SPINDLE_HAAS_BENCH_SECONDS sets the measured time (default 10 s), SPINDLE_HAAS_BENCH_PACING_MS
// the pacing (default 20 ms, as the collector's).

#include <atomic>
#include <ctime>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <pthread.h>

#include "base/log.hpp"
#include "collectors/haas/haas_collector.hpp"
#include "counting_context.hpp"
#include "sim/haas_sim.hpp"
#include "transform/script_loader.hpp"

namespace {

using namespace spindle;
using namespace std::chrono_literals;

constexpr int kControls = 50;

using bench::CountingContext;

double threadCpuSeconds(pthread_t thread) {
  clockid_t id;
  pthread_getcpuclockid(thread, &id);
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void BM_Haas50ControlsEverySecond(benchmark::State& state) {
  const char* env = std::getenv("SPINDLE_HAAS_BENCH_SECONDS");
  const auto seconds = std::chrono::seconds(env != nullptr ? std::atoi(env) : 10);
  auto script = transform::loadDefaultScript("haas");
  if (!script) {
    state.SkipWithError(script.error().describe().c_str());
    return;
  }
  boost::asio::io_context simIo;
  auto simWork = boost::asio::make_work_guard(simIo);
  std::vector<std::unique_ptr<sim::HaasSim>> sims;
  for (int i = 0; i < kControls; ++i) {
    sim::HaasSimOptions o;
    o.port = 0;
    o.seed = static_cast<std::uint64_t>(i + 1);
    sims.push_back(std::make_unique<sim::HaasSim>(simIo, o));
    if (auto s = sims.back()->start(); !s) {
      state.SkipWithError(s.error().describe().c_str());
      return;
    }
  }
  std::thread simThread([&] { simIo.run(); });

  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  model::ItemCatalog catalog;
  std::vector<std::unique_ptr<CountingContext>> contexts;
  std::vector<std::unique_ptr<collectors::haas::HaasCollector>> collectors;
  for (int i = 0; i < kControls; ++i) {
    const std::string name = "haas-" + std::to_string(i);
    contexts.push_back(std::make_unique<CountingContext>(io, catalog, name, *script,
                                                         makeLogger("collector.haas." + name)));
    collectors::haas::HaasOptions o;
    o.host = "127.0.0.1";
    o.port.value = sims[static_cast<std::size_t>(i)]->port();
    o.pollCodes = {104, 200, 201, 300, 301, 303, 304, 402, 403, 500};
    if (const char* p = std::getenv("SPINDLE_HAAS_BENCH_PACING_MS")) {
      o.pacing = std::chrono::milliseconds(std::atoi(p));
    }
    collectors.push_back(std::make_unique<collectors::haas::HaasCollector>(o));
  }
  std::thread ioThread([&] { io.run(); });
  for (int i = 0; i < kControls; ++i)
    (void)collectors[static_cast<std::size_t>(i)]->start(*contexts[static_cast<std::size_t>(i)]);
  std::this_thread::sleep_for(2s);  // connected, identity asked: measure the steady rounds

  std::uint64_t answeredBefore = 0;
  for (auto& s : sims) answeredBefore += s->answered();
  std::uint64_t observationsBefore = 0;
  for (auto& c : contexts) observationsBefore += c->m_observations;
  const double cpuBefore = threadCpuSeconds(ioThread.native_handle());
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) std::this_thread::sleep_for(seconds);
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = threadCpuSeconds(ioThread.native_handle()) - cpuBefore;
  std::uint64_t answered = 0;
  for (auto& s : sims) answered += s->answered();
  std::uint64_t observations = 0;
  for (auto& c : contexts) observations += c->m_observations;

  for (auto& c : collectors) c->stop();
  for (auto& s : sims) s->stop();
  work.reset();
  simWork.reset();
  io.stop();
  simIo.stop();
  ioThread.join();
  simThread.join();

  const double percent = 100.0 * cpu / wall;
  state.counters["controls"] = kControls;
  state.counters["commands_per_s"] = static_cast<double>(answered - answeredBefore) / wall;
  state.counters["observations_per_s"] =
      static_cast<double>(observations - observationsBefore) / wall;
  state.counters["cpu_pct_of_core"] = percent;
  std::printf(
      "haas: %d controls polled every second: %.0f commands/s, collectors %.2f%% of one "
      "core (goal <= 2%%)\n",
      kControls, static_cast<double>(answered - answeredBefore) / wall, percent);
}

BENCHMARK(BM_Haas50ControlsEverySecond)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
