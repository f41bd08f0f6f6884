// OPC UA decode speed on what a subscribing client receives most: PublishResponses whose
// NotificationMessage carries a DataChangeNotification of realistic DataValues (Double,
// Int32, String and Boolean values, each with a status, a source and a server timestamp).
// BM_OpcuaDecodePublish decodes message bodies already in memory; BM_OpcuaDecodePublishChunks
// adds the chunk layer (stream reader, assembler with the None policy) in 8 KiB chunks.
// Goal: >= 1 million DataValues/s on one core. Counter: datavalues_per_s.

#include <benchmark/benchmark.h>

#include "opcua/chunks.hpp"
#include "opcua/none_security.hpp"
#include "opcua/services.hpp"

namespace {

using namespace spindle::opcua;

constexpr std::size_t kValuesPerPublish = 100;
constexpr std::int64_t kNow = 133444736000000000;  // 2023-11-14 in 100 ns ticks since 1601

Variant valueFor(std::size_t i) {
  switch (i % 4) {
    case 0:
      return Variant(1234.5 + static_cast<double>(i));
    case 1:
      return Variant(static_cast<std::int32_t>(i * 7));
    case 2:
      return Variant(String("RUNNING PART-" + std::to_string(i)));
    default:
      return Variant(i % 8 == 3);
  }
}

Bytes publishBody(std::uint32_t sequence) {
  DataChangeNotification dc;
  for (std::size_t i = 0; i < kValuesPerPublish; ++i) {
    MonitoredItemNotification n;
    n.clientHandle = static_cast<std::uint32_t>(i + 1);
    n.value.value = valueFor(i);
    n.value.status = StatusCode{i % 10 == 9 ? 0x40900000u : 0u};
    n.value.sourceTimestamp = DateTime{kNow + static_cast<std::int64_t>(i) * 10000};
    n.value.serverTimestamp = DateTime{kNow + static_cast<std::int64_t>(i) * 10000 + 5000};
    dc.monitoredItems.push_back(std::move(n));
  }
  PublishResponse p;
  p.responseHeader.timestamp = DateTime{kNow};
  p.responseHeader.requestHandle = sequence;
  p.subscriptionId = 1;
  p.availableSequenceNumbers = {sequence};
  p.notificationMessage.sequenceNumber = sequence;
  p.notificationMessage.publishTime = DateTime{kNow};
  p.notificationMessage.notificationData.push_back(toExtensionObject(dc));
  return encodeMessage(p);
}

/// Decodes one PublishResponse body and its notifications; returns the DataValues seen.
std::size_t decodePublish(std::span<const std::uint8_t> body) {
  auto m = decodeMessage(body);
  if (!m) return 0;
  const auto* p = std::get_if<PublishResponse>(&*m);
  if (p == nullptr) return 0;
  std::size_t values = 0;
  for (const auto& eo : p->notificationMessage.notificationData) {
    auto n = decodeNotification(eo);
    if (!n) return 0;
    if (const auto* dc = std::get_if<DataChangeNotification>(&*n)) {
      values += dc->monitoredItems.size();
      benchmark::DoNotOptimize(dc->monitoredItems.back().value.sourceTimestamp);
    }
  }
  return values;
}

void BM_OpcuaDecodePublish(benchmark::State& state) {
  std::vector<Bytes> bodies;
  for (std::uint32_t s = 1; s <= 8; ++s) bodies.push_back(publishBody(s));
  std::uint64_t values = 0;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    for (const Bytes& b : bodies) {
      const std::size_t n = decodePublish(b);
      if (n != kValuesPerPublish) {
        state.SkipWithError("a PublishResponse did not decode");
        return;
      }
      values += n;
      bytes += b.size();
    }
  }
  state.counters["datavalues_per_s"] =
      benchmark::Counter(static_cast<double>(values), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_OpcuaDecodePublish);

void BM_OpcuaDecodePublishChunks(benchmark::State& state) {
  NoneSecurity none;
  ConnectionLimits limits;
  limits.sendChunkSize = 8192;
  ChunkWriter writer(limits, none, none);
  writer.setSecureChannelId(1);
  writer.setTokenId(1);
  Bytes stream;
  constexpr std::uint32_t kMessages = 8;
  for (std::uint32_t s = 1; s <= kMessages; ++s) {
    auto chunks = writer.write(MessageType::kMessage, s, publishBody(s));
    if (!chunks) {
      state.SkipWithError("chunking failed");
      return;
    }
    for (const auto& c : *chunks) stream.insert(stream.end(), c.begin(), c.end());
  }
  std::uint64_t values = 0;
  for (auto _ : state) {
    ChunkReader reader(65535);
    MessageAssembler assembler(0, 0, none, none);
    std::span<const std::uint8_t> rest(stream);
    std::size_t messages = 0;
    while (!rest.empty()) {
      rest = rest.subspan(reader.feed(rest.first(std::min<std::size_t>(rest.size(), 1460))));
      auto chunk = reader.next();
      if (!chunk || !chunk->has_value()) continue;
      auto m = assembler.add(std::move(**chunk));
      if (!m) {
        state.SkipWithError("a chunk was refused");
        return;
      }
      if (!m->has_value()) continue;
      values += decodePublish(std::get<ReceivedMessage>(**m).body);
      ++messages;
    }
    if (messages != kMessages) {
      state.SkipWithError("not every message was assembled");
      return;
    }
  }
  state.counters["datavalues_per_s"] =
      benchmark::Counter(static_cast<double>(values), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(stream.size() * state.iterations()));
}
BENCHMARK(BM_OpcuaDecodePublishChunks);

}  // namespace

BENCHMARK_MAIN();
