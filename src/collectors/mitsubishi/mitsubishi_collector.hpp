#pragma once
/// The mitsubishi collector (experimental): a native client of the EZSocket protocol of
/// Mitsubishi M70/M700/M80/M800 NCs and Citizen's M700 lathes (GIOP 1.0 over TCP 683, no
/// vendor library). One connection per machine entry reads the configured part systems: at
/// connect the part system and axis counts, machine type, NC version and axis names; then a
/// fast group (status, mode, program, feeds, spindle, tool, part count, positions, loads,
/// alarms) and a slow group (machine positions, distances to go, program path, time counters,
/// the script's PLC devices and addresses), each a batch of pipelined requests.
///
/// Addresses the NC refuses as illegal are dropped, said once in the log and in the machine's
/// state detail. A reply the codec cannot decode is logged once per connection with its
/// operation, length and bytes (so that it can be reported) and its key is UNAVAILABLE. A
/// batch without an answer drops the connection; it is opened again with the shared backoff
/// and every item is UNAVAILABLE meanwhile. Other machines never wait for this one.

#include <memory>

#include "collectors/collector.hpp"
#include "collectors/mitsubishi/mitsubishi_options.hpp"
#include "collectors/registry.hpp"

namespace spindle::collectors::mitsubishi {

struct MitsubishiStats {
  std::uint64_t batches = 0;    ///< batches of requests sent
  std::uint64_t answers = 0;    ///< batches answered in full
  std::uint64_t refused = 0;    ///< addresses the NC refused as illegal (no longer asked)
  std::uint64_t undecoded = 0;  ///< replies the codec could not decode
  std::uint64_t overruns = 0;   ///< polls skipped because the previous one was not done
};

class MitsubishiCollector final : public Collector {
 public:
  explicit MitsubishiCollector(MitsubishiOptions options);
  ~MitsubishiCollector() override;

  Status start(CollectorContext& context) override;
  void stop() override;
  MitsubishiStats stats() const;

 private:
  class Connection;
  MitsubishiOptions m_options;
  std::shared_ptr<Connection> m_connection;
};

/// The reads the machine's script names (keys plc_..., ez_..., p<n>_ez_...), each key once; an
/// error names a malformed key or a part system this machine does not read.
Result<std::vector<Read>> scriptReads(const transform::CompiledScript* script,
                                      const MitsubishiOptions& options);

/// Registers the collector under the type name "mitsubishi".
void registerCollector(Registry& registry);

}  // namespace spindle::collectors::mitsubishi
