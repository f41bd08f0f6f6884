#include "collectors/haas/haas_session.hpp"

#include <cerrno>
#include <cstring>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace spindle::collectors::haas {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

speed_t speedOf(std::int64_t baud) {
  switch (baud) {
    case 300:
      return B300;
    case 600:
      return B600;
    case 1200:
      return B1200;
    case 2400:
      return B2400;
    case 4800:
      return B4800;
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
    default:
      return B0;
  }
}

Error serialError(const std::string& device, const char* what, int err) {
  std::string message = "serial port " + device + ": " + what + ": " + std::strerror(err);
  if (err == ENOENT) message = "serial port " + device + " does not exist";
  if (err == EACCES) message += " (is the user in the dialout group?)";
  return Error(ErrorCode::kIo, message);
}

}  // namespace

bool serialBaud(std::int64_t baud) { return speedOf(baud) != B0; }

Result<int> openSerial(const std::string& device, const SerialLine& line) {
  const speed_t speed = speedOf(line.baud);
  if (speed == B0) {
    return Error(ErrorCode::kInvalidArgument,
                 "baud " + std::to_string(line.baud) + " is not supported");
  }
  const int fd = ::open(device.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return serialError(device, "cannot open", errno);
  termios tio{};
  if (::tcgetattr(fd, &tio) != 0) {
    const int err = errno;
    ::close(fd);
    return serialError(device, "is not a serial port", err);
  }
  ::cfmakeraw(&tio);
  tio.c_cflag &= ~static_cast<tcflag_t>(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
  tio.c_cflag |= CLOCAL | CREAD | (line.dataBits == 7 ? CS7 : CS8);
  if (line.parity != 'N') tio.c_cflag |= PARENB;
  if (line.parity == 'O') tio.c_cflag |= PARODD;
  if (line.stopBits == 2) tio.c_cflag |= CSTOPB;
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 1;
  tio.c_cc[VTIME] = 0;
  if (::cfsetispeed(&tio, speed) != 0 || ::cfsetospeed(&tio, speed) != 0 ||
      ::tcsetattr(fd, TCSANOW, &tio) != 0) {
    const int err = errno;
    ::close(fd);
    return serialError(device, "cannot apply the line settings", err);
  }
  ::tcflush(fd, TCIOFLUSH);
  return fd;
}

HaasSession::HaasSession(Strand strand, SessionOptions options,
                         std::weak_ptr<SessionHandler> handler)
    : m_strand(strand),
      m_options(std::move(options)),
      m_handler(std::move(handler)),
      m_socket(strand),
      m_serial(strand),
      m_retryTimer(strand),
      m_backoff(m_options.reconnectMin, m_options.reconnectMax) {}

std::string HaasSession::endpoint() const {
  return m_options.serial ? m_options.device
                          : m_options.host + ":" + std::to_string(m_options.port);
}

void HaasSession::start() {
  asio::post(m_strand, [self = shared_from_this()] { self->open(); });
}

void HaasSession::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    self->m_stopped = true;
    ++self->m_generation;
    error_code ignored;
    self->m_socket.close(ignored);
    self->m_serial.close(ignored);
    TcpConnect::drop(self->m_connecting);
    self->m_retryTimer.cancel();
  });
}

void HaasSession::open() {
  if (m_stopped) return;
  if (!m_options.serial) {
    openTcp();
    return;
  }
  ++m_generation;
  auto fd = openSerial(m_options.device, m_options.line);
  if (!fd) {
    fail(fd.error().message());
    return;
  }
  error_code ec;
  m_serial.assign(*fd, ec);
  if (ec) {
    ::close(*fd);
    fail("serial port " + m_options.device + ": " + ec.message());
    return;
  }
  opened(m_options.device);
}

void HaasSession::openTcp() {
  const std::uint64_t gen = ++m_generation;
  m_connecting = TcpConnect::start(
      m_strand, m_socket,
      {m_options.host, m_options.port, m_options.connectTimeout, m_options.resolve},
      [self = shared_from_this(), gen](Result<asio::ip::tcp::endpoint> ep) {
        if (self->m_stopped || gen != self->m_generation) return;
        self->m_connecting.reset();
        if (!ep) {
          self->fail(ep.error().message());
          return;
        }
        self->opened(ep->address().to_string() + ":" + std::to_string(ep->port()));
      });
}

void HaasSession::opened(const std::string& peer) {
  error_code ignored;
  if (m_options.serial) {
    m_serial.non_blocking(true, ignored);
  } else {
    m_socket.non_blocking(true, ignored);
  }
  m_connected = true;
  if (auto h = m_handler.lock()) h->onConnected(peer);
  read();
}

void HaasSession::read() {
  if (!m_connected || m_stopped) return;
  const std::uint64_t gen = m_generation;
  // Wait for readability, then read what is there: one recv per reply, where an asynchronous
  // read would first try (and fail) a speculative one each time.
  auto ready = [self = shared_from_this(), gen](const error_code& wec) {
    if (self->m_stopped || gen != self->m_generation) return;
    error_code ec = wec;
    std::size_t n = 0;
    if (!ec) {
      n = self->m_options.serial ? self->m_serial.read_some(asio::buffer(self->m_buffer), ec)
                                 : self->m_socket.read_some(asio::buffer(self->m_buffer), ec);
    }
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      self->read();
      return;
    }
    if (ec) {
      self->fail(ec == asio::error::eof ? "the control closed the connection"
                                        : "read failed: " + ec.message());
      return;
    }
    self->m_backoff.reset();
    if (auto h = self->m_handler.lock()) h->onData(std::string_view(self->m_buffer.data(), n));
    if (self->m_stopped || gen != self->m_generation) return;
    self->read();
  };
  if (m_options.serial) {
    m_serial.async_wait(asio::posix::stream_descriptor::wait_read, std::move(ready));
  } else {
    m_socket.async_wait(asio::ip::tcp::socket::wait_read, std::move(ready));
  }
}

void HaasSession::send(std::string bytes) {
  if (!m_connected || m_stopped) return;
  if (!m_writing && m_outbox.empty()) {
    // A command is a few bytes and the stream's buffer is empty: write it at once, without an
    // asynchronous operation (non-blocking; what does not fit goes the asynchronous way).
    error_code ec;
    const std::size_t n = m_options.serial ? m_serial.write_some(asio::buffer(bytes), ec)
                                           : m_socket.write_some(asio::buffer(bytes), ec);
    if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
      fail("write failed: " + ec.message());
      return;
    }
    if (!ec && n == bytes.size()) return;
    bytes.erase(0, ec ? 0 : n);
  }
  m_outbox += bytes;
  if (m_writing) return;
  m_writing = true;
  auto data = std::make_shared<std::string>(std::move(m_outbox));
  m_outbox.clear();
  const std::uint64_t gen = m_generation;
  auto done = [self = shared_from_this(), data, gen](const error_code& ec, std::size_t) {
    if (self->m_stopped || gen != self->m_generation) return;
    self->m_writing = false;
    if (ec) {
      self->fail("write failed: " + ec.message());
      return;
    }
    if (!self->m_outbox.empty()) {
      std::string next = std::move(self->m_outbox);
      self->m_outbox.clear();
      self->send(std::move(next));
    }
  };
  if (m_options.serial) {
    asio::async_write(m_serial, asio::buffer(*data), std::move(done));
  } else {
    asio::async_write(m_socket, asio::buffer(*data), std::move(done));
  }
}

void HaasSession::drop(const std::string& reason) {
  if (m_stopped || !m_connected) return;
  fail(reason);
}

void HaasSession::fail(const std::string& reason) {
  const bool wasConnected = m_connected;
  m_connected = false;
  ++m_generation;
  error_code ignored;
  m_socket.close(ignored);
  m_serial.close(ignored);
  TcpConnect::drop(m_connecting);
  m_outbox.clear();
  m_writing = false;
  const Duration delay = m_backoff.next();
  if (auto h = m_handler.lock()) h->onDisconnected(reason, delay, wasConnected);
  m_retryTimer.expires_after(delay);
  m_retryTimer.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->m_stopped) return;
    self->open();
  });
}

}  // namespace spindle::collectors::haas
