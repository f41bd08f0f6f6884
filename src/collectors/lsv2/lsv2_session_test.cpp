// The session against the LSV2 simulator on loopback: the buffer agreed per control (C_CC 7,
// 6, none), a multi-block file reply reassembled with every block acknowledged and no
// telegram ever larger than the buffer, and a request too large for the buffer refused before
// it is sent.

#include "collectors/lsv2/lsv2_session.hpp"

#include <future>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>

#include "collectors/lsv2/testing/lsv2_controls.hpp"
#include "collectors/testing/wait_until.hpp"

namespace spindle::collectors::lsv2 {
namespace {

using namespace std::chrono_literals;
using sim::Lsv2Identity;
using testing::waitUntil;

struct Recorder : SessionHandler {
  std::promise<Identity> identity;
  bool done = false;
  void onConnected(const std::string&, const Identity& id) override {
    if (!done) identity.set_value(id);
    done = true;
  }
  void onDisconnected(const std::string&, Duration, bool) override {}
};

/// A session of its own io thread against one simulated control.
struct Client {
  explicit Client(std::uint16_t port) {
    SessionOptions o;
    o.host = "127.0.0.1";
    o.port = port;
    o.requestTimeout = 2s;
    o.logins = {{"FILE", ""}};
    session = std::make_shared<Lsv2Session>(boost::asio::make_strand(io), o, recorder);
    session->start();
    thread = std::thread([this] { io.run(); });
  }
  ~Client() {
    session->stop();
    work.reset();
    thread.join();
  }
  Identity identity() {
    auto f = recorder->identity.get_future();
    EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
    return f.get();
  }
  Result<std::vector<Telegram>> readFile(const std::string& path) {
    std::promise<Result<std::vector<Telegram>>> p;
    boost::asio::post(io, [&] {
      session->transactBlocks(fileRequest(path, false),
                              [&](Result<std::vector<Telegram>> r) { p.set_value(std::move(r)); });
    });
    auto f = p.get_future();
    if (f.wait_for(5s) != std::future_status::ready) {
      return Error(ErrorCode::kTimeout, "no answer");
    }
    return f.get();
  }
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::shared_ptr<Recorder> recorder = std::make_shared<Recorder>();
  std::shared_ptr<Lsv2Session> session;
  std::thread thread;
};

TEST(Lsv2Session, AgreesTheLargestBufferAndReadsAMultiBlockReplyWithinIt) {
  struct Want {
    Lsv2Identity id;
    std::size_t buffer;
  };
  std::string content;
  for (int i = 0; content.size() < 20000; ++i) content += "line " + std::to_string(i) + "\n";
  for (const Want& w : {Want{Lsv2Identity::kTnc7, 4096}, Want{Lsv2Identity::kTnc640, 3072},
                        Want{Lsv2Identity::kTnc426, 256}}) {
    SCOPED_TRACE(w.buffer);
    testing::Lsv2Controls controls({w.id});
    controls.sim->server(0).withControl(
        [&](sim::Lsv2Control& c) { c.setFile("TNC:\\big.txt", content); });
    Client client(controls.port());
    const Identity id = client.identity();
    EXPECT_EQ(id.buffer, w.buffer);
    EXPECT_TRUE(id.has("DNC"));
    EXPECT_TRUE(id.has("FILE"));
    ASSERT_TRUE(id.parameters.has_value());
    auto blocks = client.readFile("TNC:\\big.txt");
    ASSERT_TRUE(blocks.ok()) << blocks.error().describe();
    std::string got;
    for (const auto& b : *blocks) {
      EXPECT_TRUE(b.is(code::kFileBlock));
      EXPECT_LE(kHeaderSize + b.payload.size(), w.buffer);
      got.append(b.payload.begin(), b.payload.end());
    }
    EXPECT_EQ(got, content);
    EXPECT_EQ(blocks->size(),
              (content.size() + w.buffer - kHeaderSize - 1) / (w.buffer - kHeaderSize));
    EXPECT_EQ(controls.sim->server(0).largestBuffer(), w.buffer);
    EXPECT_LE(controls.sim->server(0).largestRequest(), w.buffer);
    EXPECT_EQ(controls.sim->server(0).oversized(), 0u);
    // A missing file is the control's T_ER, not a lost session.
    auto missing = client.readFile("TNC:\\nothing.h");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message().find("T_ER_NO_FILE"), std::string::npos);
  }
}

TEST(Lsv2Session, ARequestLargerThanTheBufferIsNeverSent) {
  testing::Lsv2Controls controls({Lsv2Identity::kTnc426});
  Client client(controls.port());
  EXPECT_EQ(client.identity().buffer, kDefaultBuffer);
  const auto before = controls.sim->server(0).requests();
  std::promise<Result<Telegram>> p;
  boost::asio::post(client.io, [&] {
    client.session->transact(dataPathRequest(std::string(300, 'x')),
                             [&](Result<Telegram> r) { p.set_value(std::move(r)); });
  });
  auto r = p.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("does not fit the 256-byte buffer"), std::string::npos);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(controls.sim->server(0).requests(), before);
  EXPECT_EQ(controls.sim->server(0).oversized(), 0u);
}

}  // namespace
}  // namespace spindle::collectors::lsv2
