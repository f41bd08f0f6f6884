#pragma once
/// The register map as requests: the points a machine's script reads, coalesced per poll group
/// into as few read requests as the protocol allows. Pure: no I/O.
///
/// Points of one table (coils, discrete inputs, input or holding registers) whose addresses lie
/// at most `maxGap` apart share a request while it stays within the function's limit (2000
/// bits, 125 registers). Addresses known to answer "illegal data address" are barriers: no
/// request covers one, so a bad address found once never spoils its neighbours again.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "base/units.hpp"
#include "collectors/modbus_tcp/modbus_values.hpp"

namespace spindle::collectors::modbus_tcp {

/// One input of the register map.
struct Point {
  std::string key;            ///< the script's identifier, reported as the item key
  int space = 4;              ///< 0 coils, 1 discrete inputs, 3 input, 4 holding registers
  std::uint16_t address = 0;  ///< 0-based, as on the wire
  ValueFormat format;         ///< registers only
  std::string group;          ///< poll group; "" the machine's poll_interval
};

/// The read function of a table: 0 -> 1, 1 -> 2, 3 -> 4, 4 -> 3.
std::uint8_t readFunction(int space);
/// How many addresses the point spans (1 for bits).
int width(const Point& point);

/// One read request and the points it answers.
struct Block {
  std::uint8_t function = 0;
  std::uint16_t address = 0;
  std::uint16_t count = 0;
  std::vector<std::size_t> points;  ///< indexes into the map, ascending by address
};

struct PlanLimits {
  std::uint16_t maxGapRegisters = 16;  ///< unread registers a request may span between points
  std::uint16_t maxGapBits = 64;       ///< unread bits a request may span between points
  std::uint16_t maxRegisters = 125;    ///< per request (devices may allow fewer)
  std::uint16_t maxBits = 2000;
};

/// Barriers: (function << 16 | address) of addresses a request must not cover.
using Barriers = std::set<std::uint32_t>;
inline std::uint32_t barrierKey(std::uint8_t function, std::uint32_t address) {
  return (static_cast<std::uint32_t>(function) << 16) | address;
}

/// The requests reading `members` (indexes into `points`) of one poll group, in function then
/// address order. A point that itself covers a barrier gets no request.
std::vector<Block> planRequests(const std::vector<Point>& points,
                                const std::vector<std::size_t>& members, const PlanLimits& limits,
                                const Barriers& barriers = {});

/// The addresses of `block` that none of its points reads (the gaps it spans).
std::vector<std::uint16_t> gapAddresses(const Block& block, const std::vector<Point>& points);

}  // namespace spindle::collectors::modbus_tcp
