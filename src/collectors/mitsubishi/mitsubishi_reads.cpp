#include "collectors/mitsubishi/mitsubishi_reads.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace spindle::collectors::mitsubishi {
namespace {

using model::Kind;
namespace dt = data_type;

Error badKey(const std::string& key, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "key '" + key + "': " + why);
}

/// The number in `text` in `base`; nothing unless all of it is a number below 2^31.
std::optional<std::uint32_t> number(std::string_view text, int base) {
  std::uint32_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v >= 0x80000000u) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::string_view systemTypeName(SystemType type) {
  switch (type) {
    case SystemType::kM700L:
      return "m700l";
    case SystemType::kM700M:
      return "m700m";
    case SystemType::kM800L:
      return "m800l";
    default:
      return "m800m";
  }
}

Result<SystemType> parseSystemType(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (auto t : {SystemType::kM700L, SystemType::kM700M, SystemType::kM800L, SystemType::kM800M}) {
    if (lower == systemTypeName(t)) return t;
  }
  return Error(ErrorCode::kInvalidArgument,
               "system type '" + std::string(text) + "' is not one of m700l, m700m, m800l, m800m");
}

std::vector<std::string> defaultAxes(SystemType type) {
  return isLathe(type) ? std::vector<std::string>{"X", "Z", "C"}
                       : std::vector<std::string>{"X", "Y", "Z"};
}

std::string systemPrefix(std::uint32_t system) {
  return system <= 1 ? "" : "p" + std::to_string(system) + "_";
}

std::vector<Read> fastReads(std::uint32_t s, const std::vector<std::string>& axes) {
  const std::string p = systemPrefix(s);
  std::vector<Read> out{
      {p + "run_status", Kind::kEvent, {35, 10, s, 0, dt::kShort}},
      {p + "mode", Kind::kEvent, {35, 11, s, 0, dt::kShort}},
      {p + "automatic", Kind::kEvent, {35, 20, s, 0, dt::kDLong}},
      {p + "program", Kind::kEvent, {45, 101, s, 0, dt::kString}},
      {p + "sequence", Kind::kEvent, {45, 102, s, 0, dt::kDLong}},
      {p + "block", Kind::kEvent, {45, 103, s, 0, dt::kDLong}},
      {p + "feed", Kind::kSample, {33, 1, s, 0, dt::kFloatBin}},
      {p + "feed_command", Kind::kSample, {42, 1, s, 0, dt::kFloatBin}},
      {p + "spindle_speed", Kind::kSample, {34, 1, s, 1, dt::kDLong}},
      {p + "spindle_load", Kind::kSample, {63, 4, s, 1, dt::kDLong}},
      {p + "tool", Kind::kEvent, {21, 1, s, 0, dt::kLong}},
      {p + "part_count", Kind::kEvent, {126, 8002, s, 0, dt::kLong}},
  };
  for (std::size_t i = 0; i < axes.size() && i < kMaxAxes; ++i) {
    const std::uint32_t bit = 1u << i;
    out.push_back({p + axes[i] + "_work", Kind::kSample, {37, 1, s, bit, dt::kFloatBin}});
    out.push_back({p + axes[i] + "_load", Kind::kSample, {59, 4, s, bit, dt::kShort}});
  }
  return out;
}

std::vector<Read> slowReads(std::uint32_t s, const std::vector<std::string>& axes) {
  const std::string p = systemPrefix(s);
  std::vector<Read> out{
      {p + "program_path", Kind::kEvent, {45, 100, s, 0, dt::kString}},
      {p + "subprogram", Kind::kEvent, {45, 201, s, 0, dt::kString}},
  };
  for (std::size_t i = 0; i < axes.size() && i < kMaxAxes; ++i) {
    const std::uint32_t bit = 1u << i;
    out.push_back({p + axes[i] + "_machine", Kind::kSample, {37, 2, s, bit, dt::kFloatBin}});
    out.push_back({p + axes[i] + "_remaining", Kind::kSample, {37, 6, s, bit, dt::kFloatBin}});
  }
  return out;
}

std::vector<Read> controlReads() {
  return {
      {"time_power_on", Kind::kSample, {40, 1, 0, 0, dt::kLong}},
      {"time_automatic", Kind::kSample, {40, 2, 0, 0, dt::kLong}},
      {"time_cycle", Kind::kSample, {40, 8, 0, 0, dt::kLong}},
      {"time_cutting", Kind::kSample, {40, 100, 0, 0, dt::kLong}},
  };
}

Result<std::optional<Read>> parseScriptKey(const std::string& key) {
  std::string_view k(key);
  std::uint32_t system = 0;
  if (k.size() > 1 && k[0] == 'p' && std::isdigit(static_cast<unsigned char>(k[1]))) {
    const auto us = k.find('_');
    if (us == std::string_view::npos) return std::optional<Read>{};
    const auto n = number(k.substr(1, us - 1), 10);
    if (!n) return std::optional<Read>{};
    system = *n;
    k.remove_prefix(us + 1);
    if (system < 1 || system > 8) return badKey(key, "part system must be 1 to 8");
    if (!k.starts_with("ez_")) {
      return k.starts_with("plc_") ? Result<std::optional<Read>>(badKey(
                                         key, "PLC devices belong to the NC, not a part system"))
                                   : std::optional<Read>{};
    }
  }
  if (k.starts_with("ez_")) {
    const auto rest = k.substr(3);
    const auto us = rest.find('_');
    const auto section = number(rest.substr(0, us), 10);
    const auto sub = us == std::string_view::npos ? std::nullopt : number(rest.substr(us + 1), 10);
    if (!section || !sub) return badKey(key, "expected ez_<section>_<sub-section>, e.g. ez_35_10");
    return std::optional<Read>(Read{key, Kind::kEvent, {*section, *sub, system, 0, dt::kLong}});
  }
  if (!k.starts_with("plc_")) return std::optional<Read>{};
  auto dev = k.substr(4);
  const bool byte = dev.ends_with("_byte");
  if (byte) dev.remove_suffix(5);
  if (dev.size() < 2) return badKey(key, "expected plc_R<n>, plc_Y<hex> or plc_Y<hex>_byte");
  const auto addr = dev.substr(1);
  if (dev[0] == 'R' && !byte) {
    const auto n = number(addr, 10);
    if (!n || *n > 99999) return badKey(key, "R register number must be 0 to 99999");
    return std::optional<Read>(Read{key, Kind::kEvent, {55, 100000 + *n, 0, 0, dt::kShort}});
  }
  if (dev[0] == 'Y') {
    const auto n = number(addr, 16);
    if (!n || *n > 0xFFFF) return badKey(key, "Y device must be hexadecimal 0 to FFFF");
    return std::optional<Read>(Read{
        key, Kind::kEvent, {byte ? 54u : 53u, 10000 + *n, 0, 0, byte ? dt::kUChar : dt::kChar}});
  }
  return badKey(key,
                "the sub-section of this device is not public: use ez_<section>_<sub-section> "
                "(docs/collectors/mitsubishi.md)");
}

model::Value toModel(const Value& v) {
  return std::visit([](const auto& x) -> model::Value { return x; }, v);
}

}  // namespace spindle::collectors::mitsubishi
