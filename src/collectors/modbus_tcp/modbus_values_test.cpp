#include "collectors/modbus_tcp/modbus_values.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors::modbus_tcp {
namespace {

using Regs = std::vector<std::uint16_t>;

model::Value decode(const Regs& regs, ValueType type, ByteOrder order = ByteOrder::kABCD) {
  ValueFormat f;
  f.type = type;
  f.order = order;
  f.length = static_cast<int>(regs.size());
  auto v = decodeRegisters(regs, f);
  EXPECT_TRUE(v) << v.error().message();
  return v ? *v : model::Value{};
}

// Float 123456.0 = 0x47F12000 (bytes A=47 B=F1 C=20 D=00) in each order.
TEST(ModbusValues, Float32InEveryOrder) {
  EXPECT_EQ(decode({0x47F1, 0x2000}, ValueType::kFloat32, ByteOrder::kABCD),
            model::Value(123456.0));
  EXPECT_EQ(decode({0x2000, 0x47F1}, ValueType::kFloat32, ByteOrder::kCDAB),
            model::Value(123456.0));
  EXPECT_EQ(decode({0xF147, 0x0020}, ValueType::kFloat32, ByteOrder::kBADC),
            model::Value(123456.0));
  EXPECT_EQ(decode({0x0020, 0xF147}, ValueType::kFloat32, ByteOrder::kDCBA),
            model::Value(123456.0));
}

TEST(ModbusValues, IntegersSignedAndUnsigned) {
  EXPECT_EQ(decode({0x0001, 0xE240}, ValueType::kInt32), model::Value(std::int64_t{123456}));
  EXPECT_EQ(decode({0xFFFF, 0xFFFE}, ValueType::kInt32), model::Value(std::int64_t{-2}));
  EXPECT_EQ(decode({0xFFFF, 0xFFFE}, ValueType::kUint32), model::Value(std::int64_t{4294967294}));
  EXPECT_EQ(decode({0xFFFE, 0xFFFF}, ValueType::kInt32, ByteOrder::kCDAB),
            model::Value(std::int64_t{-2}));
  EXPECT_EQ(decode({0xFF85}, ValueType::kInt16), model::Value(std::int64_t{-123}));
  EXPECT_EQ(decode({0xFF85}, ValueType::kUint16), model::Value(std::int64_t{65413}));
  EXPECT_EQ(decode({0x85FF}, ValueType::kInt16, ByteOrder::kBADC),
            model::Value(std::int64_t{-123}));
  EXPECT_EQ(decode({0x0000}, ValueType::kBool), model::Value(false));
  EXPECT_EQ(decode({0x0100}, ValueType::kBool), model::Value(true));
}

TEST(ModbusValues, SixtyFourBitsInEveryOrder) {
  const model::Value expect(std::int64_t{0x0102030405060708});
  EXPECT_EQ(decode({0x0102, 0x0304, 0x0506, 0x0708}, ValueType::kInt64, ByteOrder::kABCD), expect);
  EXPECT_EQ(decode({0x0708, 0x0506, 0x0304, 0x0102}, ValueType::kInt64, ByteOrder::kCDAB), expect);
  EXPECT_EQ(decode({0x0201, 0x0403, 0x0605, 0x0807}, ValueType::kInt64, ByteOrder::kBADC), expect);
  EXPECT_EQ(decode({0x0807, 0x0605, 0x0403, 0x0201}, ValueType::kInt64, ByteOrder::kDCBA), expect);
  EXPECT_EQ(decode({0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}, ValueType::kInt64),
            model::Value(std::int64_t{-1}));
  EXPECT_EQ(decode({0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}, ValueType::kUint64),
            model::Value(18446744073709551615.0));
  EXPECT_EQ(decode({0x3FF8, 0, 0, 0}, ValueType::kFloat64), model::Value(1.5));
  EXPECT_EQ(decode({0, 0, 0, 0x3FF8}, ValueType::kFloat64, ByteOrder::kCDAB), model::Value(1.5));
}

TEST(ModbusValues, ScaleOffsetBitAndString) {
  ValueFormat f;
  f.type = ValueType::kInt16;
  f.scale = 0.1;
  f.offset = -40;
  auto v = decodeRegisters(Regs{650}, f);
  ASSERT_TRUE(v);
  EXPECT_NEAR(std::get<double>(*v), 25.0, 1e-9);
  ValueFormat bit;
  bit.bit = 15;
  EXPECT_EQ(decodeRegisters(Regs{0x8000}, bit).value(), model::Value(true));
  bit.bit = 0;
  EXPECT_EQ(decodeRegisters(Regs{0x8000}, bit).value(), model::Value(false));
  ValueFormat s;
  s.type = ValueType::kString;
  s.length = 4;
  EXPECT_EQ(decodeRegisters(Regs{0x4F31, 0x3233, 0x2000, 0x0000}, s).value(),
            model::Value(std::string("O123")));
  s.order = ByteOrder::kBADC;
  EXPECT_EQ(decodeRegisters(Regs{0x314F, 0x3332, 0x0020, 0x0000}, s).value(),
            model::Value(std::string("O123")));
  EXPECT_FALSE(decodeRegisters(Regs{1, 2}, f));  // int16 takes one register
}

TEST(ModbusValues, EncodeIsTheReverseOfDecode) {
  for (auto order : {ByteOrder::kABCD, ByteOrder::kCDAB, ByteOrder::kBADC, ByteOrder::kDCBA}) {
    for (auto type : {ValueType::kInt16, ValueType::kUint16, ValueType::kInt32, ValueType::kUint32,
                      ValueType::kInt64, ValueType::kFloat32, ValueType::kFloat64}) {
      ValueFormat f;
      f.type = type;
      f.order = order;
      const model::Value in = type == ValueType::kFloat32 || type == ValueType::kFloat64
                                  ? model::Value(-12.5)
                              : type == ValueType::kUint16 || type == ValueType::kUint32
                                  ? model::Value(std::int64_t{40000})
                                  : model::Value(std::int64_t{-1234});
      auto regs = encodeRegisters(in, f);
      ASSERT_TRUE(regs) << toString(type);
      auto out = decodeRegisters(*regs, f);
      ASSERT_TRUE(out);
      EXPECT_EQ(*out, in) << toString(type) << " " << toString(order);
    }
  }
  ValueFormat small;
  small.type = ValueType::kInt16;
  EXPECT_FALSE(encodeRegisters(model::Value(std::int64_t{40000}), small));
  EXPECT_FALSE(encodeRegisters(model::Value(std::string("x")), small));
}

TEST(ModbusValues, NamesParse) {
  EXPECT_EQ(parseByteOrder("big"), ByteOrder::kABCD);
  EXPECT_EQ(parseByteOrder("little"), ByteOrder::kCDAB);
  EXPECT_EQ(parseByteOrder("dcba"), ByteOrder::kDCBA);
  EXPECT_FALSE(parseByteOrder("ACBD"));
  EXPECT_EQ(parseValueType("boolean"), ValueType::kBool);
  EXPECT_FALSE(parseValueType("int17"));
}

}  // namespace
}  // namespace spindle::collectors::modbus_tcp
