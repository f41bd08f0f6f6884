#include "app/machine_context.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "collectors/emitter.hpp"

namespace spindle::app {

MachineContext::MachineContext(boost::asio::io_context& io, model::ItemCatalog& catalog,
                               model::MachineId machine, const Clock& clock, Pipeline& pipeline,
                               const std::string& loggerName,
                               std::shared_ptr<net::ResolverChain> resolver)
    : m_io(io),
      m_catalog(catalog),
      m_machine(machine),
      m_name(catalog.machineName(machine)),
      m_clock(clock),
      m_pipeline(pipeline),
      m_logger(makeLogger(loggerName)),
      m_resolver(std::move(resolver)),
      m_connectionItem(catalog.intern(machine, collectors::kConnectionKey)) {}

collectors::ResolveFn MachineContext::resolver() {
  if (!m_resolver) return collectors::systemResolve;
  return
      [chain = m_resolver](const std::string& host, std::uint16_t port,
                           boost::asio::any_io_executor where, collectors::ResolveHandler handler) {
        chain->resolve(host, port, std::move(where),
                       [handler = std::move(handler)](Result<net::ResolverChain::Endpoints> r) {
                         handler(std::move(r));
                       });
      };
}

bool MachineContext::tryEmit(model::Batch& batch) {
  // What the collectors add themselves (the Emitter): their connection item, and UNAVAILABLE
  // for every item when the connection drops. Neither is data from the machine.
  const bool data = std::any_of(batch.begin(), batch.end(), [&](const model::Observation& o) {
    const bool markedUnavailable = std::holds_alternative<model::Unavailable>(o.value) &&
                                   (o.flags & model::kFlagArrivalTime) != 0;
    const bool status = m_connectionItem.ok() && o.item == *m_connectionItem;
    return !status && !markedUnavailable;
  });
  if (data) m_lastData.store(m_clock.now(), std::memory_order_relaxed);
  return m_pipeline.tryPush(batch);
}

void MachineContext::setState(collectors::ConnectionState state, const std::string& detail) {
  std::lock_guard lock(m_mutex);
  if (state != m_status.state) m_status.since = m_clock.now();
  if (state != m_status.state && state == collectors::ConnectionState::kConnected) {
    ++m_status.connects;
  }
  m_status.state = state;
  m_status.detail = detail;
}

void MachineContext::reportRefusals(const collectors::InputRefusals& refusals) {
  std::lock_guard lock(m_mutex);
  m_status.refused = refusals;
}

MachineStatus MachineContext::status() const {
  MachineStatus status;
  {
    std::lock_guard lock(m_mutex);
    status = m_status;
  }
  // Keys refused by the catalog (max_keys): the collector's and the script's alike.
  status.refused.keys = m_catalog.machineKeys(m_machine).refused;
  return status;
}

std::shared_ptr<const transform::CompiledScript> MachineContext::script() const {
  std::lock_guard lock(m_mutex);
  return m_script;
}

void MachineContext::setScript(std::shared_ptr<const transform::CompiledScript> script) {
  std::lock_guard lock(m_mutex);
  m_script = std::move(script);
}

std::string MachineContext::dataDir() const {
  std::lock_guard lock(m_mutex);
  return m_dataDir;
}

void MachineContext::setDataDir(std::string dataDir) {
  std::lock_guard lock(m_mutex);
  m_dataDir = std::move(dataDir);
}

}  // namespace spindle::app
