#pragma once
/// The haas collector: polls a Haas control with Q-commands, one at a time with pacing, over
/// TCP (a serial device server, or an NGC control's Machine Data Collection port) or a local
/// serial port. Replies are matched by their label; a command without an answer times out, the
/// stream is resynchronized on the next prompt, and after max_timeouts in a row the stream is
/// opened again with the shared backoff. Every item is UNAVAILABLE while the control is gone.

#include <memory>

#include "collectors/collector.hpp"
#include "collectors/haas/haas_options.hpp"
#include "collectors/registry.hpp"

namespace spindle::collectors::haas {

class HaasCollector final : public Collector {
 public:
  explicit HaasCollector(HaasOptions options);
  ~HaasCollector() override;

  Status start(CollectorContext& context) override;
  void stop() override;

 private:
  class Connection;
  HaasOptions m_options;
  std::shared_ptr<Connection> m_connection;
};

/// The Q600 queries a machine's script asks for (keys macro_<n> / var_<n>), then `extra`'s,
/// each key once.
std::vector<Query> variableQueries(const transform::CompiledScript* script,
                                   const std::vector<std::string>& extra);

/// Registers the collector under the type name "haas".
void registerCollector(Registry& registry);

}  // namespace spindle::collectors::haas
