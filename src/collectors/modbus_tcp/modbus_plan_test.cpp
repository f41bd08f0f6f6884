#include "collectors/modbus_tcp/modbus_plan.hpp"

#include <numeric>

#include <gtest/gtest.h>

#include "collectors/modbus_tcp/modbus_codec.hpp"

namespace spindle::collectors::modbus_tcp {
namespace {

Point reg(std::uint16_t address, ValueType type = ValueType::kUint16, int space = 4) {
  Point p;
  p.key = "r" + std::to_string(address);
  p.space = space;
  p.address = address;
  p.format.type = type;
  return p;
}

std::vector<std::size_t> all(const std::vector<Point>& points) {
  std::vector<std::size_t> v(points.size());
  std::iota(v.begin(), v.end(), 0);
  return v;
}

TEST(ModbusPlan, AdjacentAndNearAddressesShareARequest) {
  const std::vector<Point> points{reg(0),  reg(1),   reg(2, ValueType::kFloat32),
                                  reg(10), reg(100), reg(5, ValueType::kUint16, 3)};
  const auto blocks = planRequests(points, all(points), PlanLimits{});
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].function, fc::kReadHoldingRegisters);
  EXPECT_EQ(blocks[0].address, 0);
  EXPECT_EQ(blocks[0].count, 11);  // 0..10: the float spans 2-3, the gap 4-9 is read
  EXPECT_EQ(blocks[0].points.size(), 4u);
  EXPECT_EQ(blocks[1].address, 100);
  EXPECT_EQ(blocks[2].function, fc::kReadInputRegisters);
  PlanLimits adjacentOnly;
  adjacentOnly.maxGapRegisters = 0;
  EXPECT_EQ(planRequests(points, all(points), adjacentOnly).size(), 4u);
}

TEST(ModbusPlan, RequestsStayWithinTheProtocolLimit) {
  std::vector<Point> points;
  for (std::uint16_t a = 0; a < 300; ++a) points.push_back(reg(a));
  const auto blocks = planRequests(points, all(points), PlanLimits{});
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].count, 125);
  EXPECT_EQ(blocks[1].count, 125);
  EXPECT_EQ(blocks[2].count, 50);
  std::vector<Point> bits;
  for (std::uint16_t a = 0; a < 2100; ++a) bits.push_back(reg(a, ValueType::kBool, 0));
  const auto bitBlocks = planRequests(bits, all(bits), PlanLimits{});
  ASSERT_EQ(bitBlocks.size(), 2u);
  EXPECT_EQ(bitBlocks[0].function, fc::kReadCoils);
  EXPECT_EQ(bitBlocks[0].count, 2000);
  // A value never straddles two requests.
  std::vector<Point> wide;
  for (std::uint16_t a = 0; a < 130; a += 4) wide.push_back(reg(a, ValueType::kFloat64));
  for (const auto& b : planRequests(wide, all(wide), PlanLimits{})) EXPECT_EQ(b.count % 4, 0);
}

TEST(ModbusPlan, BarriersSplitRequestsAndGapsAreFound) {
  const std::vector<Point> points{reg(0), reg(3), reg(6)};
  auto blocks = planRequests(points, all(points), PlanLimits{});
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(gapAddresses(blocks[0], points), (std::vector<std::uint16_t>{1, 2, 4, 5}));
  Barriers barriers{barrierKey(fc::kReadHoldingRegisters, 4)};
  blocks = planRequests(points, all(points), PlanLimits{}, barriers);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].count, 4);
  EXPECT_EQ(blocks[1].address, 6);
  barriers.insert(barrierKey(fc::kReadHoldingRegisters, 6));
  blocks = planRequests(points, all(points), PlanLimits{}, barriers);
  ASSERT_EQ(blocks.size(), 1u);  // the point on the barrier is not read at all
}

}  // namespace
}  // namespace spindle::collectors::modbus_tcp
