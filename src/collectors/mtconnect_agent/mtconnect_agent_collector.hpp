#pragma once
/// The mtconnect_agent collector: reads one device of an MTConnect agent over HTTP (/probe,
/// /current, then a /sample stream or polling), follows its sequence numbers without gaps or
/// duplicates, recovers from agent restarts, OUT_OF_RANGE and dropped streams, and marks every
/// item UNAVAILABLE while the agent is unreachable.

#include <memory>

#include "collectors/collector.hpp"
#include "collectors/mtconnect_agent/mtconnect_agent_options.hpp"
#include "collectors/registry.hpp"

namespace spindle::collectors::mtconnect_agent {

class MtconnectAgentCollector final : public Collector {
 public:
  explicit MtconnectAgentCollector(MtconnectAgentOptions options);
  ~MtconnectAgentCollector() override;

  Status start(CollectorContext& context) override;
  void stop() override;

 private:
  class Connection;
  MtconnectAgentOptions m_options;
  std::shared_ptr<Connection> m_connection;
};

/// Registers the collector under the type name "mtconnect_agent".
void registerCollector(Registry& registry);

}  // namespace spindle::collectors::mtconnect_agent
