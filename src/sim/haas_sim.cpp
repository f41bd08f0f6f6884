#include "sim/haas_sim.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <list>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <fcntl.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include "sim/haas_control.hpp"

namespace spindle::sim {

namespace asio = boost::asio;
using boost::system::error_code;
using Strand = asio::strand<asio::io_context::executor_type>;

namespace {

constexpr std::size_t kMaxCommand = 256;       ///< longer input lines are dropped
constexpr std::size_t kMaxOutbox = 64 * 1024;  ///< a client that reads nothing is dropped

/// One byte stream to a client: a TCP socket or the pseudo-terminal's master side.
struct Stream {
  explicit Stream(Strand strand) : socket(strand), pty(strand) {}
  bool isPty = false;
  asio::ip::tcp::socket socket;
  asio::posix::stream_descriptor pty;
  std::array<char, 1024> buffer{};
  std::string line;
  std::string outbox;
  bool writing = false;
  bool closed = false;

  void close() {
    closed = true;
    error_code ignored;
    socket.close(ignored);
    pty.close(ignored);
  }
};

}  // namespace

class HaasSim::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(asio::io_context& io, HaasSimOptions options)
      : m_options(std::move(options)),
        m_strand(asio::make_strand(io)),
        m_acceptor(m_strand),
        m_tick(m_strand),
        m_control(MachineProfile{m_options.name, m_options.seed, false, m_options.timeScale, 0}) {}

  Status start() {
    if (m_options.pty) return openPty();
    error_code ec;
    const auto address = asio::ip::make_address(m_options.bindAddress, ec);
    if (ec) return Error(ErrorCode::kInvalidArgument, "bad address " + m_options.bindAddress);
    const asio::ip::tcp::endpoint ep(address, m_options.port);
    m_acceptor.open(ep.protocol(), ec);
    if (!ec) m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) m_acceptor.bind(ep, ec);
    if (!ec) m_acceptor.listen(8, ec);
    if (ec) {
      return Error(ErrorCode::kIo, "cannot listen on " + m_options.bindAddress + ":" +
                                       std::to_string(m_options.port) + ": " + ec.message());
    }
    m_port = m_acceptor.local_endpoint().port();
    asio::post(m_strand, [self = shared_from_this()] {
      self->accept();
      self->tick();
    });
    return okStatus();
  }

  void stop() {
    asio::post(m_strand, [self = shared_from_this()] {
      self->m_stopped = true;
      error_code ignored;
      self->m_acceptor.close(ignored);
      self->m_tick.cancel();
      for (auto& s : self->m_streams) s->close();
      self->m_streams.clear();
      if (self->m_slave >= 0) ::close(self->m_slave);
      self->m_slave = -1;
    });
  }

  void dropConnections() {
    asio::post(m_strand, [self = shared_from_this()] {
      for (auto& s : self->m_streams) {
        if (!s->isPty) s->close();
      }
      self->m_streams.remove_if([](const auto& s) { return s->closed; });
      self->m_clients = self->m_streams.size();
    });
  }

  std::uint16_t m_port = 0;
  std::string m_ptyPath;
  std::atomic<bool> m_silent{false};
  std::atomic<int> m_garble{0};
  std::atomic<int> m_truncate{0};
  std::atomic<std::size_t> m_clients{0};
  std::atomic<std::uint64_t> m_answered{0};

 private:
  Status openPty() {
    int master = -1;
    char name[128] = {};
    termios raw{};
    ::cfmakeraw(&raw);
    if (::openpty(&master, &m_slave, name, &raw, nullptr) != 0) {
      return Error(ErrorCode::kIo,
                   std::string("cannot open a pseudo-terminal: ") + std::strerror(errno));
    }
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(m_slave, F_SETFD, FD_CLOEXEC);
    m_ptyPath = name;
    auto stream = std::make_shared<Stream>(m_strand);
    stream->isPty = true;
    stream->pty.assign(master);
    m_streams.push_back(stream);
    asio::post(m_strand, [self = shared_from_this(), stream] {
      self->read(stream);
      self->tick();
    });
    return okStatus();
  }

  void accept() {
    if (m_stopped) return;
    auto stream = std::make_shared<Stream>(m_strand);
    m_acceptor.async_accept(stream->socket, [self = shared_from_this(), stream](error_code ec) {
      if (self->m_stopped) return;
      if (ec) {
        self->accept();
        return;
      }
      // A device server takes one connection; an NGC control two.
      const std::size_t most = self->m_options.ngc ? 2 : 1;
      if (self->m_streams.size() >= most) {
        stream->close();
      } else {
        error_code ignored;
        stream->socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        self->m_streams.push_back(stream);
        self->m_clients = self->m_streams.size();
        self->read(stream);
      }
      self->accept();
    });
  }

  void tick() {
    if (m_stopped) return;
    m_control.step(m_options.tick);
    m_tick.expires_after(m_options.tick);
    m_tick.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->tick();
    });
  }

  void read(const std::shared_ptr<Stream>& s) {
    auto done = [self = shared_from_this(), s](error_code ec, std::size_t n) {
      if (self->m_stopped || s->closed) return;
      if (ec) {
        self->remove(s);
        return;
      }
      for (std::size_t i = 0; i < n; ++i) self->onByte(s->buffer[i], *s);
      self->read(s);
    };
    if (s->isPty) {
      s->pty.async_read_some(asio::buffer(s->buffer), std::move(done));
    } else {
      s->socket.async_read_some(asio::buffer(s->buffer), std::move(done));
    }
  }

  void remove(const std::shared_ptr<Stream>& s) {
    s->close();
    m_streams.remove(s);
    m_clients = m_streams.size();
  }

  void onByte(char c, Stream& from) {
    if (c != '\r' && c != '\n') {
      if (from.line.size() < kMaxCommand) from.line += c;
      return;
    }
    if (from.line.empty()) return;
    std::string command = std::move(from.line);
    from.line.clear();
    if (m_silent) return;
    const bool ngcSyntax = command.front() == '?';
    std::string text = (m_options.ngc && !ngcSyntax) || (!m_options.ngc && ngcSyntax)
                           ? std::string("UNKNOWN COMMAND")
                           : m_control.answer(command, m_options.ngc);
    const std::uint64_t n = ++m_answered;
    auto every = [n](int k) { return k > 0 && n % static_cast<std::uint64_t>(k) == 0; };
    std::string reply;
    if (m_garble > 0 || every(m_options.garbageEvery)) {
      if (m_garble > 0) --m_garble;
      reply += "#\x01\x7f noise !&\r\n";
    }
    if (m_options.ngc) {
      reply += ">" + text + "\r\n>";
    } else {
      reply += "\x02" + text + "\x17\r\n>";
    }
    if (m_truncate > 0 || every(m_options.truncateEvery)) {
      if (m_truncate > 0) --m_truncate;
      reply.resize(reply.size() / 2);
    }
    // NGC: every client sees every reply.
    for (auto& s : m_streams) {
      if (m_options.ngc || s.get() == &from) write(s, reply);
    }
  }

  void write(const std::shared_ptr<Stream>& s, const std::string& bytes) {
    if (s->outbox.size() + bytes.size() > kMaxOutbox) {
      remove(s);
      return;
    }
    s->outbox += bytes;
    if (s->writing) return;
    s->writing = true;
    auto data = std::make_shared<std::string>(std::move(s->outbox));
    s->outbox.clear();
    auto done = [self = shared_from_this(), s, data](error_code ec, std::size_t) {
      s->writing = false;
      if (self->m_stopped || s->closed) return;
      if (ec) {
        self->remove(s);
        return;
      }
      if (!s->outbox.empty()) {
        std::string next = std::move(s->outbox);
        s->outbox.clear();
        self->write(s, next);
      }
    };
    if (s->isPty) {
      asio::async_write(s->pty, asio::buffer(*data), std::move(done));
    } else {
      asio::async_write(s->socket, asio::buffer(*data), std::move(done));
    }
  }

  HaasSimOptions m_options;
  Strand m_strand;
  asio::ip::tcp::acceptor m_acceptor;
  asio::steady_timer m_tick;
  HaasControl m_control;
  std::list<std::shared_ptr<Stream>> m_streams;
  int m_slave = -1;  ///< held open so the master never reads EIO between collector sessions
  bool m_stopped = false;
};

HaasSim::HaasSim(asio::io_context& io, HaasSimOptions options)
    : m_impl(std::make_shared<Impl>(io, std::move(options))) {}

HaasSim::~HaasSim() { stop(); }

Status HaasSim::start() { return m_impl->start(); }
void HaasSim::stop() { m_impl->stop(); }
std::uint16_t HaasSim::port() const { return m_impl->m_port; }
std::string HaasSim::ptyPath() const { return m_impl->m_ptyPath; }
void HaasSim::setSilent(bool silent) { m_impl->m_silent = silent; }
void HaasSim::garbleNext(int n) { m_impl->m_garble = n; }
void HaasSim::truncateNext(int n) { m_impl->m_truncate = n; }
void HaasSim::dropConnections() { m_impl->dropConnections(); }
std::size_t HaasSim::clientCount() const { return m_impl->m_clients; }
std::uint64_t HaasSim::answered() const { return m_impl->m_answered; }

}  // namespace spindle::sim
