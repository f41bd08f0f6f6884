// LSV2 decode speed on a poll's worth of replies: the real R_RI 22 axis reply of
// ../shared/fixtures/lsv2/lsv2_telegrams.hex (five axes as text, iTNC 530), and the replies of
// R_RI 23, 24, 25, 26, 51, an NC error and a PLC double word in their documented layouts, each
// telegram fed to the stream reader and decoded by its typed decoder. Bytes already in memory.
// Goal (issue 17): >= 1 million values/s on one core. A "value" is one decoded number, name,
// text or status field.

#include <fstream>
#include <map>
#include <string>

#include <benchmark/benchmark.h>

#include "collectors/lsv2/lsv2_codec.hpp"
#include "collectors/lsv2/lsv2_replies.hpp"

namespace {

using namespace spindle::collectors::lsv2;

struct Reply {
  std::uint16_t info;  ///< R_RI code, 0 for S_MB
  Bytes bytes;
};

Bytes axisReplyFromFixture() {
  std::ifstream in(SPINDLE_FIXTURES_DIR "/lsv2/lsv2_telegrams.hex");
  std::string line;
  bool inSection = false;
  while (std::getline(in, line)) {
    if (line.rfind("[", 0) == 0) inSection = line == "[lsv2-r_ri-22-axis-location]";
    if (inSection && line.rfind("reply = ", 0) == 0) {
      Bytes out;
      const std::string hex = line.substr(8);
      for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
      }
      return out;
    }
  }
  return {};
}

std::vector<Reply> pollReplies() {
  auto ri = [](std::uint16_t info, Bytes payload) {
    return Reply{info, encodeTelegram(Telegram{"S_RI", std::move(payload)}).value()};
  };
  std::vector<Reply> out;
  const Bytes axes = axisReplyFromFixture();
  if (axes.empty()) return out;
  out.push_back({info::kAxisLocation, axes});
  out.push_back(ri(info::kExecutionMode, encodeU16(4)));
  out.push_back(ri(info::kProgramStack,
                   encodeProgramStack({42, "TNC:\\nc_prog\\PART1.H", "TNC:\\nc_prog\\PART1.H"})));
  out.push_back(ri(info::kOverrides, encodeOverrides({100, 95, 50})));
  out.push_back(ri(info::kProgramState, encodeU16(0)));
  out.push_back(ri(info::kCurrentTool, encodeToolInfo({5, 0, 2, 80.0, 6.0})));
  out.push_back(
      ri(info::kFirstError, encodeNcError({3, 3, -2130706422, "010 Machine guard is open !"})));
  out.push_back(Reply{0, encodeTelegram(Telegram{"S_MB", {0x10, 0x27, 0, 0}}).value()});
  return out;
}

/// Decodes one reply; returns the number of values it held.
std::size_t decode(const Reply& r, const Telegram& t) {
  switch (r.info) {
    case info::kAxisLocation:
      if (auto a = decodeAxisLocation(t.payload)) {
        double sum = 0;
        for (const auto& x : *a) sum += x.position;
        benchmark::DoNotOptimize(sum);
        return 2 * a->size();  // positions and names
      }
      return 0;
    case info::kExecutionMode:
      return decodeExecutionMode(t.payload).ok() ? 1 : 0;
    case info::kProgramStack:
      return decodeProgramStack(t.payload).ok() ? 3 : 0;
    case info::kOverrides:
      return decodeOverrides(t.payload).ok() ? 3 : 0;
    case info::kProgramState:
      return decodeProgramState(t.payload).ok() ? 1 : 0;
    case info::kCurrentTool:
      return decodeToolInfo(t.payload).ok() ? 5 : 0;
    case info::kFirstError:
      return decodeNcError(t.payload).ok() ? 4 : 0;
    default:
      return decodeMemory(t.payload, Operand::kDouble, 1).ok() ? 1 : 0;
  }
}

void BM_Lsv2DecodePollReplies(benchmark::State& state) {
  static const std::vector<Reply> replies = pollReplies();
  if (replies.empty()) {
    state.SkipWithError("../shared/fixtures/lsv2/lsv2_telegrams.hex is absent");
    return;
  }
  TelegramReader reader;
  std::uint64_t values = 0;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    for (const Reply& r : replies) {
      reader.feed(r.bytes);
      auto t = reader.next();
      if (!t || !t->has_value()) {
        state.SkipWithError("a reply did not decode");
        return;
      }
      const std::size_t n = decode(r, **t);
      if (n == 0) {
        state.SkipWithError("a reply payload did not decode");
        return;
      }
      values += n;
      bytes += r.bytes.size();
    }
  }
  state.counters["values_per_s"] =
      benchmark::Counter(static_cast<double>(values), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_Lsv2DecodePollReplies);

}  // namespace

BENCHMARK_MAIN();
