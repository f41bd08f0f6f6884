// SHDR parse speed on a real adapter log (Okuma MULTUS U3000, 10,770 lines): parse only,
// bytes already in memory, observations built and interned, no I/O.
// Goal: >= 5 million observations/s on one core.

#include <cstdio>
#include <fstream>
#include <sstream>

#include <benchmark/benchmark.h>

#include "collectors/shdr/shdr_parser.hpp"

namespace {

std::string loadLog() {
  const char* path = SPINDLE_FIXTURES_DIR "/mtconnect/okuma.txt";
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void BM_ShdrParseOkuma(benchmark::State& state) {
  static const std::string log = loadLog();
  if (log.empty()) {
    state.SkipWithError("../shared/fixtures/mtconnect/okuma.txt is absent");
    return;
  }
  using namespace spindle;
  model::ItemCatalog catalog;
  collectors::shdr::ShdrParser parser(catalog, catalog.addMachine("okuma"));
  collectors::shdr::ParseOutput out;
  out.observations.reserve(32768);
  std::uint64_t lines = 0;
  std::uint64_t observations = 0;
  for (auto _ : state) {
    out.clear();
    const auto before = parser.stats();
    parser.feed(log, 0, out);
    benchmark::DoNotOptimize(out.observations.data());
    lines += parser.stats().lines - before.lines;
    observations += out.observations.size();
  }
  state.counters["lines/s"] =
      benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
  state.counters["obs/s"] =
      benchmark::Counter(static_cast<double>(observations), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(log.size() * state.iterations()));
}
BENCHMARK(BM_ShdrParseOkuma)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
