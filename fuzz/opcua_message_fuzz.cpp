// libFuzzer target for the OPC UA encoding: arbitrary bytes as a UA-TCP stream, fed in
// arbitrary splits to the ChunkReader; secure channel chunks go through a MessageAssembler
// with the None policy and each assembled message through the service decoder (and the
// notifications of a PublishResponse through theirs); connection messages through their
// decoders. The whole input is also decoded as one message body. Must never crash, hang or
// buffer more than the bounds; a message that decodes must re-encode to bytes that decode
// and re-encode to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "chunked_stream.hpp"
#include "opcua/chunks.hpp"
#include "opcua/none_security.hpp"
#include "opcua/services.hpp"

namespace {

using namespace spindle::opcua;

constexpr std::uint32_t kReceiveBuffer = 65535;

void checkStable(const Message& m) {
  const Bytes once = encodeMessage(m);
  auto again = decodeMessage(once);
  if (!again) std::abort();  // what we encode must decode
  if (encodeMessage(*again) != once) std::abort();
}

void decodeBody(std::span<const std::uint8_t> body) {
  auto m = decodeMessage(body);
  if (!m) return;
  checkStable(*m);
  if (const auto* p = std::get_if<PublishResponse>(&*m)) {
    for (const auto& n : p->notificationMessage.notificationData) (void)decodeNotification(n);
  }
  if (const auto* a = std::get_if<ActivateSessionRequest>(&*m)) {
    (void)fromExtensionObject<AnonymousIdentityToken>(a->userIdentityToken);
    (void)fromExtensionObject<UserNameIdentityToken>(a->userIdentityToken);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  NoneSecurity none;
  ChunkReader reader(kReceiveBuffer);
  MessageAssembler assembler(1 << 20, 64, none, none);
  bool broken = false;
  spindle::fuzz::feedInChunks(reader, input, kReceiveBuffer, [&](const Bytes& chunk) {
    if (broken) return;
    auto header = decodeMessageHeader(chunk);
    if (!header) std::abort();  // the reader only gives chunks with valid headers
    switch (header->type) {
      case MessageType::kHello:
        (void)decodeHello(chunk);
        return;
      case MessageType::kAcknowledge:
        (void)decodeAcknowledge(chunk);
        return;
      case MessageType::kError:
        (void)decodeError(chunk);
        return;
      case MessageType::kReverseHello:
        (void)decodeReverseHello(chunk);
        return;
      default:
        break;
    }
    (void)decodePlainChunk(chunk);
    auto out = assembler.add(chunk);
    if (!out) {
      broken = true;  // a client closes the channel here
      return;
    }
    if (out->has_value()) {
      if (const auto* m = std::get_if<ReceivedMessage>(&**out)) decodeBody(m->body);
    }
  });
  decodeBody(input);
  return 0;
}
