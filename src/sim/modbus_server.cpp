#include "sim/modbus_server.hpp"

#include <deque>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace spindle::sim {

namespace asio = boost::asio;
namespace mb = collectors::modbus_tcp;
using boost::system::error_code;

ModbusImage::ModbusImage(std::size_t size) : m_size(std::min<std::size_t>(size, 65536)) {
  for (auto& b : m_bits) b.assign(m_size, false);
  for (auto& r : m_regs) r.assign(m_size, 0);
}

void ModbusImage::setRegisters(int space, std::uint16_t address,
                               const std::vector<std::uint16_t>& values) {
  std::lock_guard lock(m_mutex);
  auto& table = m_regs[space == 4 ? 1 : 0];
  for (std::size_t i = 0; i < values.size() && address + i < m_size; ++i)
    table[address + i] = values[i];
}

void ModbusImage::setBit(int space, std::uint16_t address, bool value) {
  std::lock_guard lock(m_mutex);
  if (address < m_size) m_bits[space == 1 ? 1 : 0][address] = value;
}

std::uint16_t ModbusImage::reg(int space, std::uint16_t address) const {
  std::lock_guard lock(m_mutex);
  return address < m_size ? m_regs[space == 4 ? 1 : 0][address] : 0;
}

bool ModbusImage::bit(int space, std::uint16_t address) const {
  std::lock_guard lock(m_mutex);
  return address < m_size && m_bits[space == 1 ? 1 : 0][address];
}

void ModbusImage::addIllegalRange(int space, std::uint16_t from, std::uint16_t to) {
  std::lock_guard lock(m_mutex);
  m_illegal.push_back(Range{space, from, to});
}

bool ModbusImage::legal(int space, std::uint32_t from, std::uint32_t count) const {
  if (from + count > m_size) return false;
  for (const auto& r : m_illegal) {
    if (r.space == space && from <= r.to && from + count > r.from) return false;
  }
  return true;
}

mb::Response ModbusImage::answer(const mb::Request& q) {
  mb::Response r;
  r.function = q.function;
  const int space = q.function == mb::fc::kReadCoils || q.function == mb::fc::kWriteSingleCoil ||
                            q.function == mb::fc::kWriteMultipleCoils
                        ? 0
                    : q.function == mb::fc::kReadDiscreteInputs ? 1
                    : q.function == mb::fc::kReadInputRegisters ? 3
                                                                : 4;
  std::lock_guard lock(m_mutex);
  const std::uint32_t count =
      q.function >= mb::fc::kWriteSingleCoil
          ? static_cast<std::uint32_t>(std::max(q.bits.size(), q.registers.size()))
          : q.count;
  if (!legal(space, q.address, count)) {
    r.exception = mb::exception::kIllegalDataAddress;
    return r;
  }
  switch (q.function) {
    case mb::fc::kReadCoils:
    case mb::fc::kReadDiscreteInputs:
      for (std::uint32_t i = 0; i < count; ++i) r.bits.push_back(m_bits[space][q.address + i]);
      break;
    case mb::fc::kReadInputRegisters:
    case mb::fc::kReadHoldingRegisters:
      for (std::uint32_t i = 0; i < count; ++i)
        r.registers.push_back(m_regs[space == 4 ? 1 : 0][q.address + i]);
      break;
    case mb::fc::kWriteSingleCoil:
    case mb::fc::kWriteMultipleCoils:
      for (std::uint32_t i = 0; i < count; ++i) m_bits[0][q.address + i] = q.bits[i];
      r.address = q.address;
      r.count = q.function == mb::fc::kWriteSingleCoil ? (q.bits[0] ? 0xFF00 : 0)
                                                       : static_cast<std::uint16_t>(count);
      break;
    default:
      for (std::uint32_t i = 0; i < count; ++i) m_regs[1][q.address + i] = q.registers[i];
      r.address = q.address;
      r.count = q.function == mb::fc::kWriteSingleRegister ? q.registers[0]
                                                           : static_cast<std::uint16_t>(count);
      break;
  }
  return r;
}

class ModbusServer::Client : public std::enable_shared_from_this<Client> {
 public:
  Client(asio::ip::tcp::socket socket, asio::io_context& io, std::shared_ptr<State> state)
      : m_strand(asio::make_strand(io)), m_socket(std::move(socket)), m_state(std::move(state)) {}

  void start() {
    asio::post(m_strand, [self = shared_from_this()] { self->read(); });
  }
  void close() {
    asio::post(m_strand, [self = shared_from_this()] {
      error_code ignored;
      self->m_socket.close(ignored);
    });
  }

 private:
  void read() {
    m_socket.async_read_some(
        asio::buffer(m_buffer),
        asio::bind_executor(m_strand, [self = shared_from_this()](const error_code& ec, size_t n) {
          if (ec) return;
          std::span<const std::uint8_t> bytes(self->m_buffer.data(), n);
          while (!bytes.empty()) {
            bytes = bytes.subspan(self->m_decoder.feed(bytes));
            for (;;) {
              auto frame = self->m_decoder.next();
              if (!frame) {  // broken framing: a real device drops the connection
                error_code ignored;
                self->m_socket.close(ignored);
                return;
              }
              if (!frame->has_value()) break;
              self->handle(std::move(**frame));
            }
          }
          self->read();
        }));
  }

  void handle(mb::Adu adu) {
    const std::uint8_t function = adu.pdu.empty() ? 0 : adu.pdu[0];
    ++m_state->requests[function];
    if (m_state->silent) return;
    mb::Response response;
    auto request = mb::decodeRequestPdu(adu.pdu);
    if (request) {
      response = m_state->image->answer(*request);
    } else {
      response.function = function;
      response.exception = mb::knownFunction(function) ? mb::exception::kIllegalDataValue
                                                       : mb::exception::kIllegalFunction;
    }
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(
        mb::encodeAdu(mb::Adu{adu.transaction, adu.unit, mb::encodeResponsePdu(response)}));
    const auto delay = std::chrono::milliseconds(m_state->delayMs.load());
    if (delay.count() <= 0) {
      send(std::move(bytes));
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(m_strand, delay);
    timer->async_wait([self = shared_from_this(), timer, bytes](const error_code& ec) mutable {
      if (!ec) self->send(std::move(bytes));
    });
  }

  void send(std::shared_ptr<std::vector<std::uint8_t>> bytes) {
    m_outbox.push_back(std::move(bytes));
    if (m_outbox.size() == 1) writeNext();
  }

  void writeNext() {
    if (m_outbox.empty()) return;
    asio::async_write(m_socket, asio::buffer(*m_outbox.front()),
                      asio::bind_executor(
                          m_strand, [self = shared_from_this()](const error_code& ec, std::size_t) {
                            if (ec) return;
                            self->m_outbox.pop_front();
                            self->writeNext();
                          }));
  }

  asio::strand<asio::io_context::executor_type> m_strand;
  asio::ip::tcp::socket m_socket;
  std::shared_ptr<State> m_state;
  mb::FrameDecoder m_decoder;
  std::array<std::uint8_t, 1024> m_buffer{};
  std::deque<std::shared_ptr<std::vector<std::uint8_t>>> m_outbox;
};

ModbusServer::ModbusServer(asio::io_context& io, std::shared_ptr<ModbusImage> image,
                           std::string bindAddress, std::uint16_t port)
    : m_io(io),
      m_state(std::make_shared<State>()),
      m_bind(std::move(bindAddress)),
      m_port(port),
      m_acceptor(io) {
  m_state->image = std::move(image);
}

ModbusServer::~ModbusServer() { stop(); }

Status ModbusServer::start() {
  error_code ec;
  const auto address = asio::ip::make_address(m_bind, ec);
  if (ec) return Error(ErrorCode::kInvalidArgument, "bad bind address '" + m_bind + "'");
  const asio::ip::tcp::endpoint endpoint(address, m_port);
  m_acceptor.open(endpoint.protocol(), ec);
  if (!ec) m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) m_acceptor.bind(endpoint, ec);
  if (!ec) m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error(ErrorCode::kIo,
                 "cannot listen on " + m_bind + ":" + std::to_string(m_port) + ": " + ec.message());
  }
  m_port = m_acceptor.local_endpoint().port();
  accept();
  return okStatus();
}

void ModbusServer::accept() {
  m_acceptor.async_accept([this](const error_code& ec, asio::ip::tcp::socket socket) {
    if (ec || m_stopped) return;
    error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);
    auto client = std::make_shared<Client>(std::move(socket), m_io, m_state);
    {
      std::lock_guard lock(m_clientsMutex);
      std::erase_if(m_clients, [](const auto& w) { return w.expired(); });
      m_clients.push_back(client);
    }
    client->start();
    accept();
  });
}

void ModbusServer::dropClients() {
  std::lock_guard lock(m_clientsMutex);
  for (auto& w : m_clients) {
    if (auto c = w.lock()) c->close();
  }
  m_clients.clear();
}

void ModbusServer::stop() {
  if (m_stopped.exchange(true)) return;
  error_code ignored;
  m_acceptor.cancel(ignored);
  m_acceptor.close(ignored);
  dropClients();
}

std::uint64_t ModbusServer::totalRequests() const {
  std::uint64_t n = 0;
  for (const auto& r : m_state->requests) n += r.load();
  return n;
}

}  // namespace spindle::sim
