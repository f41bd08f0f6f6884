// End to end, durable and delivered: batches appended to the journal (fsync 50ms) by one
// thread, as the pipeline does, while the delivery engine reads them back and the file uplink
// writes them as JSON lines. The figure is observations per wall second from the first append
// until the file holds the last one (goal: >= 4M obs/s); the slower stage sets it. The file
// uplink alone (JSON lines from decoded batches) is measured beside it.
//
// Files go to $SPINDLE_BENCH_DIR (default /tmp/spindle-delivery-bench).

#include <filesystem>
#include <random>
#include <thread>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "base/log.hpp"
#include "fleet_workload.hpp"
#include "journal/journal.hpp"
#include "uplinks/delivery_engine.hpp"
#include "uplinks/file/file_uplink.hpp"

namespace {

using namespace spindle;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

fs::path benchDir() { return bench::benchDir("/tmp/spindle-delivery-bench"); }
using bench::cpuSeconds;

using bench::Workload;

const Workload& workload() {
  static const Workload w;
  return w;
}

std::unique_ptr<journal::Journal> openJournal(const fs::path& dir, const Clock& clock) {
  fs::remove_all(dir);
  journal::Settings s;
  s.dir = (dir / "journal").string();
  s.sync = journal::parseSyncPolicy("50ms").value();
  s.consumers = {"file"};
  s.maxSize = 8ULL << 30;
  auto j = journal::Journal::open(s, clock);
  if (!j) {
    std::fprintf(stderr, "%s\n", j.error().describe().c_str());
    std::exit(1);
  }
  return std::move(*j);
}

std::unique_ptr<uplinks::file::FileUplink> fileUplink(const fs::path& dir,
                                                      const model::ItemCatalog& catalog) {
  uplinks::file::FileOptions o;
  o.path = (dir / "observations.jsonl").string();
  o.rotateSize.bytes = 256ULL << 20;
  o.keepFiles = 1;
  return std::make_unique<uplinks::file::FileUplink>(o, catalog);
}

/// The whole path, state.range(0) observations per iteration.
void BM_DeliveredEndToEnd(benchmark::State& state) {
  const Workload& w = workload();
  const auto total = static_cast<std::size_t>(state.range(0));
  double wall = 0;
  double cpu = 0;
  std::size_t delivered = 0;
  for (auto _ : state) {
    const fs::path dir = benchDir() / "end-to-end";
    SystemClock clock;
    auto j = openJournal(dir, clock);
    model::ItemCatalog& catalog = const_cast<model::ItemCatalog&>(w.catalog);
    uplinks::DeliveryEngine engine(*j, fileUplink(dir, catalog), catalog);
    if (auto s = engine.start(); !s) {
      state.SkipWithError(s.error().describe().c_str());
      break;
    }
    const double cpu0 = cpuSeconds();
    const auto started = std::chrono::steady_clock::now();
    std::size_t appended = 0;
    std::uint64_t last = 0;
    for (std::size_t i = 0; appended < total; ++i) {
      const auto& batch = w.batches[i % w.batches.size()];
      auto r = j->append(batch, w.catalog);
      if (!r) {
        state.SkipWithError(r.error().describe().c_str());
        return;
      }
      last = r->firstSequence + batch.size();
      appended += batch.size();
      j->poll();
    }
    (void)j->commit();
    while (engine.stats().position < last) {
      j->poll();
      std::this_thread::sleep_for(200us);
    }
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    cpu = cpuSeconds() - cpu0;
    delivered = appended;
    state.SetIterationTime(wall);
    engine.stop();
    j.reset();
    fs::remove_all(dir);
  }
  state.counters["obs/s_wall"] = static_cast<double>(delivered) / wall;
  state.counters["cpu_us/obs"] = cpu * 1e6 / static_cast<double>(delivered);
}
BENCHMARK(BM_DeliveredEndToEnd)->Arg(8'000'000)->Iterations(3)->UseManualTime();

/// The file uplink's share alone: JSON lines from decoded batches into the file.
void BM_FileUplinkJsonLines(benchmark::State& state) {
  const Workload& w = workload();
  const fs::path dir = benchDir() / "file-only";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto uplink = fileUplink(dir, w.catalog);
  if (auto s = uplink->start(); !s) {
    state.SkipWithError(s.error().describe().c_str());
    return;
  }
  std::uint64_t sequence = 1;
  std::size_t i = 0;
  std::uint64_t observations = 0;
  for (auto _ : state) {
    const auto& batch = w.batches[i++ % w.batches.size()];
    uplinks::Completion done;
    uplink->submit(uplinks::Record{sequence, batch}, [&](uplinks::Completion c) { done = c; });
    if (done.outcome != uplinks::Outcome::kOk) {
      state.SkipWithError(done.reason.c_str());
      break;
    }
    sequence += batch.size();
    observations += batch.size();
  }
  state.counters["obs/s"] =
      benchmark::Counter(static_cast<double>(observations), benchmark::Counter::kIsRate);
  uplink.reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_FileUplinkJsonLines)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  spindle::setupLogging(spindle::LogFormat::kText, spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
