// The OPC UA client stack (src/opcua: SecureChannel, ClientSession) against a real node-opcua
// server on 127.0.0.1 (opcua_peer.hpp): None and secure channels, user names, trust, browse,
// read, subscriptions, a server that stops, token renewal.
#include <algorithm>
#include <atomic>
#include <future>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "opcua/client_session.hpp"
#include "opcua_peer.hpp"

namespace spindle::opcua {
namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using testing::OpcuaPeer;
using testing::OpcuaPeerOptions;
using namespace std::chrono_literals;

constexpr const char* kCncUri = "http://spindle.test/cnc";

/// This process's folder for PKIs and peer output; removed when every test passed.
const fs::path& suiteRoot() {
  static const fs::path root = testing::opcuaSuiteRoot("spindle-opcua");
  return root;
}

fs::path freshDir(const std::string& name) { return testing::opcuaFreshDir(suiteRoot(), name); }

/// An io_context on its own thread, and helpers to run the client's calls on its strand and
/// wait for their callback with a deadline.
class Loop {
 public:
  Loop() : m_strand(asio::make_strand(m_io)), m_work(asio::make_work_guard(m_io)) {
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~Loop() {
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }
  SecureChannel::Strand& strand() { return m_strand; }

  ClientSession::ConnectFn connector(std::uint16_t port) {
    return [this, port](std::function<void(Result<ClientSession::Socket>)> done) {
      auto socket = std::make_shared<asio::ip::tcp::socket>(m_io);
      socket->async_connect(
          asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port),
          [socket, done = std::move(done)](const boost::system::error_code& ec) {
            if (ec) return done(Error(ErrorCode::kUnavailable, "connect: " + ec.message()));
            done(std::move(*socket));
          });
    };
  }

  /// Runs start(callback) on the strand and waits for the callback's value.
  template <typename T, typename F>
  Result<T> await(F start, std::chrono::milliseconds timeout = 15s) {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    asio::post(m_strand, [start = std::move(start), promise]() mutable {
      auto once = std::make_shared<std::atomic<bool>>(false);
      start([promise, once](Result<T> r) {
        if (once->exchange(true)) return;  // a second call is caught by the tests below
        promise->set_value(std::move(r));
      });
    });
    if (future.wait_for(timeout) != std::future_status::ready) {
      return Error(ErrorCode::kTimeout, "the test's deadline passed");
    }
    return future.get();
  }

  /// Runs f on the strand and returns its value.
  template <typename F>
  auto on(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto future = task.get_future();
    asio::post(m_strand, [&task] { task(); });
    return future.get();
  }

 private:
  asio::io_context m_io;
  SecureChannel::Strand m_strand;
  asio::executor_work_guard<asio::io_context::executor_type> m_work;
  std::thread m_thread;
};

class OpcuaClient : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    OpcuaPeerOptions options;
    options.users = {"operator:secret"};
    s_peer = new OpcuaPeer(freshDir("shared-peer"), options);
    s_startError = s_peer->start();
  }
  static void TearDownTestSuite() {
    delete s_peer;
    s_peer = nullptr;
    const auto* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    std::error_code ignored;
    if (suite != nullptr && !suite->Failed()) fs::remove_all(suiteRoot(), ignored);
  }
  void SetUp() override { ASSERT_EQ(s_startError, "") << s_startError; }

  SessionConfig config(const std::string& policy, SecurityMode mode) {
    SessionConfig c;
    c.endpointUrl = s_peer->url();
    c.securityPolicy = policy;
    c.securityMode = mode;
    c.pkiDir = (freshDir(::testing::UnitTest::GetInstance()->current_test_info()->name()) / "pki")
                   .string();
    c.trustOnFirstUse = true;
    c.requestTimeout = 5s;
    return c;
  }

  std::shared_ptr<ClientSession> session(SessionConfig c, std::uint16_t port = 0) {
    return ClientSession::create(m_loop.strand(), std::move(c),
                                 m_loop.connector(port != 0 ? port : s_peer->port()));
  }

  Status connect(const std::shared_ptr<ClientSession>& s) {
    return m_loop.await<Ok>([s](auto done) { s->connect(done); });
  }

  Result<std::vector<DataValue>> read(const std::shared_ptr<ClientSession>& s,
                                      std::vector<NodeId> nodes) {
    return m_loop.await<std::vector<DataValue>>(
        [s, nodes](auto done) { s->read(nodes, attribute::kValue, done); });
  }

  void close(const std::shared_ptr<ClientSession>& s) {
    auto st = m_loop.await<Ok>([s](auto done) { s->closeSession(done); });
    EXPECT_TRUE(st.ok()) << st.error().describe();
  }

  NodeId cnc(const std::string& name) {
    return NodeId(static_cast<std::uint16_t>(s_peer->namespaces().at(kCncUri)), name);
  }

  static OpcuaPeer* s_peer;
  static std::string s_startError;
  Loop m_loop;
};

OpcuaPeer* OpcuaClient::s_peer = nullptr;
std::string OpcuaClient::s_startError;

TEST_F(OpcuaClient, NoneAnonymousEndpointsNamespacesBrowseTranslateRead) {
  auto s = session(config("None", SecurityMode::kNone));
  auto st = connect(s);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_GE(m_loop.on([s] { return s->endpoints().size(); }), 5u);

  auto ns = m_loop.await<std::vector<std::string>>([s](auto done) { s->readNamespaceArray(done); });
  ASSERT_TRUE(ns.ok()) << ns.error().describe();
  const auto index = m_loop.on([s] { return s->namespaceIndex(kCncUri); });
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(*index, s_peer->namespaces().at(kCncUri));

  BrowseDescription b;
  b.nodeId = NodeId(*index, std::string("CNC1"));
  b.referenceTypeId = NodeId(0, 33u);  // HierarchicalReferences
  auto refs =
      m_loop.await<std::vector<ReferenceDescription>>([s, b](auto done) { s->browse(b, done); });
  ASSERT_TRUE(refs.ok()) << refs.error().describe();
  std::vector<std::string> names;
  for (const auto& r : *refs) names.push_back(r.browseName.name.value_or(""));
  for (const char* want : {"SpindleSpeed", "PartCount", "Execution", "Running", "Axes", "Heat",
                           "Range", "FeedOverride", "Load", "ResetPartCount"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  }

  BrowsePath path;
  path.startingNode = NodeId(0, 85u);  // Objects
  for (const char* step : {"CNC1", "SpindleSpeed"}) {
    RelativePathElement e;
    e.referenceTypeId = NodeId(0, 33u);
    e.targetName = QualifiedName{*index, std::string(step)};
    path.relativePath.elements.push_back(e);
  }
  auto targets = m_loop.await<std::vector<BrowsePathResult>>(
      [s, path](auto done) { s->translateBrowsePaths({path}, done); });
  ASSERT_TRUE(targets.ok()) << targets.error().describe();
  ASSERT_EQ(targets->size(), 1u);
  ASSERT_TRUE(targets->front().statusCode.isGood()) << describe(targets->front().statusCode);
  ASSERT_EQ(targets->front().targets.size(), 1u);
  EXPECT_EQ(targets->front().targets.front().targetId.nodeId, cnc("CNC1.SpindleSpeed"));

  auto values = read(s, {cnc("CNC1.SpindleSpeed"), cnc("CNC1.PartCount"), cnc("CNC1.Execution"),
                         cnc("CNC1.Running"), cnc("CNC1.Axes"), cnc("CNC1.Heat"), cnc("CNC1.Range"),
                         cnc("Load.Item1")});
  ASSERT_TRUE(values.ok()) << values.error().describe();
  ASSERT_EQ(values->size(), 8u);
  for (const auto& v : *values) {
    ASSERT_TRUE(v.value.has_value());
    EXPECT_FALSE(v.status && v.status->isBad());
  }
  const auto& vs = *values;
  EXPECT_EQ(vs[0].value->type(), BuiltinType::kDouble);
  EXPECT_EQ(vs[1].value->type(), BuiltinType::kInt32);
  EXPECT_EQ(vs[2].value->type(), BuiltinType::kString);
  EXPECT_EQ(vs[3].value->type(), BuiltinType::kBoolean);
  const auto* axes = std::get_if<std::vector<double>>(&vs[4].value->value);
  ASSERT_NE(axes, nullptr);
  EXPECT_EQ(axes->size(), 3u);
  const auto* heat = std::get_if<std::vector<double>>(&vs[5].value->value);
  ASSERT_NE(heat, nullptr);
  EXPECT_EQ(heat->size(), 6u);
  EXPECT_EQ(vs[5].value->dimensions, (std::vector<std::int32_t>{2, 3}));
  EXPECT_EQ((*heat)[0], 20.0);
  const auto* range = std::get_if<ExtensionObject>(&vs[6].value->value);
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->typeId, NodeId(0, 886u));  // Range, DefaultBinary
  EXPECT_EQ(range->body.size(), 16u);         // low, high: two Doubles
  const auto* item1 = std::get_if<double>(&vs[7].value->value);
  ASSERT_NE(item1, nullptr);
  EXPECT_GE(*item1, 1.0);
  close(s);
}

struct SecureCase {
  const char* policy;
  SecurityMode mode;
};

void PrintTo(const SecureCase& c, std::ostream* os) { *os << c.policy << "/" << toString(c.mode); }

class OpcuaSecure : public OpcuaClient, public ::testing::WithParamInterface<SecureCase> {};

TEST_P(OpcuaSecure, OpensSessionAndReads) {
  auto s = session(config(GetParam().policy, GetParam().mode));
  auto st = connect(s);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  const auto [policy, mode] = m_loop.on([s] {
    return std::make_pair(std::string(s->channel()->config().policy->name),
                          s->channel()->config().mode);
  });
  EXPECT_EQ(policy, GetParam().policy);
  EXPECT_EQ(mode, GetParam().mode);
  auto v = read(s, {cnc("CNC1.SpindleSpeed"), cnc("CNC1.Heat")});
  ASSERT_TRUE(v.ok()) << v.error().describe();
  EXPECT_EQ(v->at(0).value->type(), BuiltinType::kDouble);
  close(s);
}

INSTANTIATE_TEST_SUITE_P(
    Policies, OpcuaSecure,
    ::testing::Values(SecureCase{"Basic256Sha256", SecurityMode::kSign},
                      SecureCase{"Basic256Sha256", SecurityMode::kSignAndEncrypt},
                      SecureCase{"Aes128_Sha256_RsaOaep", SecurityMode::kSign},
                      SecureCase{"Aes128_Sha256_RsaOaep", SecurityMode::kSignAndEncrypt}),
    [](const auto& p) {
      return std::string(p.param.policy) +
             (p.param.mode == SecurityMode::kSign ? "_Sign" : "_SignAndEncrypt");
    });

TEST_F(OpcuaClient, BestSecurityPicksTheStrongestOffered) {
  auto s = session(config("best", SecurityMode::kNone));
  auto st = connect(s);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(m_loop.on([s] { return std::string(s->channel()->config().policy->name); }),
            "Aes128_Sha256_RsaOaep");
  close(s);
}

TEST_F(OpcuaClient, UserNameAcceptedAndWrongPasswordRefused) {
  for (const char* policy : {"None", "Basic256Sha256"}) {
    SCOPED_TRACE(policy);
    const SecurityMode mode =
        std::string(policy) == "None" ? SecurityMode::kNone : SecurityMode::kSignAndEncrypt;
    auto c = config(policy, mode);
    c.user = UserIdentity{"operator", "secret"};
    auto good = session(c);
    auto st = connect(good);
    ASSERT_TRUE(st.ok()) << st.error().describe();
    auto v = read(good, {cnc("CNC1.PartCount")});
    EXPECT_TRUE(v.ok());
    close(good);

    c.user = UserIdentity{"operator", "wrong"};
    auto bad = session(c);
    st = connect(bad);
    ASSERT_FALSE(st.ok());
    const std::string why = st.error().describe();
    EXPECT_TRUE(why.find("BadUserAccessDenied") != std::string::npos ||
                why.find("BadIdentityTokenRejected") != std::string::npos)
        << why;
    EXPECT_NE(why.find("operator"), std::string::npos) << why;
    RecordProperty(std::string("refusal_") + policy, why);
  }
}

TEST_F(OpcuaClient, UntrustedServerCertificateRefusedThenTrusted) {
  auto c = config("Basic256Sha256", SecurityMode::kSignAndEncrypt);
  c.trustOnFirstUse = false;
  auto s = session(c);
  auto st = connect(s);
  ASSERT_FALSE(st.ok());
  const std::string why = st.error().describe();
  const fs::path rejected = fs::path(c.pkiDir) / "rejected" / "certs";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(rejected)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u) << why;
  EXPECT_NE(why.find(files.front().filename().string()), std::string::npos) << why;
  EXPECT_NE(why.find("trusted"), std::string::npos) << why;
  RecordProperty("refusal", why);

  fs::rename(files.front(), fs::path(c.pkiDir) / "trusted" / "certs" / files.front().filename());
  auto again = session(c);
  st = connect(again);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_TRUE(read(again, {cnc("CNC1.SpindleSpeed")}).ok());
  close(again);
}

TEST_F(OpcuaClient, SubscriptionDeliversDataChanges) {
  auto s = session(config("None", SecurityMode::kNone));
  ASSERT_TRUE(connect(s).ok());
  CreateSubscriptionRequest sub;
  sub.requestedPublishingInterval = 100;
  sub.requestedLifetimeCount = 300;
  sub.requestedMaxKeepAliveCount = 10;
  auto created = m_loop.await<CreateSubscriptionResponse>(
      [s, sub](auto done) { s->createSubscription(sub, done); });
  ASSERT_TRUE(created.ok()) << created.error().describe();
  const std::uint32_t id = created->subscriptionId;

  std::vector<MonitoredItemCreateRequest> items;
  std::uint32_t handle = 1;
  for (const char* name : {"CNC1.SpindleSpeed", "CNC1.PartCount"}) {
    MonitoredItemCreateRequest item;
    item.itemToMonitor.nodeId = cnc(name);
    item.requestedParameters.clientHandle = handle++;
    item.requestedParameters.samplingInterval = 100;
    item.requestedParameters.queueSize = 10;
    item.requestedParameters.filter =
        ClientSession::dataChangeFilter(DataChangeTrigger::kStatusValue, 1, 0.0);
    items.push_back(item);
  }
  auto monitored = m_loop.await<CreateMonitoredItemsResponse>(
      [s, id, items](auto done) { s->createMonitoredItems(id, items, done); });
  ASSERT_TRUE(monitored.ok()) << monitored.error().describe();
  for (const auto& r : monitored->results)
    EXPECT_TRUE(r.statusCode.isGood()) << describe(r.statusCode);

  std::set<std::uint32_t> seen;
  int speedChanges = 0;
  std::vector<SubscriptionAcknowledgement> acks;
  const auto end = std::chrono::steady_clock::now() + 5s;
  while ((seen.size() < 2 || speedChanges < 3) && std::chrono::steady_clock::now() < end) {
    auto p = m_loop.await<PublishResponse>([s, acks](auto done) { s->publish(acks, 5s, done); });
    ASSERT_TRUE(p.ok()) << p.error().describe();
    acks.clear();
    if (!p->notificationMessage.notificationData.empty()) {
      acks.push_back({p->subscriptionId, p->notificationMessage.sequenceNumber});
    }
    for (const auto& eo : p->notificationMessage.notificationData) {
      auto n = decodeNotification(eo);
      ASSERT_TRUE(n.ok()) << n.error().describe();
      if (const auto* dc = std::get_if<DataChangeNotification>(&*n)) {
        for (const auto& item : dc->monitoredItems) {
          seen.insert(item.clientHandle);
          if (item.clientHandle == 1) ++speedChanges;
        }
      }
    }
  }
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_GE(speedChanges, 3);
  auto deleted = m_loop.await<DeleteSubscriptionsResponse>(
      [s, id](auto done) { s->deleteSubscriptions({id}, done); });
  ASSERT_TRUE(deleted.ok()) << deleted.error().describe();
  close(s);
}

TEST_F(OpcuaClient, RequestTimeoutKeepsTheChannel) {
  auto s = session(config("None", SecurityMode::kNone));
  ASSERT_TRUE(connect(s).ok());
  s_peer->pause();
  auto slow = m_loop.await<std::vector<DataValue>>([s, n = cnc("CNC1.SpindleSpeed")](auto done) {
    ReadValueId id;
    id.nodeId = n;
    // Straight to the channel, for a short deadline.
    ReadRequest req;
    req.nodesToRead.push_back(id);
    s->call<ReadResponse>(req, 300ms, [done](Result<ReadResponse> r) {
      if (!r) return done(std::move(r).error());
      done(std::vector<DataValue>(r->results.begin(), r->results.end()));
    });
  });
  s_peer->resume();
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code(), ErrorCode::kTimeout) << slow.error().describe();
  auto v = read(s, {cnc("CNC1.SpindleSpeed")});
  ASSERT_TRUE(v.ok()) << v.error().describe();
  close(s);
}

TEST_F(OpcuaClient, TokenRenewal) {
  auto c = config("Basic256Sha256", SecurityMode::kSignAndEncrypt);
  c.channelLifetimeMs = 10'000;
  auto s = session(c);
  ASSERT_TRUE(connect(s).ok());
  const std::uint32_t lifetime = m_loop.on([s] { return s->channel()->token().revisedLifetime; });
  const std::uint32_t firstToken = m_loop.on([s] { return s->channel()->token().tokenId; });
  RecordProperty("revised_lifetime_ms", std::to_string(lifetime));
  ASSERT_LE(lifetime, 30'000u) << "the server revised the lifetime beyond what this test waits";
  const auto deadline = std::chrono::milliseconds(lifetime * 3 / 4) + 5s;
  EXPECT_TRUE(testing::eventually(
      [&] { return m_loop.on([s] { return s->channel()->renewals(); }) >= 1; }, deadline))
      << "revised lifetime " << lifetime << " ms";
  EXPECT_NE(m_loop.on([s] { return s->channel()->token().tokenId; }), firstToken);
  auto v = read(s, {cnc("CNC1.SpindleSpeed")});
  ASSERT_TRUE(v.ok()) << v.error().describe();
  auto again = read(s, {cnc("CNC1.PartCount")});
  ASSERT_TRUE(again.ok()) << again.error().describe();
  close(s);
}

TEST_F(OpcuaClient, ServerStoppedFailsChannelOnceAndEveryRequest) {
  OpcuaPeer peer(freshDir("stopping-peer"));
  const std::string started = peer.start();
  ASSERT_EQ(started, "") << started;
  auto c = config("None", SecurityMode::kNone);
  c.endpointUrl = peer.url();
  auto s = session(c, peer.port());
  auto closedCount = std::make_shared<std::atomic<int>>(0);
  auto reason = std::make_shared<std::string>();
  auto st = m_loop.await<Ok>([s, closedCount, reason](auto done) {
    s->setOnChannelClosed([closedCount, reason](const Error& e) {
      *reason = e.describe();
      ++*closedCount;
    });
    s->connect(done);
  });
  ASSERT_TRUE(st.ok()) << st.error().describe();
  CreateSubscriptionRequest sub;
  sub.requestedPublishingInterval = 1000;
  sub.requestedLifetimeCount = 300;
  sub.requestedMaxKeepAliveCount = 30;  // 30 s keep-alive: publishes stay outstanding
  ASSERT_TRUE(m_loop
                  .await<CreateSubscriptionResponse>(
                      [s, sub](auto done) { s->createSubscription(sub, done); })
                  .ok());
  auto completions = std::make_shared<std::atomic<int>>(0);
  auto errors = std::make_shared<std::atomic<int>>(0);
  m_loop.on([s, completions, errors] {
    for (int i = 0; i < 3; ++i) {
      s->publish({}, 60s, [completions, errors](Result<PublishResponse> r) {
        ++*completions;
        if (!r) ++*errors;
      });
    }
    return 0;
  });
  peer.stop();
  EXPECT_TRUE(testing::eventually([&] { return *completions >= 3 && *closedCount >= 1; }, 10s));
  EXPECT_EQ(*completions, 3);
  EXPECT_EQ(*errors, 3);
  EXPECT_EQ(*closedCount, 1);
  const std::string why = m_loop.on([reason] { return *reason; });
  EXPECT_FALSE(why.empty());
  RecordProperty("reason", why);
  // Nothing more arrives later.
  auto later = read(s, {cnc("CNC1.SpindleSpeed")});
  EXPECT_FALSE(later.ok());
  EXPECT_EQ(*closedCount, 1);
  EXPECT_EQ(*completions, 3);

  // The same server again on the same port: a new session connects.
  const std::string restarted = peer.restart();
  ASSERT_EQ(restarted, "") << restarted;
  auto fresh = session(c, peer.port());
  st = connect(fresh);
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_TRUE(read(fresh, {cnc("CNC1.SpindleSpeed")}).ok());
  close(fresh);
}

TEST_F(OpcuaClient, SessionReactivatedOnANewChannel) {
  auto s = session(config("Basic256Sha256", SecurityMode::kSign));
  ASSERT_TRUE(connect(s).ok());
  const auto first = m_loop.on([s] { return std::make_pair(s->sessionId(), s->channel()); });
  auto st = m_loop.await<Ok>([s](auto done) { s->reconnect(done); });
  ASSERT_TRUE(st.ok()) << st.error().describe();
  const auto second = m_loop.on([s] { return std::make_pair(s->sessionId(), s->channel()); });
  EXPECT_EQ(second.first, first.first);
  EXPECT_NE(second.second, first.second);
  EXPECT_FALSE(m_loop.on([c = first.second] { return c->isOpen(); }));
  auto v = read(s, {cnc("CNC1.SpindleSpeed")});
  ASSERT_TRUE(v.ok()) << v.error().describe();
  close(s);
}

}  // namespace
}  // namespace spindle::opcua
