// The NATS uplink against real nats-server processes: every observation reaches the hub's
// JetStream stream exactly once, through outages, through a leaf node, with live data ahead
// of the backlog. The uplink runs on its delivery engine over a real journal here; the spindle
// binary is covered by nats_spindle_test.cpp.

#include "uplinks/nats/nats_uplink.hpp"

#include <atomic>
#include <cstdlib>

#include <gtest/gtest.h>

#include "nats_cluster.hpp"
#include "test_journal.hpp"
#include "uplinks/nats/hf_codec.hpp"
#include "uplinks/nats/hf_publisher.hpp"
#include "uplinks/testing/uplink_contract.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using uplinks::nats::NatsOptions;

/// The issue asks for a hub outage of 60 s while machines produce. The suite uses 5 s to stay
/// lean; SPINDLE_NATS_OUTAGE_S=60 (scripts/soak-nats) runs the full outage.
std::chrono::seconds hubOutage() {
  const char* env = std::getenv("SPINDLE_NATS_OUTAGE_S");
  const int seconds = env != nullptr ? std::atoi(env) : 0;
  return std::chrono::seconds(seconds > 0 ? seconds : 5);
}

NatsOptions testOptions(const std::string& url) {
  NatsOptions o;
  o.servers = splitUrls(url);
  o.reconnectMin = 50ms;
  o.reconnectMax = 1s;
  o.ackTimeout = 1s;
  o.maxBatch = 200;
  o.compressAbove = ByteSize{2048};
  o.liveWindow = 2000;
  o.backlogRate = 20000;
  return o;
}

/// Simulated machines appending records to the journal at a steady rate.
class Producer {
 public:
  Producer(TestJournal& journal, model::ItemCatalog& catalog, int machines, std::size_t recordSize)
      : m_journal(journal), m_catalog(catalog), m_recordSize(recordSize) {
    for (int m = 0; m < machines; ++m) {
      const auto id = catalog.addMachine("m" + std::to_string(m + 1));
      m_items.push_back(catalog.intern(id, "Sload", model::Kind::kSample).value());
      m_machines.push_back(id);
    }
  }
  ~Producer() { stop(); }

  /// Appends one record mixing every machine; returns its first sequence.
  std::uint64_t appendOne() {
    model::Batch b;
    for (std::size_t i = 0; i < m_recordSize; ++i) {
      const std::size_t k = (m_count + i) % m_machines.size();
      b.push_back({m_machines[k], m_items[k], wallClockNs(), model::Kind::kSample, 0,
                   static_cast<double>(m_count + i)});
    }
    const std::uint64_t first = m_journal.append(b, m_catalog);
    m_count += m_recordSize;
    return first;
  }

  /// Appends `perSecond` observations per second on a thread until stop().
  void run(double perSecond) {
    m_thread = std::thread([=, this] {
      const auto start = std::chrono::steady_clock::now();
      while (!m_stop) {
        const double due =
            perSecond *
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        while (static_cast<double>(m_count) + m_recordSize <= due && !m_stop) appendOne();
        std::this_thread::sleep_for(2ms);
      }
    });
  }
  void stop() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
  }
  std::uint64_t count() const { return m_count; }

 private:
  TestJournal& m_journal;
  model::ItemCatalog& m_catalog;
  std::size_t m_recordSize;
  std::vector<model::MachineId> m_machines;
  std::vector<model::ItemId> m_items;
  std::atomic<std::uint64_t> m_count{0};
  std::atomic<bool> m_stop{false};
  std::thread m_thread;
};

class NatsUplinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (natsServerBinary().empty()) GTEST_SKIP() << "nats-server is not installed";
    m_dir = fs::temp_directory_path() /
            ("spindle_nats_it_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(m_dir);
  }

  /// A hub with the SPINDLE stream.
  std::unique_ptr<NatsHub> startHub(bool leafListener = false) {
    NatsServerConfig c;
    c.name = "hub";
    c.jsDomain = "hub";
    c.leafListener = leafListener;
    auto hub = std::make_unique<NatsHub>(m_dir, c);
    EXPECT_TRUE(hub->start()) << hub->log();
    NatsClient client(hub->url());
    EXPECT_TRUE(client.addStream("SPINDLE", {"spindle.*.data.>"}, 600s, hub->replicas()));
    return hub;
  }

  static void expectExactlyOnce(const StoredData& d, std::uint64_t first, std::uint64_t end) {
    EXPECT_TRUE(d.error.empty()) << d.error;
    EXPECT_EQ(d.sequences.size(), end - first);
    const auto dups = d.duplicates();
    EXPECT_TRUE(dups.empty()) << dups.size() << " duplicated, the first " << dups.front();
    const auto missing = d.missing(first, end - 1);
    EXPECT_TRUE(missing.empty()) << missing.size() << " missing, the first " << missing.front();
  }

  /// The uplink on its engine; made before the connection starts (it listens to its state).
  std::unique_ptr<uplinks::DeliveryEngine> engine(TestJournal& journal, const NatsOptions& options,
                                                  const std::string& edge,
                                                  uplinks::nats::NatsConnection& connection) {
    return std::make_unique<uplinks::DeliveryEngine>(
        *journal, std::make_unique<uplinks::nats::NatsUplink>(options, edge, connection, m_catalog),
        m_catalog);
  }

  fs::path m_dir;
  model::ItemCatalog m_catalog;
};

TEST_F(NatsUplinkTest, EveryObservationArrivesOnceWithItsMachineSubject) {
  auto hub = startHub();
  TestJournal journal(m_dir);
  uplinks::nats::NatsConnection connection(testOptions(hub->url()), "plant-7");
  auto uplink = engine(journal, testOptions(hub->url()), "plant-7", connection);
  ASSERT_TRUE(connection.start().ok());
  ASSERT_TRUE(uplink->start().ok());
  Producer producer(journal, m_catalog, 3, 500);  // records of 500 split into 3 x 167 per record
  for (int i = 0; i < 60; ++i) producer.appendOne();
  const std::uint64_t end = journal.end();
  ASSERT_TRUE(eventually([&] { return uplink->stats().position == end; }, 20s))
      << uplink->stats().position << " of " << end << ": " << uplink->stats().lastError;
  // Released to the journal's retention once acknowledged.
  EXPECT_TRUE(eventually([&] { return journal->consumers().at(0).next == end; }, 5s));
  const auto stats = uplink->stats();
  uplink->stop();
  auto cursor = spindle::journal::readCursorFile(journal->cursorPath("nats"));
  ASSERT_TRUE(cursor.has_value());
  EXPECT_EQ(cursor->next, end);
  EXPECT_TRUE(cursor->acked.empty());

  NatsClient client(hub->url());
  const StoredData d = client.readStream("SPINDLE", "spindle.plant-7.data.>");
  expectExactlyOnce(d, 1, end);
  EXPECT_EQ(d.subjects, (std::set<std::string>{"spindle.plant-7.data.m1", "spindle.plant-7.data.m2",
                                               "spindle.plant-7.data.m3"}));
  EXPECT_EQ(d.machines.at("m1"), 10000u);
  EXPECT_EQ(d.messages, 60u * 3u);  // one message per machine per record (167 <= max_batch)
  EXPECT_GT(d.compressed, 0u);
  EXPECT_EQ(counter(stats, "duplicates"), 0u);
}

TEST_F(NatsUplinkTest, HubDownWhileMachinesProduceThenBackStoresEachObservationOnce) {
  auto hub = startHub();
  TestJournal journal(m_dir);
  const NatsOptions options = testOptions(hub->url());
  uplinks::nats::NatsConnection connection(options, "e1");
  auto uplink = engine(journal, options, "e1", connection);
  ASSERT_TRUE(connection.start().ok());
  ASSERT_TRUE(uplink->start().ok());
  Producer producer(journal, m_catalog, 4, 20);
  producer.run(2000);
  ASSERT_TRUE(eventually([&] { return uplink->stats().position > 2000; }, 10s));

  hub->kill9();  // the hub dies while machines keep producing
  ASSERT_TRUE(eventually([&] { return !connection.connected(); }, 10s));
  const auto downAt = std::chrono::steady_clock::now();
  const std::uint64_t cursorAtOutage = uplink->stats().position;
  const auto outage = hubOutage();
  std::this_thread::sleep_for(outage);
  EXPECT_LE(uplink->stats().position, cursorAtOutage + 2000);  // nothing acknowledged meanwhile
  EXPECT_GE(journal.end() - uplink->stats().position,
            static_cast<std::uint64_t>(outage.count()) * 1000u)
      << "machines kept producing into the journal";
  ASSERT_TRUE(hub->start()) << hub->log();
  EXPECT_TRUE(eventually([&] { return connection.connected(); }, 10s));
  EXPECT_GE(std::chrono::steady_clock::now() - downAt, outage);

  std::this_thread::sleep_for(1s);
  producer.stop();
  const std::uint64_t end = journal.end();
  ASSERT_TRUE(eventually([&] { return uplink->stats().position == end; }, 60s))
      << uplink->stats().position << " of " << end << ": " << uplink->stats().lastError;
  const auto stats = uplink->stats();
  uplink->stop();
  connection.stop();
  EXPECT_EQ(connection.status().disconnects, 1u);
  EXPECT_EQ(connection.status().reconnects, 1u);

  NatsClient client(hub->url());
  expectExactlyOnce(client.readStream("SPINDLE", "spindle.e1.data.>"), 1, end);
}

TEST_F(NatsUplinkTest, UnansweredPublishesAreSentAgainAndTheHubDropsTheDuplicates) {
  auto hub = startHub();
  TestJournal journal(m_dir);
  const NatsOptions options = testOptions(hub->url());
  uplinks::nats::NatsConnection connection(options, "e1");
  auto uplink = engine(journal, options, "e1", connection);
  ASSERT_TRUE(connection.start().ok());
  ASSERT_TRUE(uplink->start().ok());
  Producer producer(journal, m_catalog, 2, 20);
  producer.run(2000);
  ASSERT_TRUE(eventually([&] { return uplink->stats().position > 1000; }, 10s));
  // Frozen, the hub keeps the connection but answers nothing: acks time out (ack_timeout 1s).
  // Thawed, it stores what it had received; the uplink sends those again and the hub
  // recognizes their Nats-Msg-Id.
  hub->pause();
  ASSERT_TRUE(eventually([&] { return counter(uplink->stats(), "failed") > 0; }, 10s));
  hub->resume();
  std::this_thread::sleep_for(1s);
  producer.stop();
  const std::uint64_t end = journal.end();
  ASSERT_TRUE(eventually([&] { return uplink->stats().position == end; }, 30s))
      << uplink->stats().position << " of " << end << ": " << uplink->stats().lastError;
  const auto stats = uplink->stats();
  uplink->stop();
  EXPECT_GT(counter(stats, "duplicates"), 0u);
  EXPECT_EQ(connection.status().disconnects, 0u);
  NatsClient client(hub->url());
  expectExactlyOnce(client.readStream("SPINDLE", "spindle.e1.data.>"), 1, end);
}

TEST_F(NatsUplinkTest, LiveDataIsNotStarvedByTheBacklog) {
  auto hub = startHub();
  TestJournal journal(m_dir);
  NatsOptions options = testOptions(hub->url());
  options.backlogRate = 20000;  // the 100k backlog takes ~5 s
  options.liveWindow = 1000;
  Producer producer(journal, m_catalog, 2, 100);
  for (int i = 0; i < 1000; ++i) producer.appendOne();  // 100k observations waiting
  uplinks::nats::NatsConnection connection(options, "e1");
  auto uplink = engine(journal, options, "e1", connection);
  ASSERT_TRUE(connection.start().ok());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(uplink->start().ok());
  // Live records appended now are acknowledged within moments, while the backlog drains.
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(200ms);
    const std::uint64_t live = producer.appendOne();
    EXPECT_TRUE(eventually([&] { return uplink->isDelivered(live); }, 1s)) << "live record " << i;
    EXPECT_GT(uplink->stats().backlog, 0u) << "the backlog should still be draining";
  }
  const std::uint64_t end = journal.end();
  ASSERT_TRUE(eventually([&] { return uplink->stats().position == end; }, 30s));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Paced: 100k observations at 20k/s cannot take much less than 5 s.
  EXPECT_GT(seconds, 4.0);
  uplink->stop();
  NatsClient client(hub->url());
  expectExactlyOnce(client.readStream("SPINDLE", "spindle.e1.data.>"), 1, end);
}

TEST_F(NatsUplinkTest, ThroughALocalLeafNodeToTheHub) {
  auto hub = startHub(true);
  NatsServerConfig leafConfig;
  leafConfig.name = "leaf";
  leafConfig.jsDomain = "leaf";
  leafConfig.leafRemotePort = hub->leafPort();
  NatsServer leaf(m_dir, leafConfig);
  ASSERT_TRUE(leaf.start()) << leaf.log();

  TestJournal journal(m_dir);
  NatsOptions options = testOptions(leaf.url());  // Spindle talks to the local leaf only
  options.jsDomain = "hub";
  uplinks::nats::NatsConnection connection(options, "e1");
  auto uplink = engine(journal, options, "e1", connection);
  ASSERT_TRUE(connection.start().ok());
  ASSERT_TRUE(uplink->start().ok());
  Producer producer(journal, m_catalog, 2, 100);
  for (int i = 0; i < 50; ++i) producer.appendOne();
  const std::uint64_t end = journal.end();
  ASSERT_TRUE(eventually([&] { return uplink->stats().position == end; }, 20s))
      << uplink->stats().lastError;
  uplink->stop();
  NatsClient client(hub->url());
  expectExactlyOnce(client.readStream("SPINDLE", "spindle.e1.data.>"), 1, end);
}

TEST_F(NatsUplinkTest, HighFrequencySamplesArriveInCompactBatches) {
  auto hub = startHub();
  NatsOptions options = testOptions(hub->url());
  options.hfItems = {"S1load"};
  options.hfFlush = 50ms;
  uplinks::nats::NatsConnection connection(options, "e1");
  ASSERT_TRUE(connection.start().ok());
  ASSERT_TRUE(eventually([&] { return connection.connected(); }, 5s));
  NatsClient client(hub->url());
  natsSubscription* sub = nullptr;
  ASSERT_EQ(natsConnection_SubscribeSync(&sub, client.nc(), "spindle.e1.hf.>"), NATS_OK);
  natsConnection_Flush(client.nc());

  uplinks::nats::HfPublisher hf(options, "e1", connection, m_catalog);
  ASSERT_TRUE(hf.start().ok());
  const auto mill = m_catalog.addMachine("mill-1");
  const auto load = m_catalog.intern(mill, "S1load", model::Kind::kSample).value();
  const auto other = m_catalog.intern(mill, "Xpos", model::Kind::kSample).value();
  const auto wave = m_catalog.intern(mill, "vibration", model::Kind::kTimeSeries).value();
  const TimestampNs t0 = wallClockNs();
  model::Batch batch;
  for (int i = 0; i < 1000; ++i) {  // one second of spindle load at 1 kHz
    batch.push_back({mill, load, t0 + i * 1'000'000LL, model::Kind::kSample, 0, 10.0 + i % 7});
    batch.push_back({mill, other, t0 + i * 1'000'000LL, model::Kind::kSample, 0, 1.0});
  }
  auto series = std::make_shared<model::TimeSeries>();
  series->sampleRate = 100;
  series->samples = {1, 2, 3, 4};
  batch.push_back({mill, wave, t0 + 999'000'000LL, model::Kind::kTimeSeries, 0,
                   std::shared_ptr<const model::TimeSeries>(series)});
  hf.offer(batch);

  std::size_t loadSamples = 0, waveSamples = 0;
  while (loadSamples < 1000 || waveSamples < 4) {
    natsMsg* msg = nullptr;
    ASSERT_EQ(natsSubscription_NextMsg(&msg, sub, 5000), NATS_OK) << loadSamples;
    EXPECT_STREQ(natsMsg_GetSubject(msg), "spindle.e1.hf.mill-1");
    const char* enc = nullptr;
    natsMsgHeader_Get(msg, uplinks::kHeaderEncoding, &enc);
    auto raw = uplinks::unpack(std::string_view(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)),
                               uplinks::parseEncoding(enc ? enc : "").value());
    ASSERT_TRUE(raw.ok());
    auto decoded = uplinks::nats::decodeHf(*raw);
    ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
    for (const auto& s : decoded->series) {
      EXPECT_NE(s.item, "Xpos");  // not configured for the channel
      if (s.item == "S1load") {
        for (std::size_t i = 0; i < s.values.size(); ++i) {
          EXPECT_EQ(s.timestamps[i] / 1000,
                    (t0 + static_cast<TimestampNs>(loadSamples + i) * 1'000'000) / 1000);
        }
        loadSamples += s.values.size();
      }
      if (s.item == "vibration") {
        waveSamples += s.values.size();
        EXPECT_EQ(s.timestamps.back() - s.timestamps.front(), 30'000'000);  // 3 steps at 100 Hz
      }
    }
    natsMsg_Destroy(msg);
  }
  EXPECT_EQ(loadSamples, 1000u);
  hf.stop();
  EXPECT_EQ(hf.stats().samples, 1004u);
  EXPECT_EQ(hf.stats().dropped, 0u);
  natsSubscription_Destroy(sub);
}

}  // namespace

// The uplink contract (uplinks/testing/uplink_contract.hpp) against a real hub.
struct NatsPeer {
  void SetUp(const fs::path& dir) {
    ASSERT_FALSE(natsServerBinary().empty()) << "nats-server is not installed (scripts/setup)";
    fs::create_directories(dir);
    NatsServerConfig c;
    c.name = "hub";
    hub = std::make_unique<NatsHub>(dir, c);
    ASSERT_TRUE(hub->start()) << hub->log();
    NatsClient client(hub->url());
    ASSERT_TRUE(client.addStream("SPINDLE", {"spindle.*.data.>"}, 600s, hub->replicas()));
  }
  void TearDown() {
    connections.clear();
    hub.reset();
  }
  std::unique_ptr<uplinks::Uplink> make(model::ItemCatalog& catalog) {
    const NatsOptions options = testOptions(hub->url());
    connections.push_back(std::make_unique<uplinks::nats::NatsConnection>(options, "e1"));
    auto uplink =
        std::make_unique<uplinks::nats::NatsUplink>(options, "e1", *connections.back(), catalog);
    EXPECT_TRUE(connections.back()->start().ok());
    EXPECT_TRUE(eventually([&] { return connections.back()->connected(); }, 10s));
    return uplink;
  }
  std::vector<std::uint64_t> received() {
    NatsClient client(hub->url());
    const StoredData d = client.readStream("SPINDLE", "spindle.e1.data.>");
    EXPECT_TRUE(d.error.empty()) << d.error;
    return d.sequences;
  }
  std::unique_ptr<NatsHub> hub;
  std::vector<std::unique_ptr<uplinks::nats::NatsConnection>> connections;
};

}  // namespace spindle::testing

namespace spindle::uplinks::testing {
INSTANTIATE_TYPED_TEST_SUITE_P(Nats, UplinkContract, spindle::testing::NatsPeer);
}  // namespace spindle::uplinks::testing
