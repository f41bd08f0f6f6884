// SecureChannel against a scripted in-process peer (policy None, plain Asio on loopback): what
// node-opcua will not do on demand: answers out of order, a request left unanswered, ERR,
// ServiceFault, CLO on close().
#include "opcua/secure_channel.hpp"

#include <future>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace spindle::opcua {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

/// The server end: blocking reads and writes of whole chunks on its own thread.
class Peer {
 public:
  Peer() : m_acceptor(m_io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {}
  std::uint16_t port() const { return m_acceptor.local_endpoint().port(); }
  void accept() { m_acceptor.accept(m_socket); }

  Bytes readChunk() {
    Bytes chunk(8);
    asio::read(m_socket, asio::buffer(chunk));
    auto h = decodeMessageHeader(chunk);
    if (!h) return {};
    chunk.resize(h->messageSize);
    asio::read(m_socket, asio::buffer(chunk.data() + 8, chunk.size() - 8));
    return chunk;
  }
  /// A request chunk's RequestId and message.
  std::pair<std::uint32_t, Message> readRequest() {
    Bytes chunk = readChunk();
    auto plain = decodePlainChunk(chunk);
    EXPECT_TRUE(plain.ok());
    auto m = decodeMessage(plain->body);
    EXPECT_TRUE(m.ok()) << m.error().describe();
    m_lastType = plain->headers.header.type;
    return {plain->sequence.requestId, std::move(*m)};
  }
  void write(const Bytes& b) { asio::write(m_socket, asio::buffer(b)); }
  template <typename T>
  void respond(MessageType type, std::uint32_t requestId, const T& message) {
    auto chunks = m_writer.write(type, requestId, encodeMessage(message));
    ASSERT_TRUE(chunks.ok());
    for (const Bytes& c : chunks.value()) write(c);
  }
  /// HEL -> ACK, OPN -> OPN response (channel 7, token 1, lifetime `lifetimeMs`).
  void handshake(std::uint32_t lifetimeMs = 600'000) {
    accept();
    auto hello = decodeHello(readChunk());
    ASSERT_TRUE(hello.ok());
    Acknowledge ack{0, 65535, 65535, 0, 0};
    write(encodeAcknowledge(ack));
    auto [id, m] = readRequest();
    ASSERT_TRUE(std::holds_alternative<OpenSecureChannelRequest>(m));
    OpenSecureChannelResponse r;
    r.securityToken = {7, 1, {}, lifetimeMs};
    m_writer.setSecureChannelId(7);
    m_writer.setTokenId(1);
    AsymmetricSecurityHeader h;
    h.securityPolicyUri = std::string(kPolicyNoneUri);
    m_writer.setAsymmetricHeader(h);
    respond(MessageType::kOpen, id, r);
  }
  MessageType lastType() const { return m_lastType; }

 private:
  asio::io_context m_io;
  tcp::acceptor m_acceptor;
  tcp::socket m_socket{m_io};
  NoneSecurity m_none;
  ChunkWriter m_writer{ConnectionLimits{65535, 0, 0, 65535, 0, 0}, m_none, m_none};
  MessageType m_lastType = MessageType::kMessage;
};

class OpcuaSecureChannel : public ::testing::Test {
 protected:
  OpcuaSecureChannel() : m_strand(asio::make_strand(m_io)), m_work(asio::make_work_guard(m_io)) {
    m_thread = std::thread([this] { m_io.run(); });
  }
  ~OpcuaSecureChannel() override {
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }

  /// Opens a channel to the peer (whose script runs on `script`'s thread).
  std::shared_ptr<SecureChannel> open(Peer& peer) {
    tcp::socket socket(m_io);
    socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), peer.port()));
    auto channel = SecureChannel::create(m_strand);
    std::promise<Status> opened;
    ChannelConfig c;
    c.endpointUrl = "opc.tcp://127.0.0.1:" + std::to_string(peer.port());
    channel->open(std::move(socket), c, [&](Status st) { opened.set_value(std::move(st)); });
    auto f = opened.get_future();
    EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
    auto st = f.get();
    EXPECT_TRUE(st.ok()) << st.error().describe();
    return channel;
  }

  static ReadRequest readOf(std::size_t n) {
    ReadRequest r;
    for (std::size_t i = 0; i < n; ++i) r.nodesToRead.push_back(ReadValueId{});
    return r;
  }
  static ReadResponse answerOf(std::size_t n) {
    ReadResponse r;
    for (std::size_t i = 0; i < n; ++i) r.results.push_back(DataValue{});
    return r;
  }

  asio::io_context m_io;
  SecureChannel::Strand m_strand;
  asio::executor_work_guard<asio::io_context::executor_type> m_work;
  std::thread m_thread;
};

std::size_t readResults(const Result<Message>& r) {
  const auto* resp = r.ok() ? std::get_if<ReadResponse>(&r.value()) : nullptr;
  return resp ? resp->results.size() : 0;
}

TEST_F(OpcuaSecureChannel, OutOfOrderResponsesMatchByRequestIdAndCloseSendsClo) {
  Peer peer;
  std::promise<MessageType> closing;
  std::thread script([&] {
    peer.handshake();
    auto [a, ma] = peer.readRequest();
    auto [b, mb] = peer.readRequest();
    // Answer the second first, each with as many results as its request asked for.
    peer.respond(MessageType::kMessage, b, answerOf(std::get<ReadRequest>(mb).nodesToRead.size()));
    peer.respond(MessageType::kMessage, a, answerOf(std::get<ReadRequest>(ma).nodesToRead.size()));
    peer.readRequest();
    closing.set_value(peer.lastType());
  });
  auto channel = open(peer);
  std::promise<Result<Message>> one, two;
  channel->request(readOf(1), 5s, [&](Result<Message> r) { one.set_value(std::move(r)); });
  channel->request(readOf(2), 5s, [&](Result<Message> r) { two.set_value(std::move(r)); });
  EXPECT_EQ(readResults(one.get_future().get()), 1u);
  EXPECT_EQ(readResults(two.get_future().get()), 2u);
  channel->close();
  channel->close();  // idempotent
  auto f = closing.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(f.get(), MessageType::kClose);
  script.join();
}

TEST_F(OpcuaSecureChannel, TimeoutFailsOnlyThatRequestAndFaultNamesTheStatus) {
  Peer peer;
  std::thread script([&] {
    peer.handshake();
    peer.readRequest();  // never answered
    auto [b, mb] = peer.readRequest();
    ServiceFault fault;
    fault.responseHeader.serviceResult = status::kBadSessionIdInvalid;
    peer.respond(MessageType::kMessage, b, fault);
    auto [c, mc] = peer.readRequest();
    peer.respond(MessageType::kMessage, c, answerOf(1));
    peer.readRequest();  // the CLO
  });
  auto channel = open(peer);
  std::promise<Result<Message>> slow, faulted, fine;
  channel->request(readOf(1), 200ms, [&](Result<Message> r) { slow.set_value(std::move(r)); });
  channel->request(readOf(1), 5s, [&](Result<Message> r) { faulted.set_value(std::move(r)); });
  auto s = slow.get_future().get();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kTimeout);
  auto f = faulted.get_future().get();
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message().find("BadSessionIdInvalid"), std::string::npos);
  channel->request(readOf(1), 5s, [&](Result<Message> r) { fine.set_value(std::move(r)); });
  EXPECT_EQ(readResults(fine.get_future().get()), 1u);
  channel->close();
  script.join();
}

TEST_F(OpcuaSecureChannel, ErrFailsTheChannelOnceAndEveryRequest) {
  Peer peer;
  std::thread script([&] {
    peer.handshake();
    peer.readRequest();
    peer.readRequest();
    peer.write(encodeError({StatusCode{0x80AE0000u}, std::string("going away")}));
  });
  auto channel = open(peer);
  std::atomic<int> closed{0};
  std::promise<std::string> reason;
  channel->setOnClosed([&](const Error& e) {
    if (closed++ == 0) reason.set_value(e.message());
  });
  std::atomic<int> failures{0};
  std::promise<void> both;
  for (int i = 0; i < 2; ++i) {
    channel->request(readOf(1), 5s, [&](Result<Message> r) {
      EXPECT_FALSE(r.ok());
      if (++failures == 2) both.set_value();
    });
  }
  auto why = reason.get_future();
  ASSERT_EQ(why.wait_for(5s), std::future_status::ready);
  EXPECT_NE(why.get().find("going away"), std::string::npos);
  ASSERT_EQ(both.get_future().wait_for(5s), std::future_status::ready);
  std::promise<Result<Message>> after;
  channel->request(readOf(1), 1s, [&](Result<Message> r) { after.set_value(std::move(r)); });
  auto a = after.get_future().get();
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), ErrorCode::kUnavailable);
  channel->close();
  EXPECT_EQ(closed, 1);
  EXPECT_EQ(failures, 2);
  script.join();
}

}  // namespace
}  // namespace spindle::opcua
