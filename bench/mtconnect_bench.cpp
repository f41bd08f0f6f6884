// MTConnect both ways. Collector: decoding a streamed /sample document (goal >= 1M
// observations/s per core). Interface: producing /sample documents, and serving them over
// HTTP to one client on loopback (goal >= 100k observations/s).

#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/executor_work_guard.hpp>

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"
#include "web/mtconnect/agent_service.hpp"
#include "web/testing/http_get.hpp"
#include "web/web_server.hpp"

namespace {

using namespace spindle;
namespace mtc = collectors::mtconnect_agent;

/// A sample document like a busy agent streams: `n` observations over 4 components.
std::string sampleDocument(int n) {
  std::string doc =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MTConnectStreams "
      "xmlns=\"urn:mtconnect.org:MTConnectStreams:2.2\"><Header "
      "creationTime=\"2024-05-01T12:00:00Z\" "
      "sender=\"a\" instanceId=\"1\" version=\"2.2.0.0\" bufferSize=\"131072\" firstSequence=\"1\" "
      "lastSequence=\"" +
      std::to_string(n) + "\" nextSequence=\"" + std::to_string(n + 1) +
      "\"/><Streams><DeviceStream name=\"M\" uuid=\"u\">";
  int seq = 1;
  const int per = n / 4;
  for (int c = 0; c < 4; ++c) {
    doc += "<ComponentStream component=\"Linear\" componentId=\"c" + std::to_string(c) + "\">";
    doc += "<Samples>";
    for (int i = 0; i < per / 2; ++i, ++seq) {
      doc += "<Position dataItemId=\"p" + std::to_string(c * 8 + i % 8) +
             "\" timestamp=\"2024-05-01T12:00:0" + std::to_string(i % 10) + "." +
             std::to_string(100000 + i) + "Z\" sequence=\"" + std::to_string(seq) +
             "\" subType=\"ACTUAL\">" + std::to_string(i * 0.25) + "</Position>";
    }
    doc += "</Samples><Events>";
    for (int i = 0; i < per / 2 - per / 10; ++i, ++seq) {
      doc += "<Execution dataItemId=\"e" + std::to_string(c * 8 + i % 8) +
             "\" timestamp=\"2024-05-01T12:00:01.5Z\" sequence=\"" + std::to_string(seq) +
             "\">ACTIVE</Execution>";
    }
    doc += "</Events><Condition>";
    for (int i = 0; i < per / 10; ++i, ++seq) {
      doc += "<Normal dataItemId=\"s" + std::to_string(c) +
             "\" timestamp=\"2024-05-01T12:00:02Z\" sequence=\"" + std::to_string(seq) +
             "\" type=\"SYSTEM\"/>";
    }
    doc += "</Condition></ComponentStream>";
  }
  return doc + "</DeviceStream></Streams></MTConnectStreams>\n";
}

void BM_CollectorDecodeSample(benchmark::State& state) {
  const std::string doc = sampleDocument(static_cast<int>(state.range(0)));
  model::ItemCatalog catalog;
  mtc::StreamsDecoder decoder(catalog, catalog.addMachine("m"), {});
  mtc::StreamsOutput out;
  std::string body;
  std::size_t observations = 0;
  for (auto _ : state) {
    body = doc;  // decoding parses in place
    if (!decoder.decode(body, 0, out).ok()) state.SkipWithError("decode failed");
    observations += out.observations.size();
  }
  state.counters["observations/s"] =
      benchmark::Counter(static_cast<double>(observations), benchmark::Counter::kIsRate);
  state.counters["doc_bytes"] = static_cast<double>(doc.size());
}
BENCHMARK(BM_CollectorDecodeSample)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

/// A store holding `n` observations of 3 machines.
struct Fixture {
  explicit Fixture(std::size_t n) : store(n) {
    model::Batch batch;
    for (int m = 0; m < 3; ++m)
      machines.push_back(catalog.addMachine("mill-" + std::to_string(m + 1)));
    const char* keys[] = {"execution", "Sspeed", "Xact", "line", "program"};
    for (std::size_t i = 0; i < n; ++i) {
      const auto m = machines[i % 3];
      const char* key = keys[i % 5];
      const bool sample = i % 5 == 1 || i % 5 == 2;
      model::Value v =
          sample ? model::Value{static_cast<double>(i) * 0.5} : model::Value{std::string("ACTIVE")};
      batch.push_back(model::Observation{
          m, catalog.intern(m, key, sample ? model::Kind::kSample : model::Kind::kEvent).value(),
          1714564800LL * 1'000'000'000 + static_cast<std::int64_t>(i) * 1000,
          sample ? model::Kind::kSample : model::Kind::kEvent, 0, v});
    }
    store.apply(batch);
  }
  model::ItemCatalog catalog;
  state::StateStore store;
  std::vector<model::MachineId> machines;
};

void BM_InterfaceSampleDocument(benchmark::State& state) {
  Fixture f(100000);
  web::WebOptions o;
  auto service = std::make_shared<web::mtconnect::AgentService>(o, f.store, f.catalog, "bench");
  web::mtconnect::AgentService::Scope scope;
  scope.snapshot = web::mtconnect::DeviceModel(f.catalog, "bench").snapshot();
  scope.selected.assign(scope.snapshot->items.size(), true);
  scope.metaOf.assign(scope.snapshot->catalogItems, -1);
  for (size_t i = 0; i < scope.snapshot->items.size(); ++i)
    if (!scope.snapshot->items[i].synthetic)
      scope.metaOf[scope.snapshot->items[i].item] = static_cast<int>(i);
  const std::size_t count = static_cast<std::size_t>(state.range(0));
  std::size_t observations = 0;
  std::uint64_t from = service->index().firstSequence();
  for (auto _ : state) {
    std::uint64_t next = 0;
    std::size_t n = 0;
    web::mtconnect::SampleRange range;
    range.from = from;
    range.count = static_cast<std::int64_t>(count);
    auto doc = service->sampleDocument(web::mtconnect::Style{}, scope, range, next, n);
    benchmark::DoNotOptimize(doc);
    observations += n;
    from = next >= service->index().nextSequence() ? service->index().firstSequence() : next;
  }
  state.counters["observations/s"] =
      benchmark::Counter(static_cast<double>(observations), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_InterfaceSampleDocument)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_InterfaceSampleOverHttp(benchmark::State& state) {
  Fixture f(100000);
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread thread([&] { io.run(); });
  web::WebOptions o;
  o.bind = "127.0.0.1";
  o.port.value = 0;
  o.maxCount = 100000;
  web::Server server(io, o, f.store, f.catalog, "bench");
  if (!server.start().ok()) state.SkipWithError("cannot start the server");
  const std::string target = "/sample?count=" + std::to_string(state.range(0));
  std::size_t observations = 0;
  for (auto _ : state) {
    auto r = web::testing::httpGet(server.port(), target);
    if (r.status != 200) state.SkipWithError("sample failed");
    observations += static_cast<std::size_t>(state.range(0));
  }
  state.counters["observations/s"] =
      benchmark::Counter(static_cast<double>(observations), benchmark::Counter::kIsRate);
  server.stop();
  work.reset();
  io.stop();
  thread.join();
}
BENCHMARK(BM_InterfaceSampleOverHttp)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
