// The simulated Mitsubishi NC alone: documented sections answered with their types, unknown
// sections and sub-sections refused as an NC refuses them, both byte orders, alarms and the
// executing block, the system type's axes and machine type.

#include "sim/mitsubishi_control.hpp"

#include <gtest/gtest.h>

namespace spindle::sim {
namespace {

namespace mc = collectors::mitsubishi;

mc::Reply ask(MitsubishiControl& c, const mc::DataAddress& a, bool le = true) {
  // Through the wire format and back, as a client would see it.
  auto m = mc::decodeMessage(mc::encodeReply(c.answer(mc::getDataRequest(42, a, le), le)));
  EXPECT_TRUE(m.ok());
  auto r = mc::decodeReply(*m);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r->requestId, 42u);
  return *r;
}

mc::Value valueOf(const mc::Reply& r) {
  auto d = mc::decodeDataReply(r);
  EXPECT_TRUE(d.ok()) << d.error().describe();
  auto v = mc::decodeValue(d->type, d->data, r.littleEndian);
  EXPECT_TRUE(v.ok()) << v.error().describe();
  return *v;
}

MachineProfile profile() {
  MachineProfile p;
  p.name = "m";
  p.timeScale = 10;
  return p;
}

TEST(MitsubishiControl, AnswersTheDocumentedSectionsInBothByteOrders) {
  MitsubishiControl c(profile(), mc::SystemType::kM800L, 2);
  c.step(std::chrono::seconds(30));
  for (bool le : {true, false}) {
    EXPECT_EQ(valueOf(ask(c, {2, 1, 0, 0, mc::data_type::kChar}, le)), mc::Value(std::int64_t{2}));
    EXPECT_EQ(valueOf(ask(c, {2, 100, 0, 0, mc::data_type::kChar}, le)),
              mc::Value(std::int64_t{1}));
    EXPECT_EQ(valueOf(ask(c, {127, 1, 1, 2, mc::data_type::kString}, le)),
              mc::Value(std::string("Z")));
    const auto run =
        std::get<std::int64_t>(valueOf(ask(c, {35, 10, 2, 0, mc::data_type::kShort}, le)));
    EXPECT_TRUE(run == 0 || run == 1 || run == 2 || run == 3 || run == 7) << run;
    EXPECT_TRUE(std::holds_alternative<double>(
        valueOf(ask(c, {37, 2, 1, 1, mc::data_type::kFloatBin}, le))));
    EXPECT_TRUE(std::holds_alternative<std::string>(
        valueOf(ask(c, {67, 1, 0, 0, mc::data_type::kString}, le))));
    // Asked as T_LONG, answered as the section's own type.
    auto d = mc::decodeDataReply(ask(c, {45, 101, 1, 0, mc::data_type::kLong}, le));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->type, mc::data_type::kString);
  }
}

TEST(MitsubishiControl, RefusesUnknownAddressesAsAnNcDoes) {
  MitsubishiControl c(profile(), mc::SystemType::kM700M, 1);
  for (auto [a, code] : std::vector<std::pair<mc::DataAddress, std::uint32_t>>{
           {{250, 1, 1, 0, mc::data_type::kLong}, mc::ez_error::kSectionIllegal},
           {{35, 99, 1, 0, mc::data_type::kShort}, mc::ez_error::kSubSectionIllegal},
           {{37, 1, 1, 0x10, mc::data_type::kFloatBin}, mc::ez_error::kSubSectionIllegal},
           {{35, 10, 3, 0, mc::data_type::kShort}, mc::ez_error::kSubSectionIllegal}}) {
    const auto r = ask(c, a);
    EXPECT_EQ(r.status, mc::reply_status::kUserException);
    EXPECT_EQ(mc::decodeException(r)->code, code) << a.section << "/" << a.subSection;
  }
  mc::Request other;
  other.requestId = 3;
  other.operation = "mochaFSOpenFile";
  const auto r = c.answer(other, true);
  EXPECT_EQ(r.status, mc::reply_status::kSystemException);
  EXPECT_EQ(mc::decodeException(r)->id, "IDL:omg.org/CORBA/BAD_OPERATION:1.0");
}

TEST(MitsubishiControl, AlarmsAndTheExecutingBlock) {
  MitsubishiControl c(profile(), mc::SystemType::kM700M, 1);
  c.raiseAlarm(1, 1001, "SPINDLE OVERLOAD");
  auto list = mc::decodeAlarms(c.answer(mc::alarmRequest(1, 1, 10), true));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 10u);
  EXPECT_EQ((*list)[0].number, 1001);
  EXPECT_EQ((*list)[0].text, "SPINDLE OVERLOAD");
  c.clearAlarms(1);
  list = mc::decodeAlarms(c.answer(mc::alarmRequest(1, 1, 3), true));
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_TRUE((*list)[0].empty());
  auto rows = mc::decodeProgramBlock(c.answer(mc::programBlockRequest(2, 1, 1), false));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().text.rfind("N", 0), 0u);
}

}  // namespace
}  // namespace spindle::sim
