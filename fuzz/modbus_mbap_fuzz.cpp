// libFuzzer target for the Modbus TCP codec: arbitrary bytes, fed in arbitrary chunks to the
// MBAP frame decoder, each frame's PDU decoded as a request and as a response (alone and against
// a request), and every value format over the registers of the answer. Must never crash, hang or
// hold more than one frame; a request that decodes must encode back to the same bytes.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "chunked_stream.hpp"
#include "collectors/modbus_tcp/modbus_codec.hpp"
#include "collectors/modbus_tcp/modbus_values.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace spindle::collectors::modbus_tcp;
  FrameDecoder decoder;
  spindle::fuzz::feedInChunks(decoder, std::span(data, size), kMaxAdu, [&](const Adu& adu) {
    if (auto request = decodeRequestPdu(adu.pdu)) {
      // Write multiple coils may carry any padding bits past the quantity; all else is exact.
      auto again = encodeRequestPdu(*request);
      if (!again || (request->function != fc::kWriteMultipleCoils && *again != adu.pdu)) {
        std::abort();
      }
      (void)decodeResponsePdu(adu.pdu, &*request);
    }
    auto response = decodeResponsePdu(adu.pdu);
    if (!response || response->registers.empty()) return;
    for (int type = 0; type <= static_cast<int>(ValueType::kString); ++type) {
      for (int order = 0; order < 4; ++order) {
        ValueFormat f;
        f.type = static_cast<ValueType>(type);
        f.order = static_cast<ByteOrder>(order);
        f.length = static_cast<int>(response->registers.size());
        f.bit = adu.unit % 20 < 16 && type == 0 ? adu.unit % 20 : -1;
        const auto n = static_cast<std::size_t>(registerCount(f));
        if (n <= response->registers.size()) {
          (void)decodeRegisters(std::span(response->registers).first(n), f);
        }
      }
    }
  });
  return 0;
}
