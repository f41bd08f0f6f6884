// Spindle's own MTConnect interface read by Spindle's mtconnect_agent collector: every value
// of every kind arrives once, in order, streamed (XML) and polled (JSON).

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "collectors/mtconnect_agent/mtconnect_agent_collector.hpp"
#include "collectors/testing/fake_context.hpp"
#include "process.hpp"
#include "web/web_server.hpp"

namespace spindle::testing {
namespace {

using collectors::mtconnect_agent::MtconnectAgentCollector;
using collectors::mtconnect_agent::MtconnectAgentOptions;
using collectors::testing::FakeContext;
using namespace std::chrono_literals;

constexpr TimestampNs kT0 = 1714564800LL * 1'000'000'000;

class MtconnectRoundTrip : public ::testing::TestWithParam<const char*> {
 protected:
  MtconnectRoundTrip() : m_store(4096), m_work(boost::asio::make_work_guard(m_io)) {
    m_mill = m_catalog.addMachine("mill-1");
    m_other = m_catalog.addMachine("mill-2");
    m_thread = std::thread([this] { m_io.run(); });
    web::WebOptions o;
    o.bind = "127.0.0.1";
    o.port.value = 0;
    m_server = std::make_unique<web::Server>(m_io, o, m_store, m_catalog, "edge-rt");
    EXPECT_TRUE(m_server->start().ok());
  }
  ~MtconnectRoundTrip() override {
    m_server->stop();
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }

  void add(model::MachineId m, const char* key, model::Kind kind, model::Value v) {
    model::Batch b{model::Observation{m, m_catalog.intern(m, key, kind).value(),
                                      kT0 + (m_tick++) * 1000, kind, 0, std::move(v)}};
    m_store.apply(b);
  }

  MtconnectAgentOptions options(const std::string& format) {
    MtconnectAgentOptions o;
    o.host = "127.0.0.1";
    o.port.value = m_server->port();
    o.device = "mill-1";
    o.key = "name";  // Spindle's dataItemIds carry the device prefix; names are the keys
    o.format = format;
    o.mode = format == "json" ? "poll" : "stream";
    o.interval = 10ms;
    o.pollInterval = 20ms;
    o.reconnectMin = 20ms;
    o.reconnectMax = 100ms;
    return o;
  }

  model::ItemCatalog m_catalog;
  state::StateStore m_store;
  model::MachineId m_mill = 0, m_other = 0;
  std::int64_t m_tick = 0;
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  std::thread m_thread;
  std::unique_ptr<web::Server> m_server;
};

/// The emitted observations of `key` (skipping the collector's own items).
std::vector<model::Observation> of(FakeContext& ctx, const std::string& key) {
  std::vector<model::Observation> out;
  for (const auto& o : ctx.observations()) {
    if (ctx.catalog().item(o.item).key == key) out.push_back(o);
  }
  return out;
}

TEST_P(MtconnectRoundTrip, EveryKindArrivesOnceInOrder) {
  const std::string format = GetParam();
  add(m_mill, "execution", model::Kind::kEvent, std::string("READY"));
  add(m_other, "execution", model::Kind::kEvent, std::string("ACTIVE"));  // another device
  FakeContext ctx("copy");
  MtconnectAgentCollector collector(options(format));
  ASSERT_TRUE(collector.start(ctx).ok());
  ASSERT_TRUE(eventually([&] { return ctx.latestText("execution") == "READY"; }, 10s));

  for (int i = 0; i < 300; ++i) add(m_mill, "line", model::Kind::kEvent, std::int64_t{i});
  add(m_mill, "Xact", model::Kind::kSample, 12.5);
  add(m_mill, "pos", model::Kind::kSample, std::vector<double>{1, 2, 3});
  auto fault = std::make_shared<model::Condition>();
  fault->level = model::Level::kFault;
  fault->nativeCode = "E7";
  fault->nativeSeverity = "2";
  fault->text = "Spindle <hot> & loud";
  add(m_mill, "system", model::Kind::kCondition, std::shared_ptr<const model::Condition>(fault));
  auto msg = std::make_shared<model::Message>();
  msg->nativeCode = "M1";
  msg->text = "Check oil";
  add(m_mill, "message", model::Kind::kMessage, std::shared_ptr<const model::Message>(msg));
  auto vars = std::make_shared<model::DataSet>();
  vars->entries.push_back({"a", "1", {}, false});
  vars->entries.push_back({"b", "two", {}, false});
  add(m_mill, "vars", model::Kind::kDataSet, std::shared_ptr<const model::DataSet>(vars));
  add(m_mill, "execution", model::Kind::kEvent, std::string("ACTIVE"));

  ASSERT_TRUE(eventually([&] { return ctx.latestText("execution") == "ACTIVE"; }, 10s));
  const auto lines = of(ctx, "line");
  ASSERT_EQ(lines.size(), 300u);
  for (int i = 0; i < 300; ++i) EXPECT_EQ(std::get<std::int64_t>(lines[i].value), i);
  EXPECT_EQ(lines[5].timestamp, kT0 + 7 * 1000);  // timestamps survive (microseconds)

  const auto x = of(ctx, "Xact");
  ASSERT_EQ(x.size(), 1u);
  EXPECT_EQ(std::get<double>(x[0].value), 12.5);
  const auto pos = of(ctx, "pos");
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(std::get<std::vector<double>>(pos[0].value), (std::vector<double>{1, 2, 3}));
  const auto sys = of(ctx, "system");
  ASSERT_EQ(sys.size(), 1u);
  EXPECT_EQ(*std::get<std::shared_ptr<const model::Condition>>(sys[0].value), *fault);
  const auto m = of(ctx, "message");
  ASSERT_EQ(m.size(), 1u);
  // The 2.2 XML schema has no place for a message's native code; JSON carries it.
  const auto& got = *std::get<std::shared_ptr<const model::Message>>(m[0].value);
  EXPECT_EQ(got.text, msg->text);
  EXPECT_EQ(got.nativeCode, format == "json" ? msg->nativeCode : "");
  const auto v = of(ctx, "vars");
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(std::get<std::shared_ptr<const model::DataSet>>(v[0].value)->entries, vars->entries);
  // Nothing of the other device, and the derived availability came along.
  EXPECT_EQ(of(ctx, "execution").size(), 2u);
  EXPECT_EQ(ctx.latestText("avail"), "AVAILABLE");
  collector.stop();
}

INSTANTIATE_TEST_SUITE_P(Formats, MtconnectRoundTrip, ::testing::Values("xml", "json"));

}  // namespace
}  // namespace spindle::testing
