// Journal benchmarks: append with group commit (the goal: >= 2M observations/s with
// fsync 50ms and 64-observation batches), append of large records (bytes/s, compared with the
// disk's own direct-I/O bandwidth by scripts/bench-journal), recovery of a 1 GiB journal
// (goal <= 1 s), and replay (goal >= 5M observations/s).
//
// Files go to $SPINDLE_BENCH_DIR (default /tmp/spindle-journal-bench); the 1 GiB journal is
// built once and reused by later runs.

#include <filesystem>
#include <fstream>
#include <random>

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include "base/log.hpp"
#include "journal/inspect.hpp"
#include "journal/journal.hpp"
#include "journal/journal_reader.hpp"

namespace {

using namespace spindle;
namespace fs = std::filesystem;

fs::path benchDir() {
  const char* env = std::getenv("SPINDLE_BENCH_DIR");
  return fs::path(env != nullptr && *env != '\0' ? env : "/tmp/spindle-journal-bench");
}

/// Batches as a CNC line produces them: 3 machines, 40 items each, mostly samples (doubles),
/// some counters and short state strings, now and then a condition.
struct Workload {
  model::ItemCatalog catalog;
  std::vector<model::Batch> batches;

  explicit Workload(std::size_t perBatch, std::size_t seriesSamples = 0) {
    std::mt19937 rng(42);
    const char* states[] = {"ACTIVE", "READY", "STOPPED", "INTERRUPTED", "FEED_HOLD"};
    TimestampNs ts = 1'700'000'000'000'000'000;
    const int count = seriesSamples > 0 ? 16 : 256;
    for (int b = 0; b < count; ++b) {
      const auto m = catalog.addMachine("mill-" + std::to_string(b % 3 + 1));
      model::Batch batch;
      for (std::size_t i = 0; i < perBatch; ++i) {
        model::Observation obs;
        obs.machine = m;
        const std::size_t item = rng() % 40;
        obs.item = catalog.intern(m, "item_" + std::to_string(item)).value();
        ts += 50'000 + rng() % 1000;
        obs.timestamp = ts;
        if (seriesSamples > 0) {
          model::TimeSeries series;
          series.sampleRate = 10000;
          for (std::size_t k = 0; k < seriesSamples; ++k) series.samples.push_back(rng() * 1e-6);
          obs.kind = model::Kind::kTimeSeries;
          obs.value = std::make_shared<const model::TimeSeries>(std::move(series));
        } else if (item < 28) {
          obs.kind = model::Kind::kSample;
          obs.value = 1000.0 + static_cast<double>(rng() % 100000) / 100.0;
        } else if (item < 34) {
          obs.kind = model::Kind::kEvent;
          obs.value = static_cast<std::int64_t>(rng() % 100000);
        } else if (item < 39) {
          obs.kind = model::Kind::kEvent;
          obs.value = std::string(states[rng() % 5]);
        } else {
          obs.kind = model::Kind::kCondition;
          obs.value = std::make_shared<const model::Condition>(
              model::Condition{model::Level::kNormal, "", "", "", ""});
        }
        batch.push_back(std::move(obs));
      }
      batches.push_back(std::move(batch));
    }
  }
};

journal::Settings settings(const fs::path& dir, const std::string& fsync) {
  journal::Settings s;
  s.dir = dir.string();
  s.sync = journal::parseSyncPolicy(fsync).value();
  s.maxSize = 8ULL << 30;
  return s;
}

std::unique_ptr<journal::Journal> openFresh(const fs::path& dir, const journal::Settings& s,
                                            const Clock& clock) {
  fs::remove_all(dir);
  auto j = journal::Journal::open(s, clock);
  if (!j) {
    std::fprintf(stderr, "%s\n", j.error().describe().c_str());
    std::exit(1);
  }
  return std::move(*j);
}

/// Appends as the pipeline's worker does (append, then poll), with a consumer that keeps up
/// so acknowledged segments are deleted as in production.
void appendLoop(benchmark::State& state, const Workload& w, journal::Settings s,
                const std::string& tag) {
  SystemClock clock;
  const fs::path dir = benchDir() / ("append-" + tag);
  s.dir = dir.string();
  auto j = openFresh(dir, s, clock);
  const std::size_t consumer = j->addConsumer("bench", 1);
  std::uint64_t observations = 0;
  std::size_t i = 0;
  const auto started = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const auto& batch = w.batches[i++ % w.batches.size()];
    auto r = j->append(batch, w.catalog);
    if (!r) {
      state.SkipWithError(r.error().describe().c_str());
      break;
    }
    observations += batch.size();
    j->poll();
    if ((i & 1023) == 0) j->acknowledge(consumer, j->durableSequence());
  }
  (void)j->commit();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto st = j->stats();
  // Rates per CPU second of the writer thread (what one core does) and per wall second (what
  // this run got, on a machine that may be shared; it includes waiting in fdatasync).
  state.counters["obs/s"] =
      benchmark::Counter(static_cast<double>(observations), benchmark::Counter::kIsRate);
  state.counters["obs/s_wall"] = static_cast<double>(observations) / wall;
  state.counters["bytes/s"] =
      benchmark::Counter(static_cast<double>(st.appendedBytes), benchmark::Counter::kIsRate);
  state.counters["bytes/s_wall"] = static_cast<double>(st.appendedBytes) / wall;
  state.counters["bytes/obs"] = static_cast<double>(st.appendedBytes) /
                                static_cast<double>(std::max<std::uint64_t>(1, observations));
  state.counters["syncs"] = static_cast<double>(st.syncs);
  j.reset();
  fs::remove_all(dir);
}

void BM_JournalAppend64(benchmark::State& state, const char* fsync, bool compress) {
  static const Workload w(64);
  journal::Settings s = settings({}, fsync);
  s.compress = compress;
  appendLoop(state, w, s, std::string(fsync) + (compress ? "-zstd" : ""));
}
BENCHMARK_CAPTURE(BM_JournalAppend64, fsync_50ms, "50ms", false)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_JournalAppend64, fsync_50ms_zstd, "50ms", true)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_JournalAppend64, fsync_never, "never", false)->MinTime(2.0);
BENCHMARK_CAPTURE(BM_JournalAppend64, fsync_always, "always", false)->MinTime(1.0);

/// Large records (64 time series of 4096 samples: 2 MiB per record): the disk is the limit.
void BM_JournalAppendLarge(benchmark::State& state) {
  static const Workload w(64, 4096);
  journal::Settings s = settings({}, "50ms");
  s.syncSize = 64ULL << 20;  // let the 50 ms interval decide, as the goal states
  appendLoop(state, w, s, "large");
}
BENCHMARK(BM_JournalAppendLarge)->MinTime(4.0)->UseRealTime();

/// A 1 GiB journal (16 segments of 64 MiB, 64-observation records), built once.
const fs::path& bigJournal() {
  static const fs::path dir = [] {
    const fs::path d = benchDir() / "journal-1GiB";
    if (fs::exists(d / "COMPLETE")) return d;
    std::fprintf(stderr, "building a 1 GiB journal in %s (once)...\n", d.c_str());
    SystemClock clock;
    auto j = openFresh(d, settings(d, "never"), clock);
    const Workload w(64);
    std::size_t i = 0;
    while (j->stats().bytes < (1ULL << 30)) {
      (void)j->append(w.batches[i++ % w.batches.size()], w.catalog);
      if ((i & 255) == 0) j->poll();
    }
    j->close();
    std::ofstream(d / "COMPLETE") << "1\n";
    return d;
  }();
  return dir;
}

void dropCache(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    const int fd = ::open(e.path().c_str(), O_RDONLY);
    if (fd < 0) continue;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

/// Opening (recovery) the 1 GiB journal; `cold` drops its pages from the cache first.
void BM_JournalRecover1GiB(benchmark::State& state) {
  const bool cold = state.range(0) != 0;
  const fs::path& dir = bigJournal();
  SystemClock clock;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    if (cold) dropCache(dir);
    const auto start = std::chrono::steady_clock::now();
    auto j = journal::Journal::open(settings(dir, "never"), clock);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    if (!j) {
      state.SkipWithError(j.error().describe().c_str());
      break;
    }
    bytes = (*j)->stats().bytes;
    state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
  }
  state.counters["journal_MiB"] = static_cast<double>(bytes) / (1 << 20);
}
BENCHMARK(BM_JournalRecover1GiB)
    ->Arg(0)
    ->Arg(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

/// `spindle journal verify`'s work: every record of the 1 GiB journal checksummed and decoded.
void BM_JournalVerifyScan1GiB(benchmark::State& state) {
  const bool decode = state.range(0) != 0;
  const fs::path& dir = bigJournal();
  for (auto _ : state) {
    auto report = journal::inspectJournal(dir.string(), decode);
    if (!report || !report->clean()) state.SkipWithError("the bench journal is not clean");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * (1LL << 30));
}
BENCHMARK(BM_JournalVerifyScan1GiB)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(2);

/// A consumer's reader: decode every record into observations with names interned.
void BM_JournalReplay(benchmark::State& state) {
  const fs::path& dir = bigJournal();
  SystemClock clock;
  auto j = journal::Journal::open(settings(dir, "never"), clock);
  std::uint64_t observations = 0;
  const std::uint64_t perIteration = 20'000'000;
  for (auto _ : state) {
    model::ItemCatalog catalog;
    journal::JournalReader reader(**j, catalog, 1, makeLogger("bench"));
    std::uint64_t n = 0;
    while (n < perIteration) {
      auto chunk = reader.read(4096);
      if (chunk.observations.empty()) break;
      n += chunk.observations.size();
      benchmark::DoNotOptimize(chunk.observations.data());
    }
    observations += n;
  }
  state.counters["obs/s"] =
      benchmark::Counter(static_cast<double>(observations), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_JournalReplay)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  setupLogging(LogFormat::kText, spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  fs::create_directories(benchDir());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
