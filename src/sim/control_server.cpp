#include "sim/control_server.hpp"

#include <array>
#include <deque>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace spindle::sim {

namespace asio = boost::asio;
using boost::system::error_code;
using Bytes = std::vector<std::uint8_t>;

namespace {
/// The pause between the segments of a split reply, so each leaves as its own TCP segment.
constexpr std::chrono::milliseconds kSegmentPause{2};
}  // namespace

class ControlServer::Client : public std::enable_shared_from_this<Client> {
 public:
  Client(asio::ip::tcp::socket socket, asio::io_context& io, std::shared_ptr<State> state,
         std::unique_ptr<ControlConnection> protocol)
      : m_strand(asio::make_strand(io)),
        m_socket(std::move(socket)),
        m_state(std::move(state)),
        m_protocol(std::move(protocol)) {
    ++m_state->connections;
  }
  ~Client() { --m_state->connections; }

  void start() {
    asio::post(m_strand, [self = shared_from_this()] { self->read(); });
  }
  void close() {
    asio::post(m_strand, [self = shared_from_this()] { self->shut(); });
  }

 private:
  struct Segment {
    std::shared_ptr<const Bytes> bytes;
    std::size_t from = 0, to = 0;
    bool pause = false;
    bool closeAfter = false;
  };

  void shut() {
    error_code ignored;
    m_socket.close(ignored);
    m_outbox.clear();
  }

  void read() {
    m_socket.async_read_some(
        asio::buffer(m_buffer),
        asio::bind_executor(m_strand, [self = shared_from_this()](const error_code& ec, size_t n) {
          if (ec) return;
          std::vector<Outgoing> out;
          const bool keep = self->m_protocol->feed(std::span(self->m_buffer.data(), n),
                                                   self->m_state->silent.load(), out);
          for (Outgoing& o : out) self->emit(std::move(o));
          if (!keep) return self->shut();  // a control drops the connection
          self->read();
        }));
  }

  /// Sends `o`, with the injected faults when it is a reply.
  void emit(Outgoing o) {
    if (!o.reply) return send(std::move(o.bytes), o.closeAfter);
    Bytes out = std::move(o.bytes);
    bool closeAfter = o.closeAfter;
    const std::uint64_t n = ++m_state->replies;
    auto every = [n](std::uint64_t k) { return k > 0 && n % k == 0; };
    if (m_state->garbageNext.exchange(false) || every(m_state->garbageEvery.load())) {
      out.assign({'G', 'A', 'R', 'B', 'A', 'G', 'E', '!', '\r', '\n', 0xFF, 0x00, 0x13, 0x37});
    } else if (m_state->truncateNext.exchange(false) || every(m_state->cutEvery.load())) {
      out.resize(o.cutTo);
      closeAfter = true;
    }
    const auto delay = std::chrono::milliseconds(m_state->delayMs.load());
    if (delay.count() <= 0) return send(std::move(out), closeAfter);
    auto timer = std::make_shared<asio::steady_timer>(m_strand, delay);
    timer->async_wait([self = shared_from_this(), timer, out = std::move(out),
                       closeAfter](const error_code& ec) mutable {
      if (!ec) self->send(std::move(out), closeAfter);
    });
  }

  void send(Bytes bytes, bool closeAfter) {
    auto shared = std::make_shared<const Bytes>(std::move(bytes));
    const std::size_t split = m_state->splitBytes.load();
    const std::size_t step = split == 0 ? shared->size() : split;
    const bool wasIdle = m_outbox.empty();
    for (std::size_t at = 0; at < shared->size(); at += step) {
      const std::size_t to = std::min(shared->size(), at + step);
      m_outbox.push_back(
          {shared, at, to, split != 0 && at > 0, closeAfter && to == shared->size()});
    }
    if (wasIdle) writeNext();
  }

  void writeNext() {
    if (m_outbox.empty()) return;
    if (m_outbox.front().pause) {
      m_outbox.front().pause = false;
      auto timer = std::make_shared<asio::steady_timer>(m_strand, kSegmentPause);
      timer->async_wait([self = shared_from_this(), timer](const error_code& ec) {
        if (!ec) self->writeNext();
      });
      return;
    }
    const Segment& s = m_outbox.front();
    asio::async_write(
        m_socket, asio::buffer(s.bytes->data() + s.from, s.to - s.from),
        asio::bind_executor(m_strand, [self = shared_from_this()](const error_code& ec, size_t) {
          if (ec || self->m_outbox.empty()) return;
          const bool closeAfter = self->m_outbox.front().closeAfter;
          self->m_outbox.pop_front();
          if (closeAfter) return self->shut();
          self->writeNext();
        }));
  }

  asio::strand<asio::io_context::executor_type> m_strand;
  asio::ip::tcp::socket m_socket;
  std::shared_ptr<State> m_state;
  std::unique_ptr<ControlConnection> m_protocol;
  std::array<std::uint8_t, 4096> m_buffer{};
  std::deque<Segment> m_outbox;
};

ControlServer::ControlServer(asio::io_context& io, std::string bindAddress, std::uint16_t port,
                             MakeConnection makeConnection, int maxConnections)
    : m_io(io),
      m_state(std::make_shared<State>()),
      m_makeConnection(std::move(makeConnection)),
      m_bind(std::move(bindAddress)),
      m_port(port),
      m_acceptor(io) {
  m_state->maxConnections = maxConnections;
}

ControlServer::~ControlServer() { stop(); }

Status ControlServer::start() {
  error_code ec;
  const auto address = asio::ip::make_address(m_bind, ec);
  if (ec) return Error(ErrorCode::kInvalidArgument, "bad bind address '" + m_bind + "'");
  const asio::ip::tcp::endpoint endpoint(address, m_port);
  m_acceptor.open(endpoint.protocol(), ec);
  if (!ec) m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m_acceptor.bind(endpoint, ec);
  if (!ec) m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    Error e(ErrorCode::kIo,
            "cannot listen on " + m_bind + ":" + std::to_string(m_port) + ": " + ec.message());
    if (!m_lowPortHint.empty() && ec == asio::error::access_denied && m_port < 1024) {
      return std::move(e).with(m_lowPortHint);
    }
    return e;
  }
  m_port = m_acceptor.local_endpoint().port();
  accept();
  return okStatus();
}

void ControlServer::accept() {
  m_acceptor.async_accept([this](const error_code& ec, asio::ip::tcp::socket socket) {
    if (ec || m_stopped) return;
    error_code ignored;
    if (m_state->maxConnections > 0 && m_state->connections.load() >= m_state->maxConnections) {
      // Every session of the control is in use: the connection is closed at once.
      ++m_state->refused;
      socket.close(ignored);
      accept();
      return;
    }
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    auto client = std::make_shared<Client>(std::move(socket), m_io, m_state, m_makeConnection());
    {
      std::lock_guard lock(m_clientsMutex);
      std::erase_if(m_clients, [](const auto& w) { return w.expired(); });
      m_clients.push_back(client);
    }
    client->start();
    accept();
  });
}

void ControlServer::setFaults(const ReplyFaults& faults) {
  setSplitBytes(faults.splitBytes);
  setReplyDelay(faults.replyDelay);
  setFaultsEvery(faults.cutEvery, faults.garbageEvery);
}

void ControlServer::dropClients() {
  std::lock_guard lock(m_clientsMutex);
  for (auto& w : m_clients) {
    if (auto c = w.lock()) c->close();
  }
  m_clients.clear();
}

void ControlServer::stop() {
  if (m_stopped.exchange(true)) return;
  error_code ignored;
  m_acceptor.cancel(ignored);
  m_acceptor.close(ignored);
  dropClients();
}

ControlHost::ControlHost(asio::io_context& io, ControlSimOptions options, std::string namePrefix)
    : m_io(io), m_options(std::move(options)), m_namePrefix(std::move(namePrefix)), m_timer(io) {}

ControlHost::~ControlHost() { stop(); }

Status ControlHost::start() {
  const auto& o = m_options;
  if (o.machines < 1 || o.machines > 1000) {
    return Error(ErrorCode::kInvalidArgument, "machines must be 1..1000");
  }
  if (o.tick.count() <= 0 || o.timeScale <= 0) {
    return Error(ErrorCode::kInvalidArgument, "tick and time scale must be positive");
  }
  if (auto s = check(); !s) return s;
  for (int i = 0; i < o.machines; ++i) {
    const auto index = static_cast<std::size_t>(i);
    m_names.push_back(index < o.names.size() ? o.names[index]
                                             : m_namePrefix + std::to_string(i + 1));
    MachineProfile profile;
    profile.name = m_names.back();
    profile.seed = o.seed;
    profile.index = static_cast<std::uint32_t>(i);
    profile.timeScale = o.timeScale;
    const auto port =
        o.basePort == 0 ? std::uint16_t{0} : static_cast<std::uint16_t>(o.basePort + i);
    m_servers.push_back(makeServer(index, profile, port));
    m_servers.back()->setFaults(o);
    if (auto s = m_servers.back()->start(); !s) {
      for (auto& server : m_servers) server->stop();
      m_servers.clear();
      return std::move(s).error().with("machine " + m_names.back());
    }
  }
  schedule();
  return okStatus();
}

void ControlHost::schedule() {
  m_timer.expires_after(m_options.tick);
  m_timer.async_wait([this](const error_code& ec) {
    if (ec || m_stopped) return;
    for (auto& s : m_servers) s->step(m_options.tick);
    m_sinceDrop += m_options.tick;
    if (m_options.dropEvery.count() > 0 && m_sinceDrop >= m_options.dropEvery) {
      m_sinceDrop = {};
      for (auto& s : m_servers) s->dropClients();
    }
    schedule();
  });
}

void ControlHost::stop() {
  if (m_stopped) return;
  m_stopped = true;
  m_timer.cancel();
  for (auto& s : m_servers) s->stop();
}

std::vector<std::uint16_t> ControlHost::ports() const {
  std::vector<std::uint16_t> out;
  for (const auto& s : m_servers) out.push_back(s->port());
  return out;
}

}  // namespace spindle::sim
