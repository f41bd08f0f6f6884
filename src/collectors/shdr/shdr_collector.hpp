#pragma once
/// The shdr collector: connects to an MTConnect SHDR adapter (default port 7878), parses its
/// lines, and marks every item UNAVAILABLE while the adapter is gone.

#include <memory>

#include "collectors/collector.hpp"
#include "collectors/shdr/shdr_options.hpp"

namespace spindle::collectors::shdr {

class ShdrCollector final : public Collector {
 public:
  explicit ShdrCollector(ShdrOptions options);
  ~ShdrCollector() override;

  Status start(CollectorContext& context) override;
  void stop() override;

 private:
  class Connection;
  ShdrOptions m_options;
  std::shared_ptr<Connection> m_connection;
};

}  // namespace spindle::collectors::shdr
