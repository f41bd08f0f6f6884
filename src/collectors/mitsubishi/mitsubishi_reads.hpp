#pragma once
/// What the mitsubishi collector asks the NC, as section/sub-section addresses of mochaGetData,
/// and the keys it reports them under. Pure.
///
/// The addresses are the public ones (research notes section 3.4), the same for every system
/// type as far as public facts go: the system type says whether the machine is a lathe (axes
/// X, Z, C until the NC names them) or a machining centre (X, Y, Z), and is checked against
/// the machine type the NC reports (section 2, sub 100). Keys of part system n > 1 start with
/// p<n>_.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/mitsubishi/mitsubishi_codec.hpp"
#include "model/observation.hpp"

namespace spindle::collectors::mitsubishi {

/// The EZSocket system types of the NCs this collector is for (M70 answers as an M700M/L,
/// M80 as an M800M/L; Citizen's M700 lathes are M700L).
enum class SystemType { kM700L, kM700M, kM800L, kM800M };

/// "m700l", ...; parseSystemType accepts the same (any case).
std::string_view systemTypeName(SystemType type);
Result<SystemType> parseSystemType(std::string_view text);
inline bool isLathe(SystemType t) { return t == SystemType::kM700L || t == SystemType::kM800L; }
/// The axis names assumed before the NC names its axes (section 127).
std::vector<std::string> defaultAxes(SystemType type);

/// "" for part system 1, "p2_" for part system 2.
std::string systemPrefix(std::uint32_t system);

/// One value the collector reads: its key, its kind, and its address.
struct Read {
  std::string key;
  model::Kind kind = model::Kind::kEvent;
  DataAddress address;
};

/// Addresses the collector asks at connect (NC-wide, and the axis count of each part system).
namespace discover {
inline constexpr DataAddress kSystems{2, 1, 0, 0, data_type::kChar};
inline constexpr DataAddress kMachineType{2, 100, 0, 0, data_type::kChar};  ///< 0 MC, 1 lathe
inline constexpr DataAddress kSpindles{2, 4, 0, 0, data_type::kChar};
inline constexpr DataAddress kNcVersion{67, 1, 0, 0, data_type::kString};
inline DataAddress axisCount(std::uint32_t system) { return {2, 2, system, 0, data_type::kChar}; }
inline DataAddress axisName(std::uint32_t system, std::uint32_t axis) {
  return {127, 1, system, 1u << (axis - 1), data_type::kString};
}
}  // namespace discover

constexpr std::uint32_t kMaxAxes = 16;  ///< axis bits the collector asks for

/// Every poll: run status, mode, automatic operation, program, sequence, block, feeds, spindle
/// speed and load, tool, part counter, workpiece positions and servo loads of `axes`.
std::vector<Read> fastReads(std::uint32_t system, const std::vector<std::string>& axes);
/// Every slow poll: machine positions, distances to go, program path, subprogram.
std::vector<Read> slowReads(std::uint32_t system, const std::vector<std::string>& axes);
/// Every slow poll, once per NC: the time counters (section 40).
std::vector<Read> controlReads();

/// A key of the machine's script that names an address: plc_R<n> (word, section 55),
/// plc_Y<hex> (bit, section 53), plc_Y<hex>_byte (section 54), and ez_<section>_<sub> for any
/// other address (part system 0; p<n>_ez_... for part system n), read as T_LONG and decoded
/// by the type the NC answers. Nothing for other keys; an error for a malformed one.
Result<std::optional<Read>> parseScriptKey(const std::string& key);

/// The model value of a decoded value.
model::Value toModel(const Value& value);

}  // namespace spindle::collectors::mitsubishi
