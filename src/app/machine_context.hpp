#pragma once
/// The CollectorContext each machine's collector receives from the gateway.

#include <atomic>
#include <mutex>
#include <string>

#include "app/pipeline.hpp"
#include "collectors/collector.hpp"
#include "net/resolver_chain.hpp"

namespace spindle::app {

struct MachineStatus {
  collectors::ConnectionState state = collectors::ConnectionState::kStopped;
  std::string detail;
  TimestampNs since = 0;
  std::uint64_t connects = 0;         ///< times it entered kConnected
  collectors::InputRefusals refused;  ///< what the machine's input limits refused so far
};

class MachineContext final : public collectors::CollectorContext {
 public:
  MachineContext(boost::asio::io_context& io, model::ItemCatalog& catalog, model::MachineId machine,
                 const Clock& clock, Pipeline& pipeline, const std::string& loggerName,
                 std::shared_ptr<net::ResolverChain> resolver = nullptr);

  boost::asio::io_context& io() override { return m_io; }
  model::ItemCatalog& catalog() override { return m_catalog; }
  model::MachineId machine() const override { return m_machine; }
  const std::string& machineName() const override { return m_name; }
  const Clock& clock() const override { return m_clock; }
  const std::shared_ptr<spdlog::logger>& logger() const override { return m_logger; }
  bool tryEmit(model::Batch& batch) override;
  void setRoomListener(std::function<void()> onRoom) override {
    m_pipeline.setRoomListener(m_machine, std::move(onRoom));
  }
  void setState(collectors::ConnectionState state, const std::string& detail) override;
  void reportRefusals(const collectors::InputRefusals& refusals) override;
  /// The edge's DNS chain (the system resolver when none was given).
  collectors::ResolveFn resolver() override;
  std::shared_ptr<const transform::CompiledScript> script() const override;
  /// The machine's script as its collector should see it (before the collector starts).
  void setScript(std::shared_ptr<const transform::CompiledScript> script);
  std::string dataDir() const override;
  void setDataDir(std::string dataDir);

  MachineStatus status() const;
  /// When the machine last sent data (any observation, by this edge's clock); 0: never. A
  /// connection that stays up with nothing on it shows here, not in the connection state.
  TimestampNs lastData() const { return m_lastData.load(std::memory_order_relaxed); }

 private:
  boost::asio::io_context& m_io;
  model::ItemCatalog& m_catalog;
  model::MachineId m_machine;
  std::string m_name;
  const Clock& m_clock;
  Pipeline& m_pipeline;
  std::shared_ptr<spdlog::logger> m_logger;
  std::shared_ptr<net::ResolverChain> m_resolver;
  mutable std::mutex m_mutex;
  MachineStatus m_status;
  Result<model::ItemId> m_connectionItem;  ///< refused only when the catalog is full
  std::atomic<TimestampNs> m_lastData{0};
  std::shared_ptr<const transform::CompiledScript> m_script;  ///< guarded by m_mutex
  std::string m_dataDir = "spindle-data";                     ///< guarded by m_mutex
};

}  // namespace spindle::app
