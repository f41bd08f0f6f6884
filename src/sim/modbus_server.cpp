#include "sim/modbus_server.hpp"

#include <algorithm>

namespace spindle::sim {

namespace asio = boost::asio;
namespace mb = collectors::modbus_tcp;

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

class ModbusServer::Connection : public ControlConnection {
 public:
  explicit Connection(std::shared_ptr<Shared> shared) : m_shared(std::move(shared)) {}

  bool feed(std::span<const std::uint8_t> bytes, bool silent, std::vector<Outgoing>& out) override {
    // Broken framing: a real device drops the connection.
    return feedFrames(m_decoder, bytes, [&](const mb::Adu& adu) {
      handle(adu, silent, out);
      return true;
    });
  }

 private:
  void handle(const mb::Adu& adu, bool silent, std::vector<Outgoing>& out) {
    const std::uint8_t function = adu.pdu.empty() ? 0 : adu.pdu[0];
    ++m_shared->requests[function];
    if (silent) return;
    mb::Response response;
    auto request = mb::decodeRequestPdu(adu.pdu);
    if (request) {
      response = m_shared->image->answer(*request);
    } else {
      response.function = function;
      response.exception = mb::knownFunction(function) ? mb::exception::kIllegalDataValue
                                                       : mb::exception::kIllegalFunction;
    }
    Outgoing reply{
        mb::encodeAdu(mb::Adu{adu.transaction, adu.unit, mb::encodeResponsePdu(response)}), false,
        true};
    reply.cutTo = reply.bytes.size() / 2;
    out.push_back(std::move(reply));
  }

  std::shared_ptr<Shared> m_shared;
  mb::FrameDecoder m_decoder;
};

ModbusServer::ModbusServer(asio::io_context& io, std::shared_ptr<ModbusImage> image,
                           std::string bindAddress, std::uint16_t port)
    : ModbusServer(io, std::make_shared<Shared>(), std::move(bindAddress), port) {
  m_shared->image = std::move(image);
}

ModbusServer::ModbusServer(asio::io_context& io, std::shared_ptr<Shared> shared,
                           std::string bindAddress, std::uint16_t port)
    : ControlServer(io, std::move(bindAddress), port,
                    [shared] { return std::make_unique<Connection>(shared); }),
      m_shared(std::move(shared)) {}

std::uint64_t ModbusServer::totalRequests() const {
  std::uint64_t n = 0;
  for (const auto& r : m_shared->requests) n += r.load();
  return n;
}

}  // namespace spindle::sim
