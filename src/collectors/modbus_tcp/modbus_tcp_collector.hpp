#pragma once
/// The modbus_tcp collector: polls one Modbus TCP device (or one unit behind a gateway) for
/// the registers and coils its adapter script names, each poll group on its own timer,
/// coalesced into few requests; reports each input under its script name when it changes,
/// exceptions as the `modbus` condition with their meaning, and every input UNAVAILABLE while
/// the device is unreachable. Each machine has its own connection and schedule: one slow or
/// dead device never delays another.

#include <functional>
#include <memory>
#include <string>

#include "collectors/collector.hpp"
#include "collectors/modbus_tcp/modbus_tcp_options.hpp"
#include "collectors/registry.hpp"

namespace spindle::collectors::modbus_tcp {

/// Counters for tests, health and the benchmark (read on any thread).
struct CollectorStats {
  std::uint64_t requests = 0;
  std::uint64_t answers = 0;
  std::uint64_t exceptions = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t staleReplies = 0;
  std::uint64_t overruns = 0;      ///< polls skipped because the previous one was not done
  std::uint64_t badAddresses = 0;  ///< inputs dropped after answering "illegal data address"
};

class ModbusTcpCollector final : public Collector {
 public:
  explicit ModbusTcpCollector(ModbusTcpOptions options);
  ~ModbusTcpCollector() override;

  /// Error when the machine's script names no registers or coils, or a poll group the
  /// options do not define.
  Status start(CollectorContext& context) override;
  void stop() override;

  /// Writes `value` to the script input `key` (a coil: function 5, a holding register: 6 or
  /// 16 for wider types), after the reads queued before it; the script's `writes` come this
  /// way. Refused unless the machine sets allow_write. While the device is away the value
  /// waits and is written when it is back; each value is written again after every reconnect
  /// (modbus_writes.hpp). `done` runs on the collector's strand with the outcome.
  void write(const std::string& key, model::Value value, std::function<void(Status)> done) override;

  CollectorStats stats() const;

 private:
  class Connection;
  ModbusTcpOptions m_options;
  std::shared_ptr<Connection> m_connection;
};

/// Registers the collector under the type name "modbus_tcp".
void registerCollector(Registry& registry);

}  // namespace spindle::collectors::modbus_tcp
