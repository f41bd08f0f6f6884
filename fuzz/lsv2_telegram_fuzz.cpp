// libFuzzer target for the LSV2 codec: arbitrary bytes, fed in arbitrary chunks to the
// telegram reader; each telegram through every typed decoder. Must never crash, hang or hold
// more than one bounded telegram; a telegram that decodes must encode back to the same bytes.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "collectors/lsv2/lsv2_codec.hpp"
#include "collectors/lsv2/lsv2_replies.hpp"

namespace {

using namespace spindle::collectors::lsv2;

void everyDecoder(const Telegram& t) {
  std::span<const std::uint8_t> p(t.payload);
  (void)decodeError(t);
  (void)describeError(t);
  (void)decodeVersions(p);
  (void)decodeVersionText(p);
  if (auto s = decodeSystemParameters(p)) {
    // Reserved bytes are not kept, so compare what was decoded, encoded and decoded again.
    auto again = decodeSystemParameters(encodeSystemParameters(*s));
    if (!again || again->maxBlockLength != s->maxBlockLength || again->words != s->words ||
        again->markers != s->markers || again->passwordKey != s->passwordKey ||
        again->size != s->size) {
      __builtin_trap();
    }
  }
  (void)decodeAxisLocation(p);
  (void)decodeExecutionMode(p);
  (void)decodeProgramStack(p);
  (void)decodeOverrides(p);
  (void)decodeProgramState(p);
  if (auto e = decodeNcError(p)) (void)e->text.size();
  (void)decodeToolInfo(p);
  for (auto o : {Operand::kMarker, Operand::kWord, Operand::kDouble}) {
    (void)decodeMemory(p, o, p.size() / operandSize(o));
  }
  (void)decodeDataPath(p);
  (void)splitStrings(p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kLimit = 1024;
  TelegramReader reader(kLimit);
  std::span<const std::uint8_t> rest(data, size);
  std::size_t chunk = 1;
  while (!rest.empty()) {
    const std::size_t n = std::min(rest.size(), chunk);
    const std::size_t taken = reader.feed(rest.first(n));
    if (reader.buffered() > kLimit + kHeaderSize) __builtin_trap();
    rest = rest.subspan(taken);
    chunk = chunk * 3 % 97 + 1;
    auto t = reader.next();
    if (!t) break;  // the stream cannot be trusted: a session would drop it
    if (!t->has_value()) {
      if (taken == 0) __builtin_trap();  // neither progress nor a telegram: a hang
      continue;
    }
    everyDecoder(**t);
    auto bytes = encodeTelegram(**t);
    if (!bytes || bytes->size() != kHeaderSize + (**t).payload.size()) __builtin_trap();
  }
  if (auto one = decodeTelegram(std::span<const std::uint8_t>(data, size))) {
    auto again = encodeTelegram(*one);
    if (!again || !std::equal(again->begin(), again->end(), data, data + size)) __builtin_trap();
  }
  return 0;
}
