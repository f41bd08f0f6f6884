// libFuzzer target for the Mitsubishi EZSocket (GIOP) codec: arbitrary bytes, fed in arbitrary
// chunks to the message reader; each message decoded as a request and as a reply, each reply
// through every result decoder (data header, every data type, alarms, program block,
// exception). Must never crash, hang or hold more than one bounded message; a request or a
// reply that decodes must encode to one that decodes to the same fields.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "chunked_stream.hpp"
#include "collectors/mitsubishi/mitsubishi_codec.hpp"

namespace {

using namespace spindle::collectors::mitsubishi;

void everyDecoder(const Reply& r) {
  (void)decodeException(r);
  (void)decodeAlarms(r);
  (void)decodeProgramBlock(r);
  if (auto d = decodeDataReply(r)) {
    (void)decodeValue(d->type, d->data, r.littleEndian);
    for (std::uint32_t t : {0x01u, 0x02u, 0x03u, 0x04u, 0x05u, 0x06u, 0x10u, 0x21u, 0x22u, 0x23u}) {
      (void)decodeValue(t, d->data, !r.littleEndian);
    }
  }
}

/// A message as a request and as a reply: what decodes encodes to one that decodes to the same
/// fields.
void checkMessage(const Message& m) {
  if (auto q = decodeRequest(m)) {
    (void)dataAddressOf(*q);
    auto back = decodeMessage(encodeRequest(*q));
    if (!back) std::abort();
    auto q2 = decodeRequest(*back);
    if (!q2 || q2->requestId != q->requestId || q2->operation != q->operation ||
        q2->args != q->args || q2->objectKey != q->objectKey) {
      std::abort();
    }
  }
  if (auto r = decodeReply(m)) {
    everyDecoder(*r);
    auto back = decodeMessage(encodeReply(*r));
    if (!back) std::abort();
    auto r2 = decodeReply(*back);
    if (!r2 || r2->requestId != r->requestId || r2->status != r->status) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kLimit = 4096;
  MessageReader reader(kLimit);
  spindle::fuzz::feedInChunks(reader, std::span(data, size), kHeaderSize + kLimit, checkMessage);
  return 0;
}
