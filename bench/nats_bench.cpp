// NATS uplink speed against a real nats-server (JetStream, file storage) on loopback. The
// benchmark starts and stops its own server (Debian's nats-server must be installed).
//
//   Uplink/throughput   journal records (4096 observations, 8 machines) in a durable journal
//                       -> delivery engine -> NatsUplink -> hub stream: observations/s
//                       acknowledged by the hub
//   Plain/per-observation   the naive publisher: cnats js_PublishMsgAsync of each
//                       observation's JSON line as its own message (the anchor's shape)
//   Plain/batches       cnats js_PublishMsgAsync of the uplink's own encoded messages, made
//                       beforehand: the transport alone, a ceiling for the uplink
//   Cluster/...         Plain/batches and Uplink/throughput again, into an R3 stream on a
//                       3-node JetStream cluster on loopback (tests/integration/nats_cluster.hpp)
//   Uplink/latency10k   10,000 observations/s in records of 10: time from the journal append
//                       (commit without fsync: the uplink's part, not the disk's) to the
//                       message arriving from the hub's stream (stored, then delivered to a
//                       consumer: an upper bound of "stored on the hub"), p50/p99/max
//
// The summary line at the end gives the ratios the goals are stated in.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "journal/journal.hpp"
#include "model/json_encoder.hpp"
#include "nats_cluster.hpp"
#include "uplinks/delivery_engine.hpp"
#include "uplinks/nats/nats_uplink.hpp"
#include "uplinks/payload/payload_codec.hpp"

namespace {

using namespace spindle;
using namespace spindle::uplinks;
using namespace spindle::uplinks::nats;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr std::size_t kRecord = 4096;  // the journal's send_batch default
constexpr int kMachines = 8;

/// One nats-server, or a 3-node cluster whose stream has 3 replicas.
struct Hub {
  std::string name;  ///< "single" or "cluster"
  fs::path dir;
  std::unique_ptr<testing::NatsServer> server;
  std::unique_ptr<testing::NatsCluster> cluster;
  std::string url;  ///< comma-separated for the cluster
  std::unique_ptr<testing::NatsClient> client;
};
Hub* g_hub = nullptr;  ///< the hub of the benchmark running now
std::map<std::string, double> g_results;
std::map<std::string, std::vector<double>> g_uplinkRuns;  ///< obs/s of each repetition, per hub
std::map<std::string, std::vector<double>> g_uplinkMsgs;  ///< messages/s of the same

/// Observations as collectors make them: mostly samples, some events with short strings.
struct Data {
  model::ItemCatalog catalog;
  std::vector<model::MachineId> machines;
  std::vector<std::vector<model::ItemId>> items;
  Data() {
    for (int m = 0; m < kMachines; ++m) {
      machines.push_back(catalog.addMachine("mill-" + std::to_string(m + 1)));
      std::vector<model::ItemId> ids;
      for (const char* key :
           {"Xact", "Yact", "Zact", "Sspeed", "Sload", "Fact", "execution", "part_count"}) {
        ids.push_back(catalog.intern(machines.back(), key).value());
      }
      items.push_back(ids);
    }
  }
  model::Batch record(std::uint64_t n, TimestampNs t) {
    model::Batch b;
    b.reserve(kRecord);
    for (std::size_t i = 0; i < kRecord; ++i, ++n) {
      const int m = static_cast<int>(n % kMachines);
      const int k = static_cast<int>((n / kMachines) % 8);
      model::Observation o{
          machines[m],          items[m][k], t + static_cast<TimestampNs>(i) * 1000,
          model::Kind::kSample, 0,           0.0};
      if (k == 6) {
        o.kind = model::Kind::kEvent;
        o.value = std::string(n % 3 ? "ACTIVE" : "READY");
      } else if (k == 7) {
        o.kind = model::Kind::kEvent;
        o.value = static_cast<std::int64_t>(n / 64);
      } else {
        o.value = 100.0 + static_cast<double>(n % 1000) * 0.125;
      }
      b.push_back(std::move(o));
    }
    return b;
  }
};

void purge() {
  jsStreamInfo* si = nullptr;
  js_PurgeStream(g_hub->client->js(), "SPINDLE", nullptr, nullptr);
  jsStreamInfo_Destroy(si);
}

/// A journal in a fresh temporary folder, written by the calling thread.
struct BenchJournal {
  BenchJournal() {
    dir = std::filesystem::temp_directory_path() /
          ("spindle_nats_bench_" + std::to_string(::getpid()) + "_" + std::to_string(++count));
    std::filesystem::remove_all(dir);
    journal::Settings s;
    s.dir = dir.string();
    s.sync = journal::SyncPolicy{journal::SyncMode::kNever, {}};
    s.consumers = {"nats"};
    auto opened = journal::Journal::open(s, clock);
    if (opened) j = std::move(*opened);
  }
  ~BenchJournal() {
    j.reset();
    std::filesystem::remove_all(dir);
  }
  std::uint64_t append(const model::Batch& b, const model::ItemCatalog& catalog) {
    const auto r = j->append(b, catalog);
    (void)j->commit();
    return r ? r->firstSequence : 0;
  }
  /// A new consumer each run: the cursor of the last one is forgotten.
  void forgetCursor() { std::filesystem::remove(j->cursorPath("nats")); }
  static inline int count = 0;
  std::filesystem::path dir;
  SystemClock clock;
  std::unique_ptr<journal::Journal> j;
};

std::unique_ptr<uplinks::DeliveryEngine> makeEngine(BenchJournal& journal,
                                                    const NatsOptions& options,
                                                    const std::string& edge,
                                                    NatsConnection& connection,
                                                    const model::ItemCatalog& catalog) {
  return std::make_unique<uplinks::DeliveryEngine>(
      *journal.j, std::make_unique<NatsUplink>(options, edge, connection, catalog),
      const_cast<model::ItemCatalog&>(catalog));
}

std::uint64_t counterOf(const uplinks::DeliveryStats& s, const std::string& name) {
  for (const auto& [n, v] : s.counters) {
    if (n == name) return v;
  }
  return 0;
}

NatsOptions benchOptions() {
  NatsOptions o;
  o.servers = testing::splitUrls(g_hub->url);
  o.maxBatch = 1000;
  o.backlogRate = 0;  // throughput: the whole journal is sent as fast as the window allows
  o.liveWindow = UINT64_MAX / 2;
  return o;
}

void uplinkThroughput(benchmark::State& state, Hub* hub) {
  g_hub = hub;
  Data data;
  const std::size_t records = static_cast<std::size_t>(state.range(0)) / kRecord;
  BenchJournal journal;
  for (std::size_t r = 0; r < records; ++r) {
    journal.append(data.record(r * kRecord, wallClockNs()), data.catalog);
  }
  double seconds = 0;
  uplinks::DeliveryStats stats;
  for (auto _ : state) {
    purge();
    journal.forgetCursor();
    NatsConnection connection(benchOptions(), "bench");
    auto uplink = makeEngine(journal, benchOptions(), "bench", connection, data.catalog);
    (void)connection.start();
    while (!connection.connected()) std::this_thread::sleep_for(1ms);
    const auto start = std::chrono::steady_clock::now();
    (void)uplink->start();
    while (uplink->stats().position < journal.j->durableSequence()) {
      std::this_thread::sleep_for(1ms);
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    stats = uplink->stats();
    uplink->stop();
    state.SetIterationTime(seconds);
  }
  const double obs = static_cast<double>(records * kRecord);
  state.counters["obs_per_s"] = obs / seconds;
  state.counters["msgs_per_s"] = static_cast<double>(counterOf(stats, "acked")) / seconds;
  state.counters["bytes_per_obs"] = static_cast<double>(counterOf(stats, "bytes_out")) / obs;
  state.counters["raw_bytes_per_obs"] = static_cast<double>(counterOf(stats, "bytes_raw")) / obs;
  g_uplinkRuns[hub->name].push_back(obs / seconds);
  g_uplinkMsgs[hub->name].push_back(static_cast<double>(counterOf(stats, "acked")) / seconds);
}

/// Publishes prepared messages with a bounded window; returns seconds.
double publishPlain(std::vector<natsMsg*>& msgs, int window) {
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = window;
  jsCtx* js = nullptr;
  natsConnection_JetStream(&js, g_hub->client->nc(), &jo);
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = 30000;
  const auto start = std::chrono::steady_clock::now();
  for (auto*& m : msgs) {
    if (js_PublishMsgAsync(js, &m, nullptr) != NATS_OK) std::abort();
  }
  if (js_PublishAsyncComplete(js, &po) != NATS_OK) std::abort();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  jsCtx_Destroy(js);
  return s;
}

void plainPerObservation(benchmark::State& state, Hub* hub) {
  g_hub = hub;
  Data data;
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  double seconds = 0;
  for (auto _ : state) {
    state.PauseTiming();
    purge();
    std::vector<natsMsg*> msgs;
    msgs.reserve(n);
    std::string line;
    std::uint64_t seq = 1;
    for (std::size_t r = 0; r < n / kRecord; ++r) {
      for (const auto& o : data.record(r * kRecord, wallClockNs())) {
        line.clear();
        model::appendJsonLine(line, o, data.catalog);
        const std::string subject = "spindle.plain.data." + data.catalog.machineName(o.machine);
        natsMsg* m = nullptr;
        natsMsg_Create(&m, subject.c_str(), nullptr, line.data(), static_cast<int>(line.size()));
        natsMsgHeader_Set(m, kHeaderMsgId, messageId("plain", 0, seq++).c_str());
        msgs.push_back(m);
      }
    }
    state.ResumeTiming();
    seconds = publishPlain(msgs, 4096);
    state.SetIterationTime(seconds);
  }
  state.counters["obs_per_s"] = static_cast<double>(n) / seconds;
  g_results["plain_per_obs"] = static_cast<double>(n) / seconds;
}

void plainBatches(benchmark::State& state, Hub* hub) {
  g_hub = hub;
  Data data;
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  BatchEncoder encoder(data.catalog);
  Compressor compressor(4096, 1);
  double seconds = 0;
  std::size_t messages = 0;
  for (auto _ : state) {
    purge();
    std::vector<natsMsg*> msgs;
    std::string raw, packed;
    std::uint64_t seq = 1;
    for (std::size_t r = 0; r < n / kRecord; ++r) {
      const model::Batch rec = data.record(r * kRecord, wallClockNs());
      for (int m = 0; m < kMachines; ++m) {
        std::vector<std::uint32_t> indices;
        for (std::uint32_t i = m; i < rec.size(); i += kMachines) indices.push_back(i);
        raw.clear();
        encoder.encode("plain", data.catalog.machineName(data.machines[m]),
                       RecordPart{rec, seq, indices}, raw);
        const Encoding enc = compressor.pack(raw, packed);
        const std::string subject =
            "spindle.plain.data." + data.catalog.machineName(data.machines[m]);
        natsMsg* msg = nullptr;
        natsMsg_Create(&msg, subject.c_str(), nullptr, packed.data(),
                       static_cast<int>(packed.size()));
        natsMsgHeader_Set(msg, kHeaderMsgId, messageId("plain", 0, seq + indices.front()).c_str());
        natsMsgHeader_Set(msg, kHeaderEncoding, toString(enc));
        msgs.push_back(msg);
      }
      seq += kRecord;
    }
    messages = msgs.size();
    seconds = publishPlain(msgs, 256);
    state.SetIterationTime(seconds);
  }
  state.counters["obs_per_s"] = static_cast<double>(n) / seconds;
  state.counters["msgs_per_s"] = static_cast<double>(messages) / seconds;
  g_results[hub->name + "_plain_batches"] = static_cast<double>(n) / seconds;
  g_results[hub->name + "_plain_batches_msgs"] = static_cast<double>(messages) / seconds;
}

void latency10k(benchmark::State& state, Hub* hub) {
  g_hub = hub;
  Data data;
  std::vector<double> latencies;
  for (auto _ : state) {
    purge();
    BenchJournal journal;
    NatsOptions options = benchOptions();
    options.liveWindow = 20000;
    NatsConnection connection(options, "lat");
    auto uplink = makeEngine(journal, options, "lat", connection, data.catalog);
    (void)connection.start();
    (void)uplink->start();
    std::mutex mutex;
    std::unordered_map<std::uint64_t, std::chrono::steady_clock::time_point> appended;
    // The hub side: a consumer of the stream stamps each message's arrival.
    natsSubscription* sub = nullptr;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = "SPINDLE";
    so.Ordered = true;
    js_SubscribeSync(&sub, g_hub->client->js(), "spindle.lat.data.>", nullptr, &so, nullptr);
    std::atomic<bool> done{false};
    std::thread consumer([&] {
      while (!done) {
        natsMsg* m = nullptr;
        if (natsSubscription_NextMsg(&m, sub, 100) != NATS_OK) continue;
        const auto now = std::chrono::steady_clock::now();
        const char* seq = nullptr;
        natsMsgHeader_Get(m, kHeaderSeq, &seq);
        const std::uint64_t first = seq ? std::strtoull(seq, nullptr, 10) : 0;
        std::lock_guard lock(mutex);
        if (auto it = appended.find(first); it != appended.end()) {
          latencies.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
        }
        natsMsg_Destroy(m);
      }
    });
    std::this_thread::sleep_for(200ms);
    // 10 observations per millisecond of one machine: 10,000 observations/s for 5 s.
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t n = 0;
    for (int tick = 0; tick < 5000; ++tick) {
      std::this_thread::sleep_until(start + tick * 1ms);
      model::Batch b;
      for (int i = 0; i < 10; ++i, ++n) {
        b.push_back({data.machines[0], data.items[0][n % 6], wallClockNs(), model::Kind::kSample, 0,
                     static_cast<double>(n)});
      }
      std::lock_guard lock(mutex);
      const auto at = std::chrono::steady_clock::now();
      appended[journal.append(b, data.catalog)] = at;
    }
    while (uplink->stats().position < journal.j->durableSequence()) {
      std::this_thread::sleep_for(1ms);
    }
    std::this_thread::sleep_for(200ms);
    done = true;
    consumer.join();
    natsSubscription_Destroy(sub);
    uplink->stop();
    state.SetIterationTime(5.0);
  }
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    return latencies.empty() ? 0.0
                             : latencies[static_cast<std::size_t>(p * (latencies.size() - 1))];
  };
  state.counters["samples"] = static_cast<double>(latencies.size());
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p99_ms"] = pct(0.99);
  state.counters["max_ms"] = latencies.empty() ? 0 : latencies.back();
  g_results["p99_ms"] = pct(0.99);
}

/// The median of a hub's runs, and its smallest and largest.
struct Runs {
  double median = 0, low = 0, high = 0;
};
Runs runsOf(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

bool startHub(Hub& hub, const std::string& name) {
  hub.name = name;
  hub.dir =
      fs::temp_directory_path() / ("spindle_nats_bench_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(hub.dir);
  testing::NatsServerConfig config;
  config.name = "hub";
  int replicas = 1;
  if (name == "cluster") {
    hub.cluster = std::make_unique<testing::NatsCluster>(hub.dir, config);
    replicas = hub.cluster->size();
    if (!hub.cluster->start()) {
      std::fprintf(stderr, "the cluster did not start:\n%s\n", hub.cluster->log().c_str());
      return false;
    }
    hub.url = hub.cluster->url();
  } else {
    hub.server = std::make_unique<testing::NatsServer>(hub.dir, config);
    if (!hub.server->start()) {
      std::fprintf(stderr, "nats-server did not start:\n%s\n", hub.server->log().c_str());
      return false;
    }
    hub.url = hub.server->url();
  }
  hub.client = std::make_unique<testing::NatsClient>(hub.url);
  return hub.client->addStream("SPINDLE", {"spindle.*.data.>"}, 120s, replicas) &&
         (!hub.cluster || hub.cluster->waitStreamComplete("SPINDLE"));
}

void stopHub(Hub& hub) {
  hub.client.reset();
  if (hub.server) hub.server->stop();
  if (hub.cluster) hub.cluster->stop();
  fs::remove_all(hub.dir);
}

}  // namespace

int main(int argc, char** argv) {
  if (testing::natsServerBinary().empty()) {
    std::fprintf(stderr, "nats_bench needs nats-server (apt-get install nats-server)\n");
    return 1;
  }
  spdlog::set_level(spdlog::level::warn);
  Hub single, cluster;
  if (!startHub(single, "single") || !startHub(cluster, "cluster")) return 1;

  const std::int64_t n = 4 * 1024 * 1024;  // observations per throughput run
  benchmark::RegisterBenchmark("Plain/per-observation", plainPerObservation, &single)
      ->Arg(1 << 20)
      ->UseManualTime()
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Plain/batches", plainBatches, &single)
      ->Arg(n)
      ->UseManualTime()
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Uplink/throughput", uplinkThroughput, &single)
      ->Arg(n)
      ->UseManualTime()
      ->Iterations(1)
      ->Repetitions(5)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Uplink/latency10k", latency10k, &single)
      ->UseManualTime()
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Cluster/plain-batches", plainBatches, &cluster)
      ->Arg(n)
      ->UseManualTime()
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("Cluster/uplink-throughput", uplinkThroughput, &cluster)
      ->Arg(n)
      ->UseManualTime()
      ->Iterations(1)
      ->Repetitions(3)
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  // The uplink's figure is the median of its repetitions, shown with the spread.
  const Runs uplink = runsOf(g_uplinkRuns["single"]);
  g_results["uplink"] = uplink.median;
  auto get = [](const char* k) { return g_results.count(k) ? g_results[k] : 0.0; };
  std::printf(
      "\nsummary: uplink %.2fM obs/s, median of %zu runs (min %.2fM, max %.2fM; goal >= 1M); plain "
      "per-observation publisher %.2fM obs/s "
      "-> uplink/plain %.1fx (goal >= 0.5x); plain publisher of ready-made batches %.2fM obs/s "
      "-> uplink is %.0f%% of the transport alone; p99 at 10k obs/s %.2f ms (goal <= 20 ms)\n",
      get("uplink") / 1e6, g_uplinkRuns["single"].size(), uplink.low / 1e6, uplink.high / 1e6,
      get("plain_per_obs") / 1e6,
      get("plain_per_obs") > 0 ? get("uplink") / get("plain_per_obs") : 0.0,
      get("single_plain_batches") / 1e6,
      get("single_plain_batches") > 0 ? 100.0 * get("uplink") / get("single_plain_batches") : 0.0,
      get("p99_ms"));
  // Single node and the R3 cluster side by side: the edge's uplink and plain cnats.
  for (const char* name : {"single", "cluster"}) {
    const Runs obs = runsOf(g_uplinkRuns[name]);
    const Runs msgs = runsOf(g_uplinkMsgs[name]);
    const std::string plain = std::string(name) + "_plain_batches";
    std::printf(
        "summary: %-7s (%s): edge uplink %.2fM obs/s, %.0f messages/s (median of %zu, "
        "%.2fM-%.2fM); "
        "plain cnats async publisher %.2fM obs/s, %.0f messages/s\n",
        name, std::string(name) == "cluster" ? "3 nodes, R3 stream" : "1 node, R1 stream",
        obs.median / 1e6, msgs.median, g_uplinkRuns[name].size(), obs.low / 1e6, obs.high / 1e6,
        get(plain.c_str()) / 1e6, get((plain + "_msgs").c_str()));
  }
  stopHub(single);
  stopHub(cluster);
  return 0;
}
