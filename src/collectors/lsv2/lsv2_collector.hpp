#pragma once
/// The lsv2 collector: a native Heidenhain LSV2 client (no vendor library, no DNC PC). One TCP
/// session per machine: the login sequence identifies the control (R_VR, R_PR), agrees the
/// largest buffer it allows and logs in as DNC; then every poll reads the run information
/// (R_RI 22 axes, 23 execution mode, 24 program and line, 25 overrides, 26 program state, 51
/// tool on the iTNC 530), the script's PLC operands (R_MB) and the configured data paths
/// (R_DP), one telegram at a time, and the slow round reads the NC error list (R_RI 27/28,
/// iTNC 530) into the `alarms` condition. A control without the DNC option refuses the DNC
/// login: the collector reports what INSPECT gives (its identification) and says so once. What
/// a control refuses for good (unknown telegram, wrong parameter) is dropped, said once in the
/// log and in the machine's state detail. A request without an answer drops the session; it is
/// opened again with the shared backoff and every item is UNAVAILABLE meanwhile.

#include <memory>

#include "collectors/collector.hpp"
#include "collectors/lsv2/lsv2_options.hpp"
#include "collectors/registry.hpp"

namespace spindle::collectors::lsv2 {

/// One PLC operand the script reads: key plc_<M|I|O|C|T|B|W|D><number>.
struct PlcRead {
  std::string key;
  Operand operand = Operand::kMarker;
  std::uint32_t number = 0;
};

/// The operand a key names, nothing for keys that name none, an error for a malformed plc_ key
/// (W needs an even byte address, D a multiple of 4).
Result<std::optional<PlcRead>> parsePlcKey(std::string_view key);
/// The script's PLC operands, each key once.
Result<std::vector<PlcRead>> plcReads(const transform::CompiledScript* script);

struct Lsv2Stats {
  std::uint64_t requests = 0;  ///< telegrams asked (polls)
  std::uint64_t answers = 0;   ///< answers received
  std::uint64_t refused = 0;   ///< requests the control refused for good (then no longer asked)
  std::uint64_t overruns = 0;  ///< polls skipped because the previous round was not done
};

class Lsv2Collector final : public Collector {
 public:
  explicit Lsv2Collector(Lsv2Options options);
  ~Lsv2Collector() override;

  Status start(CollectorContext& context) override;
  void stop() override;
  Lsv2Stats stats() const;

 private:
  class Connection;
  Lsv2Options m_options;
  std::shared_ptr<Connection> m_connection;
};

/// Registers the collector under the type name "lsv2".
void registerCollector(Registry& registry);

}  // namespace spindle::collectors::lsv2
