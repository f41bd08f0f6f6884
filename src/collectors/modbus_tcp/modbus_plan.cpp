#include "collectors/modbus_tcp/modbus_plan.hpp"

#include <algorithm>

#include "collectors/modbus_tcp/modbus_codec.hpp"

namespace spindle::collectors::modbus_tcp {
namespace {

bool bitTable(int space) { return space == 0 || space == 1; }

bool covers(const Barriers& barriers, std::uint8_t function, std::uint32_t from, std::uint32_t to) {
  if (barriers.empty()) return false;
  const auto it = barriers.lower_bound(barrierKey(function, from));
  return it != barriers.end() && *it < barrierKey(function, to);
}

}  // namespace

std::uint8_t readFunction(int space) {
  switch (space) {
    case 0:
      return fc::kReadCoils;
    case 1:
      return fc::kReadDiscreteInputs;
    case 3:
      return fc::kReadInputRegisters;
    default:
      return fc::kReadHoldingRegisters;
  }
}

int width(const Point& p) { return bitTable(p.space) ? 1 : registerCount(p.format); }

std::vector<Block> planRequests(const std::vector<Point>& points,
                                const std::vector<std::size_t>& members, const PlanLimits& limits,
                                const Barriers& barriers) {
  std::vector<std::size_t> order(members);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto fa = readFunction(points[a].space), fb = readFunction(points[b].space);
    return fa != fb ? fa < fb : points[a].address < points[b].address;
  });
  std::vector<Block> blocks;
  std::uint32_t end = 0;  // one past the last address of the open block
  for (const std::size_t i : order) {
    const Point& p = points[i];
    const std::uint8_t f = readFunction(p.space);
    const bool bits = bitTable(p.space);
    const std::uint32_t from = p.address;
    const std::uint32_t to = from + static_cast<std::uint32_t>(width(p));
    const std::uint32_t maxCount = bits ? limits.maxBits : limits.maxRegisters;
    const std::uint32_t maxGap = bits ? limits.maxGapBits : limits.maxGapRegisters;
    if (to > 65536 || to - from > maxCount || covers(barriers, f, from, to)) continue;
    if (!blocks.empty()) {
      Block& open = blocks.back();
      const std::uint32_t newEnd = std::max(end, to);
      const bool near = from <= end + maxGap;
      if (open.function == f && near && newEnd - open.address <= maxCount &&
          !covers(barriers, f, end, from)) {
        end = newEnd;
        open.count = static_cast<std::uint16_t>(end - open.address);
        open.points.push_back(i);
        continue;
      }
    }
    blocks.push_back(Block{f, p.address, static_cast<std::uint16_t>(to - from), {i}});
    end = to;
  }
  return blocks;
}

std::vector<std::uint16_t> gapAddresses(const Block& block, const std::vector<Point>& points) {
  std::vector<bool> used(block.count, false);
  for (const std::size_t i : block.points) {
    const int w = width(points[i]);
    for (int k = 0; k < w; ++k) {
      const auto at = static_cast<std::size_t>(points[i].address - block.address + k);
      if (at < used.size()) used[at] = true;
    }
  }
  std::vector<std::uint16_t> gaps;
  for (std::size_t k = 0; k < used.size(); ++k) {
    if (!used[k]) gaps.push_back(static_cast<std::uint16_t>(block.address + k));
  }
  return gaps;
}

}  // namespace spindle::collectors::modbus_tcp
