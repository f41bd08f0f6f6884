#pragma once
/// The focas collector: a native FOCAS/Ethernet client (no vendor library). One TCP session per
/// machine entry reads the configured paths: at connect the control's series, axes and what it
/// supports; then a fast group (status, program, feed, spindle, positions, loads) in ONE
/// request frame per poll and a slow group (alarm texts, timers, the script's parameters,
/// diagnoses, macros and PMC addresses). Calls the control refuses for good (EW_FUNC,
/// EW_NOOPT) are dropped, said once in the log and in the machine's state detail. A request
/// without an answer drops the session; it is opened again with the shared backoff and every
/// item is UNAVAILABLE meanwhile.

#include <memory>

#include "collectors/collector.hpp"
#include "collectors/focas/focas_options.hpp"
#include "collectors/registry.hpp"

namespace spindle::collectors::focas {

struct ScriptRead;

struct FocasStats {
  std::uint64_t requests = 0;  ///< request frames sent
  std::uint64_t answers = 0;   ///< reply frames received
  std::uint64_t refused = 0;   ///< calls the control refused for good (then no longer asked)
  std::uint64_t overruns = 0;  ///< polls skipped because the previous one was not done
};

class FocasCollector final : public Collector {
 public:
  explicit FocasCollector(FocasOptions options);
  ~FocasCollector() override;

  Status start(CollectorContext& context) override;
  void stop() override;
  /// Writes a macro variable (`macro_<n>`, `p<n>_macro_<n>`) when allow_write is on; the
  /// value is kept while the control is away and written again after each reconnect.
  void write(const std::string& key, model::Value value, std::function<void(Status)> done) override;
  FocasStats stats() const;

 private:
  class Connection;
  FocasOptions m_options;
  std::shared_ptr<Connection> m_connection;
};

/// The reads the machine's script asks for (keys param_, diag_, macro_, pmc_; with p<n>_ for
/// path n), each key once; an error names a malformed key or a path this machine does not read.
Result<std::vector<ScriptRead>> scriptReads(const transform::CompiledScript* script,
                                            const FocasOptions& options);

/// Registers the collector under the type name "focas".
void registerCollector(Registry& registry);

}  // namespace spindle::collectors::focas
