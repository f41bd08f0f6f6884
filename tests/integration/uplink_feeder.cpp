// uplink_feeder: an edge in miniature for the kill -9 tests: machines produce into a durable
// journal in --dir (observation s belongs to machine s % machines and carries the value s)
// while an uplink's delivery engine sends it on: the NATS uplink to the hub (--url nats://...),
// or the HTTPS uplink to an API (--url https://..., --ca for its CA, --key for the edge's key). The
// production clock starts at the first run and keeps going while the process is dead; a restart
// recovers the journal and the uplink's cursor. Exits 0 once every observation up to --total is
// acknowledged.
//
// Prints "progress journal=N cursor=M" every second (what the journal holds and what the hub
// acknowledged), so a test can see collection go on while the hub is away.
//
//   uplink_feeder --url nats://127.0.0.1:4222[,nats://...] --edge e1 --dir /tmp/x --total 60000
//                 [--rate 20000] [--record 50] [--machines 3] [--ping-ms 20000]
//                 [--deadline-s 120]
//   uplink_feeder --url https://127.0.0.1:8443/v1/edges/e1/data --ca ca.pem --key edge-key.pem
//                 --edge e1 --dir /tmp/x --total 60000 [...]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "base/log.hpp"
#include "journal/journal.hpp"
#include "uplinks/delivery_engine.hpp"
#include "uplinks/https/https_uplink.hpp"
#include "uplinks/nats/nats_uplink.hpp"

using namespace spindle;
using namespace spindle::uplinks::nats;

namespace {

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

/// The production clock's origin, kept in the directory so a restart continues it.
TimestampNs startTime(const std::filesystem::path& dir) {
  const auto path = dir / "started_ns";
  std::ifstream in(path);
  TimestampNs t = 0;
  if (in >> t && t > 0) return t;
  t = wallClockNs();
  std::ofstream(path) << t;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string url = arg(argc, argv, "url", "");
  const std::string edge = arg(argc, argv, "edge", "e1");
  const std::filesystem::path dir = arg(argc, argv, "dir", "");
  const auto total = std::stoull(arg(argc, argv, "total", "60000"));
  const double rate = std::stod(arg(argc, argv, "rate", "20000"));
  const auto record = std::stoull(arg(argc, argv, "record", "50"));
  const int machines = std::stoi(arg(argc, argv, "machines", "3"));
  const auto pingMs = std::stoll(arg(argc, argv, "ping-ms", "20000"));
  const auto deadlineS = std::stoll(arg(argc, argv, "deadline-s", "120"));
  if (url.empty() || dir.empty() || total % record != 0) {
    std::fprintf(stderr,
                 "usage: uplink_feeder --url URL --dir DIR --total N (a multiple of --record)\n");
    return 2;
  }
  std::filesystem::create_directories(dir);
  model::ItemCatalog catalog;
  std::vector<model::MachineId> ids;
  std::vector<model::ItemId> items;
  for (int m = 0; m < machines; ++m) {
    ids.push_back(catalog.addMachine("m" + std::to_string(m + 1)));
    items.push_back(catalog.intern(ids.back(), "value", model::Kind::kSample).value());
  }
  const TimestampNs startedAt = startTime(dir);
  journal::Settings settings;
  settings.dir = (dir / "journal").string();
  settings.sync = journal::SyncPolicy{journal::SyncMode::kNever, {}};
  const bool https = url.rfind("https://", 0) == 0;
  settings.consumers = {https ? "https" : "nats"};
  settings.retryMin = std::chrono::milliseconds(50);
  settings.retryMax = std::chrono::seconds(1);
  SystemClock clock;
  auto opened = journal::Journal::open(settings, clock);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().describe().c_str());
    return 1;
  }
  journal::Journal& j = **opened;
  NatsOptions options;
  for (std::size_t from = 0; from < url.size() && !https;) {  // a comma-separated list: a cluster
    const std::size_t comma = std::min(url.find(',', from), url.size());
    options.servers.push_back(url.substr(from, comma - from));
    from = comma + 1;
  }
  options.pingInterval = std::chrono::milliseconds(pingMs);
  options.reconnectMin = std::chrono::milliseconds(50);
  options.reconnectMax = std::chrono::milliseconds(500);
  options.ackTimeout = std::chrono::seconds(1);
  options.maxInFlight = 512;
  options.maxBatch = 20;
  NatsConnection connection(options, edge);
  std::unique_ptr<uplinks::Uplink> uplink;
  if (https) {
    net::http::HttpClientOptions c;
    c.edgeId = edge;
    c.caFile = arg(argc, argv, "ca", "");
    c.retryMin = std::chrono::milliseconds(50);
    c.retryMax = std::chrono::milliseconds(500);
    auto client = net::http::HttpClient::create(c);
    auto signer = uplinks::https::RequestSigner::load(arg(argc, argv, "key", ""));
    if (!client || !signer) {
      std::fprintf(stderr, "%s\n", (client ? signer.error() : client.error()).describe().c_str());
      return 1;
    }
    uplinks::https::HttpsUplinkOptions o;
    o.maxBatch = 200;
    o.timeout = std::chrono::seconds(5);
    uplink = std::make_unique<uplinks::https::HttpsUplink>(o, url, edge, std::move(*signer),
                                                           std::move(*client), catalog);
  } else {
    uplink = std::make_unique<NatsUplink>(options, edge, connection, catalog);
    if (auto s = connection.start(); !s) {
      std::fprintf(stderr, "%s\n", s.error().describe().c_str());
      return 1;
    }
  }
  uplinks::DeliveryEngine engine(j, std::move(uplink), catalog);
  if (auto s = engine.start(); !s) {
    std::fprintf(stderr, "%s\n", s.error().describe().c_str());
    return 1;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(deadlineS);
  auto nextProgress = std::chrono::steady_clock::now();
  while (engine.stats().position < total + 1) {
    if (std::chrono::steady_clock::now() >= nextProgress) {
      std::printf("progress journal=%llu cursor=%llu\n",
                  static_cast<unsigned long long>(j.stats().nextSequence - 1),
                  static_cast<unsigned long long>(engine.stats().position));
      std::fflush(stdout);
      nextProgress += std::chrono::seconds(1);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "gave up at cursor %llu\n",
                   static_cast<unsigned long long>(engine.stats().position));
      return 1;
    }
    // Produce what the machines made since the first run, in whole records.
    const double produced = rate * static_cast<double>(wallClockNs() - startedAt) / 1e9;
    const std::uint64_t due =
        std::min(total, static_cast<std::uint64_t>(produced) / record * record);
    for (std::uint64_t first = j.stats().nextSequence; first + record - 1 <= due;
         first = j.stats().nextSequence) {
      model::Batch batch;
      for (std::uint64_t q = first; q < first + record; ++q) {
        const std::size_t m = q % ids.size();
        batch.push_back({ids[m], items[m],
                         startedAt + static_cast<TimestampNs>(static_cast<double>(q) / rate * 1e9),
                         model::Kind::kSample, 0, static_cast<double>(q)});
      }
      if (!j.append(batch, catalog)) break;
    }
    (void)j.commit();
    // Sleep until the next record is due (or the next progress line): a hundred feeders on
    // two cores must not spend them polling.
    const auto nextSequence = static_cast<double>(j.stats().nextSequence + record - 1);
    const auto dueNs =
        startedAt + static_cast<TimestampNs>(nextSequence / rate * 1e9) - wallClockNs();
    auto sleep = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::nanoseconds(std::max<TimestampNs>(dueNs, 1000000)));
    if (j.stats().nextSequence > total) sleep = std::chrono::milliseconds(100);  // all produced
    sleep = std::min({sleep, std::chrono::steady_clock::duration(std::chrono::milliseconds(100)),
                      nextProgress - std::chrono::steady_clock::now()});
    std::this_thread::sleep_for(
        std::max(sleep, std::chrono::steady_clock::duration(std::chrono::milliseconds(1))));
  }
  const auto stats = engine.stats();
  engine.stop();
  connection.stop();
  j.close();
  auto counter = [&](const char* name) -> unsigned long long {
    for (const auto& [n, v] : stats.counters) {
      if (n == name) return v;
    }
    return 0;
  };
  std::printf("done cursor=%llu published=%llu acked=%llu duplicates=%llu\n",
              static_cast<unsigned long long>(stats.position),
              counter(https ? "requests" : "published"), counter(https ? "accepted" : "acked"),
              counter("duplicates"));
  return 0;
}
