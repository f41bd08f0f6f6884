#pragma once
/// A Modbus TCP server answering from a register image: what `spindle sim --protocol modbus`
/// serves and what the modbus_tcp collector's tests and benchmark talk to. Speaks functions
/// 1-6, 15 and 16 (others: exception 01), answers addresses outside the image or in its illegal
/// ranges with exception 02, echoes any unit id. Fault injection: silence (accept, never
/// answer) and a reply delay (answers arrive after the client gave up).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "collectors/modbus_tcp/modbus_codec.hpp"
#include "sim/control_server.hpp"

namespace spindle::sim {

/// Coils, discrete inputs, input and holding registers of one device. Thread-safe.
class ModbusImage {
 public:
  /// Every table holds addresses 0 .. size-1.
  explicit ModbusImage(std::size_t size = 1000);

  void setRegisters(int space, std::uint16_t address, const std::vector<std::uint16_t>& values);
  void setBit(int space, std::uint16_t address, bool value);
  std::uint16_t reg(int space, std::uint16_t address) const;
  bool bit(int space, std::uint16_t address) const;
  /// Addresses from..to (inclusive) of `space` answer "illegal data address".
  void addIllegalRange(int space, std::uint16_t from, std::uint16_t to);

  /// The answer to `request` (reads, and writes to coils and holding registers).
  collectors::modbus_tcp::Response answer(const collectors::modbus_tcp::Request& request);

 private:
  bool legal(int space, std::uint32_t from, std::uint32_t count) const;

  std::size_t m_size;
  mutable std::mutex m_mutex;
  std::vector<bool> m_bits[2];
  std::vector<std::uint16_t> m_regs[2];  ///< [0] input (3), [1] holding (4)
  struct Range {
    int space;
    std::uint16_t from, to;
  };
  std::vector<Range> m_illegal;
};

/// A Modbus TCP device on one port (sim/control_server). Faults: silence and the reply delay.
class ModbusServer : public ControlServer {
 public:
  ModbusServer(boost::asio::io_context& io, std::shared_ptr<ModbusImage> image,
               std::string bindAddress = "127.0.0.1", std::uint16_t port = 0);

  /// Nothing: whoever owns the image writes it.
  void step(std::chrono::milliseconds) override {}

  /// Requests received (counted also while silent), per function code 0-255.
  std::uint64_t requests(std::uint8_t function) const {
    return m_shared->requests[function].load();
  }
  std::uint64_t totalRequests() const;

 private:
  class Connection;
  /// What connections share with the server; they may outlive it by a handler or two.
  struct Shared {
    std::shared_ptr<ModbusImage> image;
    std::array<std::atomic<std::uint64_t>, 256> requests{};
  };
  ModbusServer(boost::asio::io_context& io, std::shared_ptr<Shared> shared, std::string bindAddress,
               std::uint16_t port);

  std::shared_ptr<Shared> m_shared;
};

}  // namespace spindle::sim
