// SHDR parse speed on a real adapter log (Okuma MULTUS U3000, 10,770 lines; a generated stream
// of the same shape in a clone without ../shared/fixtures, labelled so): parse only, bytes
// already in memory, observations built and interned, no I/O.
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

// An adapter stream of the same shape where the fixture is absent (a standalone clone): lines
// 100 ms apart, each with 3 to 8 of 40 items (numbers, words), a condition every 50th line.
std::string generatedLog() {
  static const char* kWords[] = {"ACTIVE", "READY", "STOPPED", "AUTOMATIC", "O1234"};
  std::string out;
  std::uint32_t seed = 12345;
  auto next = [&seed] { return seed = seed * 1664525u + 1013904223u; };
  for (int line = 0; line < 10770; ++line) {
    const int ms = line * 100;
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "2026-01-01T%02d:%02d:%02d.%03dZ", ms / 3600000 % 24,
                  ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
    out += stamp;
    const unsigned pairs = 3 + next() % 6;
    for (unsigned p = 0; p < pairs; ++p) {
      const unsigned item = next() % 40;
      out += "|item" + std::to_string(item) + "|";
      if (item % 2 == 0) {
        out += std::to_string(next() % 100000 / 10.0);
      } else {
        out += kWords[next() % 5];
      }
    }
    if (line % 50 == 0) out += "\n" + std::string(stamp) + "|temp|WARNING|T12|HIGH||Oil warm";
    out += "\n";
  }
  return out;
}

void BM_ShdrParseOkuma(benchmark::State& state) {
  static const std::string fixture = loadLog();
  static const std::string log = fixture.empty() ? generatedLog() : fixture;
  state.SetLabel(fixture.empty() ? "generated stream (fixtures absent)" : "okuma.txt");
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
