// Adapter script speed. Goals: a typical 20-variable script evaluates >= 10 million
// operations/s on one core; a 200-line script compiles in <= 5 ms.

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "transform/script_loader.hpp"
#include "transform/script_runner.hpp"

namespace {

using namespace spindle;

// A machine-monitoring script of the usual shape: 10 keys, 20 variables, 43 operations.
constexpr const char* kTypicalScript = R"(version: 2
keys: [avail, mode, execution, program, partcount, Sspeed, Sload, Fact, Fovr, estop]
passthrough: false
variables:
  running:
    - source: execution == 'ACTIVE'
  spindle_on:
    - source: Sspeed
    - threshold: 100
  spindle_rps:
    - source: Sspeed
    - expression: this / 60
    - expression: round(this, 2)
  cutting:
    - source: Sload
    - threshold: 20
    - on-delay: 1
  load_avg:
    - source: Sload
    - average: {samples: 10}
    - expression: round(this, 1)
  feed_mms:
    - source: Fact / 60
  feed_actual:
    - source: Fact * Fovr / 100
    - expression: clamp(this, 0, 20000)
  cycle_start:
    - source: running
    - rising-edge
  cycles:
    - source: cycle_start
    - count
  cycle_end:
    - source: running
    - falling-edge: {min-dwell: 0.5}
  parts:
    - source: partcount
    - changed
    - count
  execution_state:
    - state:
      - ACTIVE: running and spindle_on
      - FEED_HOLD: execution == 'FEED_HOLD'
      - READY: avail == 'AVAILABLE'
      - STOPPED: true
  overload:
    - source: Sload > 120
    - debounce: 2
  load_band:
    - source: Sload
    - state:
      - HIGH: this > 80
      - LOW: this < 20
      - MID: true
  in_auto:
    - source: mode
    - expression: upper(this) == 'AUTOMATIC'
  program_changed:
    - source: program
    - changed
  program_name:
    - source: program
    - max-length: 16
  stopped:
    - source: estop == 'TRIGGERED'
    - invert
  utilization:
    - source: running and in_auto
    - off-delay: 5
  speed_ok:
    - source: Sspeed * 1.0
    - threshold: {value: 12000, direction: below}
    - invert
    - invert
data-items: [execution_state, cycles, parts, load_avg, feed_mms, spindle_rps]
)";

// Observation batches as a running machine sends them: a few keys change each time.
struct Feed {
  model::ItemCatalog catalog;
  model::MachineId machine = catalog.addMachine("mill");
  std::vector<model::Batch> batches;

  Feed() {
    auto item = [&](const char* key) { return catalog.intern(machine, key).value(); };
    const model::ItemId speed = item("Sspeed"), load = item("Sload"), feed = item("Fact"),
                        fovr = item("Fovr"), exec = item("execution"), parts = item("partcount"),
                        prog = item("program"), mode = item("mode"), avail = item("avail"),
                        estop = item("estop");
    TimestampNs t = 1704067200LL * 1'000'000'000;
    auto obs = [&](model::ItemId id, model::Value v) {
      return model::Observation{machine,          id,          t, model::Kind::kSample,
                                model::kFlagNone, std::move(v)};
    };
    batches.push_back({obs(avail, std::string("AVAILABLE")), obs(mode, std::string("AUTOMATIC")),
                       obs(estop, std::string("ARMED")), obs(prog, std::string("O1001.NC")),
                       obs(fovr, std::int64_t{100}), obs(exec, std::string("READY")),
                       obs(parts, std::int64_t{0}), obs(speed, 0.0), obs(load, 0.0),
                       obs(feed, 0.0)});
    for (int i = 0; i < 4096; ++i) {
      t += 50'000'000;
      model::Batch b;
      b.push_back(obs(speed, 1000.0 + (i * 37) % 9000));
      b.push_back(obs(load, 5.0 + (i * 13) % 130));
      b.push_back(obs(feed, 300.0 + (i * 71) % 8000));
      if (i % 16 == 0) b.push_back(obs(exec, std::string(i % 32 ? "ACTIVE" : "READY")));
      if (i % 64 == 0) b.push_back(obs(parts, std::int64_t{i / 64}));
      if (i % 128 == 0) b.push_back(obs(fovr, std::int64_t{80 + (i / 128) % 5 * 10}));
      batches.push_back(std::move(b));
    }
  }
};

class BenchClock final : public Clock {
 public:
  TimestampNs now() const override { return m_now; }
  TimestampNs m_now = 1704067200LL * 1'000'000'000;
};

void BM_TransformEvaluate(benchmark::State& state) {
  auto script = transform::compileScript(kTypicalScript, "typical.yaml");
  if (!script) {
    state.SkipWithError(script.error().message().c_str());
    return;
  }
  Feed feed;
  BenchClock clock;
  transform::ScriptRunner runner(*script, feed.catalog, feed.machine, clock);
  model::Batch out;
  out.reserve(1024);
  std::uint64_t observations = 0;
  const std::uint64_t operationsBefore = runner.stats().operations;
  const std::uint64_t evaluationsBefore = runner.stats().evaluations;
  std::size_t next = 0;
  for (auto _ : state) {
    const model::Batch& batch = feed.batches[next];
    next = next + 1 == feed.batches.size() ? 1 : next + 1;
    clock.m_now += 50'000'000;
    out.clear();
    runner.process(batch, out);
    if (runner.nextDeadline() <= clock.m_now) runner.tick(out);
    benchmark::DoNotOptimize(out.data());
    observations += batch.size();
  }
  const auto& stats = runner.stats();
  state.counters["ops/s"] = benchmark::Counter(
      static_cast<double>(stats.operations - operationsBefore), benchmark::Counter::kIsRate);
  state.counters["chains/s"] = benchmark::Counter(
      static_cast<double>(stats.evaluations - evaluationsBefore), benchmark::Counter::kIsRate);
  state.counters["obs/s"] =
      benchmark::Counter(static_cast<double>(observations), benchmark::Counter::kIsRate);
  state.counters["errors"] = static_cast<double>(stats.errors);
}
BENCHMARK(BM_TransformEvaluate)->MinTime(2.0);

// 40 variables of 4 operations and 40 data items: 200 lines.
std::string script200Lines() {
  std::string s = "version: 2\nkeys: [a, b, c, d, e, f, g, h]\nvariables:\n";
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(i);
    s += "  v" + n + ":\n";
    s += "    - source: (a + b * " + n + ") / (c + 1) + max(d, e)\n";
    s += "    - expression: \"this > f ? this - f : round(this * 1.5, 2)\"\n";
    s += "    - threshold: {value: " + n + ", direction: above}\n";
  }
  s += "data-items:\n";
  for (int i = 0; i < 36; ++i) s += "  - v" + std::to_string(i) + "\n";
  return s;
}

void BM_TransformCompile200Lines(benchmark::State& state) {
  const std::string text = script200Lines();
  const auto lines = std::count(text.begin(), text.end(), '\n');
  for (auto _ : state) {
    auto script = transform::compileScript(text, "200.yaml");
    if (!script) {
      state.SkipWithError(script.error().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(script->get());
  }
  state.counters["lines"] = static_cast<double>(lines);
}
BENCHMARK(BM_TransformCompile200Lines)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
