#include "app/machine_context.hpp"

#include "base/log.hpp"

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
      m_resolver(std::move(resolver)) {}

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

void MachineContext::setState(collectors::ConnectionState state, const std::string& detail) {
  std::lock_guard lock(m_mutex);
  if (state != m_status.state) m_status.since = m_clock.now();
  m_status.state = state;
  m_status.detail = detail;
}

void MachineContext::reportRefusals(const collectors::InputRefusals& refusals) {
  std::lock_guard lock(m_mutex);
  m_status.refused = refusals;
}

MachineStatus MachineContext::status() const {
  std::lock_guard lock(m_mutex);
  return m_status;
}

}  // namespace spindle::app
