// libFuzzer target for the FOCAS codec: arbitrary bytes, fed in arbitrary chunks to the frame
// reader; each frame decoded as a data request and as a data reply, and every reply payload
// through every typed decoder. Must never crash, hang or hold more than one bounded frame; a
// request or reply that decodes must encode back to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "chunked_stream.hpp"
#include "collectors/focas/focas_codec.hpp"
#include "collectors/focas/focas_commands.hpp"

namespace {

using namespace spindle::collectors::focas;

void everyDecoder(std::span<const std::uint8_t> p) {
  (void)decodeSysInfo(p);
  (void)decodeStatInfo(p);
  (void)decodeAlarmBits(p);
  (void)decodeAlarmMessages(p, 32);
  (void)decodeAlarmMessages(p, 64);
  (void)decodeProgramNumbers(p);
  (void)decodeProgramName(p);
  (void)decodeText(p);
  (void)decodeInt32(p);
  (void)decodeInt16(p);
  (void)decodeExecBlock(p);
  if (auto n = decodeNumbers(p)) {
    for (const Number& x : *n) (void)x.value();
  }
  (void)decodeNames(p);
  (void)decodeParams(p, Layout::k16i);
  (void)decodeParams(p, Layout::k30i);
  (void)decodePmc(p, PmcType::kByte);
  (void)decodePmc(p, PmcType::kWord);
  (void)decodePmc(p, PmcType::kLong);
  (void)decodeParamInfo(p);
  (void)decodeTimer(p);
  (void)decodeDateTime(p);
  if (auto f = decodeFigures(p)) {
    if (encodeFigures(*f) != Bytes(p.begin(), p.end())) __builtin_trap();
  }
}

/// A frame as a request and as a reply: what decodes encodes back to the same bytes.
void checkFrame(const Frame& f) {
  if (auto calls = decodeRequest(f)) {
    // A request encodes back to the same bytes, with the request version (a server accepts any
    // version).
    Frame asSent = f;
    asSent.version = version::kRequest;
    auto again = encodeRequest(*calls);
    if (!again || *again != encodeFrame(asSent)) std::abort();
  }
  if (auto replies = decodeReply(f)) {
    auto again = encodeReply(*replies, f.version);
    if (!again || *again != encodeFrame(f)) std::abort();
    for (const Reply& r : *replies) everyDecoder(r.payload);
  }
  everyDecoder(f.body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kLimit = 4096;
  FrameReader reader(kLimit);
  spindle::fuzz::feedInChunks(reader, std::span(data, size), kHeaderSize + kLimit, checkFrame);
  return 0;
}
