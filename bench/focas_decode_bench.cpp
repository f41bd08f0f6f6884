// FOCAS decode speed on the real reply batches of ../shared/fixtures/focas/focas_frames.hex
// (the 30i four-call batch with 32 servo-load slots, the 160i-W nine-call batch with positions
// and two refusals, the 31i all-axes diagnoses): each frame fed to the stream reader, split
// into answers, and every answer decoded by its typed decoder. Bytes already in memory.
// Goal (issue 16): >= 2 million values/s on one core. A "value" is one decoded number, name,
// integer or status field.

#include <fstream>
#include <map>
#include <string>

#include <benchmark/benchmark.h>

#include "collectors/focas/focas_codec.hpp"
#include "collectors/focas/focas_commands.hpp"

namespace {

using namespace spindle::collectors::focas;

struct Batch {
  std::vector<Call> calls;
  Bytes reply;
};

std::vector<Batch> loadBatches() {
  std::ifstream in(SPINDLE_FIXTURES_DIR "/focas/focas_frames.hex");
  std::map<std::string, std::map<std::string, std::string>> sections;
  std::string line, id;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') {
      id = line.substr(1, line.find(']') - 1);
      continue;
    }
    const auto eq = line.find(" = ");
    if (eq != std::string::npos) sections[id][line.substr(0, eq)] = line.substr(eq + 3);
  }
  auto unhex = [](const std::string& hex) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
  };
  std::vector<Batch> out;
  for (const char* name : {"focas-30i-multipacket-a4-89-56-a4", "focas-160iw-batch9-with-errors",
                           "focas-31i-diag-308-309-allaxes"}) {
    auto it = sections.find(name);
    if (it == sections.end()) return {};
    auto frame = decodeFrame(unhex(it->second["request"]));
    if (!frame) return {};
    auto calls = decodeRequest(frame.value());
    if (!calls) return {};
    out.push_back({calls.value(), unhex(it->second["reply"])});
  }
  return out;
}

/// Decodes one answer; returns the number of values it held.
std::size_t decodeAnswer(const Reply& r) {
  if (r.error != ew::kOk) return 1;
  switch (r.command) {
    case cmd::kAxisCount:
      return decodeInt16(r.payload).ok() ? 1 : 0;
    case cmd::kAxisNames:
      if (auto n = decodeNames(r.payload)) return n->size();
      return 0;
    case cmd::kAlarmBits:
      return decodeAlarmBits(r.payload).ok() ? 1 : 0;
    case cmd::kProgramNumber:
      return decodeProgramNumbers(r.payload).ok() ? 2 : 0;
    case cmd::kSequence:
      return decodeInt32(r.payload).ok() ? 1 : 0;
    case cmd::kDiag30i:
      if (auto p = decodeParams(r.payload, Layout::k30i)) {
        std::size_t n = 0;
        for (const auto& rec : *p) n += rec.values.size();
        return n;
      }
      return 0;
    default:
      if (auto n = decodeNumbers(r.payload)) {
        double sum = 0;
        for (const Number& x : *n) sum += x.value();
        benchmark::DoNotOptimize(sum);
        return n->size();
      }
      return 0;
  }
}

void BM_FocasDecodeFixtureBatches(benchmark::State& state) {
  static const std::vector<Batch> batches = loadBatches();
  if (batches.empty()) {
    state.SkipWithError("../shared/fixtures/focas/focas_frames.hex is absent");
    return;
  }
  FrameReader reader;
  std::uint64_t values = 0;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    for (const Batch& b : batches) {
      reader.feed(b.reply);
      auto frame = reader.next();
      if (!frame || !frame->has_value()) {
        state.SkipWithError("a fixture frame did not decode");
        return;
      }
      auto replies = decodeReply(**frame);
      if (!replies || !matchReplies(b.calls, *replies)) {
        state.SkipWithError("a fixture reply did not decode");
        return;
      }
      for (const Reply& r : *replies) values += decodeAnswer(r);
      bytes += b.reply.size();
    }
  }
  state.counters["values_per_s"] =
      benchmark::Counter(static_cast<double>(values), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_FocasDecodeFixtureBatches);

}  // namespace

BENCHMARK_MAIN();
