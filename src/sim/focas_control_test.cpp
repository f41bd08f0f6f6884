#include "sim/focas_control.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace spindle::sim {
namespace {

namespace fc = collectors::focas;
using namespace std::chrono_literals;

MachineProfile profile() {
  MachineProfile p;
  p.name = "fanuc-1";
  p.seed = 7;
  return p;
}

TEST(FocasControl, SeriesDifferInVersionLayoutAndRefusals) {
  FocasControl c30(profile(), FocasSeries::k30i, 1);
  FocasControl c16(profile(), FocasSeries::k16i, 1);
  FocasControl c0(profile(), FocasSeries::k0i, 1);
  EXPECT_EQ(c30.replyVersion(), fc::version::kReply30i);
  EXPECT_EQ(c16.replyVersion(), fc::version::kReply16i);
  EXPECT_EQ(c0.replyVersion(), fc::version::kReply16i);

  const fc::Call p30 = fc::paramCall(fc::Layout::k30i, false, 1, 6711, 6711, 0);
  const fc::Call p16 = fc::paramCall(fc::Layout::k16i, false, 1, 6711, 6711, 0);
  EXPECT_EQ(c30.answer(p30).error, fc::ew::kOk);
  EXPECT_EQ(c30.answer(p16).error, fc::ew::kFunc);
  EXPECT_EQ(c16.answer(p16).error, fc::ew::kOk);
  EXPECT_EQ(c16.answer(p30).error, fc::ew::kFunc);
  EXPECT_EQ(c0.answer(p30).error, fc::ew::kOk);
  EXPECT_EQ(fc::decodeParams(c16.answer(p16).payload, fc::Layout::k16i)->size(), 1u);

  const fc::Call dtg = fc::call(fc::cmd::kPosition, 1, fc::position::kDistanceToGo, -1);
  EXPECT_EQ(c16.answer(dtg).error, fc::ew::kNoOpt);
  EXPECT_EQ(c30.answer(dtg).error, fc::ew::kOk);
  EXPECT_EQ(c0.answer(fc::call(fc::cmd::kExecBlock, 1, 64)).error, fc::ew::kNoOpt);
  EXPECT_EQ(c16.answer(fc::call(fc::cmd::kProgramPath30i)).error, fc::ew::kFunc);
  EXPECT_EQ(c30.answer(fc::call(0x0777)).error, fc::ew::kFunc);

  auto sys = fc::decodeSysInfo(c16.answer(fc::call(fc::cmd::kSysInfo)).payload);
  ASSERT_TRUE(sys.ok());
  EXPECT_EQ(sys->cncType, "16");
  EXPECT_EQ(sys->maxAxis, 8);
  auto pos = fc::decodeNumbers(c16.answer(fc::call(fc::cmd::kPosition, 1, 4, -1)).payload);
  EXPECT_EQ(pos->size(), 8u);
  pos = fc::decodeNumbers(c30.answer(fc::call(fc::cmd::kPosition, 1, 4, -1)).payload);
  EXPECT_EQ(pos->size(), 32u);
}

TEST(FocasControl, PathsFollowTheirOwnModelsAndWrongPathsAreRefused) {
  FocasControl c(profile(), FocasSeries::k30i, 2);
  for (int i = 0; i < 600; ++i) c.step(100ms);
  EXPECT_EQ(c.answer(fc::call(fc::cmd::kStatInfo, 3)).error, fc::ew::kPath);
  EXPECT_EQ(c.answer(fc::call(fc::cmd::kStatInfo, 2)).error, fc::ew::kOk);
  auto r = c.answer(fc::call(fc::cmd::kStatInfo, 2));
  EXPECT_EQ(r.path, 2);
  EXPECT_TRUE(fc::decodeStatInfo(r.payload).ok());
}

TEST(FocasControl, InjectedAlarmShowsWithTextUntilCleared) {
  FocasControl c(profile(), FocasSeries::k16i, 1);
  const fc::Call msgs = fc::alarmMessagesCall(1, 10, 64);
  c.raiseAlarm(1, 1001, "SPINDLE OVERLOAD");
  auto list = fc::decodeAlarmMessages(c.answer(msgs).payload, 64);
  ASSERT_TRUE(list.ok());
  ASSERT_FALSE(list->empty());
  EXPECT_EQ(list->front().number, 1001);
  EXPECT_EQ(list->front().text, "SPINDLE OVERLOAD");
  EXPECT_EQ(fc::decodeStatInfo(c.answer(fc::call(fc::cmd::kStatInfo)).payload)->alarm, 1);
  EXPECT_NE(fc::decodeAlarmBits(c.answer(fc::call(fc::cmd::kAlarmBits)).payload).value(), 0u);
  c.clearAlarms(1);
  list = fc::decodeAlarmMessages(c.answer(msgs).payload, 64);
  for (const auto& a : *list) EXPECT_NE(a.number, 1001);
  EXPECT_EQ(c.answer(fc::alarmMessagesCall(1, 10, 48)).error, fc::ew::kLength);
}

TEST(FocasControl, MacrosReadVacantThenWrittenUnlessProtected) {
  FocasControl c(profile(), FocasSeries::k30i, 1);
  auto read = [&] {
    return fc::decodeNumbers(c.answer(fc::call(fc::cmd::kMacroRead, 1, 500, 501)).payload).value();
  };
  EXPECT_TRUE(read()[0].vacant());
  EXPECT_EQ(c.answer(fc::macroWriteCall(1, 500, fc::toNumber(12.5, 3))).error, fc::ew::kOk);
  EXPECT_DOUBLE_EQ(read()[0].value(), 12.5);
  EXPECT_TRUE(read()[1].vacant());
  c.setWriteProtected(true);
  EXPECT_EQ(c.answer(fc::macroWriteCall(1, 500, fc::toNumber(1, 0))).error, fc::ew::kProt);
  EXPECT_EQ(c.answer(fc::macroWriteCall(1, 4000, fc::toNumber(1, 0))).error, fc::ew::kNumber);
  EXPECT_EQ(c.answer(fc::call(fc::cmd::kMacroRead, 1, 5000, 5000)).error, fc::ew::kNumber);
}

TEST(FocasControl, PmcTimersAndPartCount) {
  FocasControl c(profile(), FocasSeries::k30i, 1);
  auto d = c.answer(fc::pmcCall(1, fc::PmcArea::D, fc::PmcType::kWord, 2204, 1));
  EXPECT_EQ(fc::decodePmc(d.payload, fc::PmcType::kWord).value(), std::vector<std::int32_t>{600});
  EXPECT_EQ(c.answer(fc::pmcCall(1, fc::PmcArea::D, fc::PmcType::kByte, 0, 300)).error,
            fc::ew::kLength);
  fc::Call bad = fc::pmcCall(1, fc::PmcArea::D, fc::PmcType::kByte, 0, 1);
  bad.args[2] = 12;
  EXPECT_EQ(c.answer(bad).error, fc::ew::kAttrib);
  for (int i = 0; i < 3000; ++i) c.step(100ms);  // five simulated minutes
  auto on = fc::decodeTimer(c.answer(fc::call(fc::cmd::kTimer, 1, fc::timer::kPowerOn)).payload);
  EXPECT_EQ(on->minutes, 5);
  const auto parts = fc::decodeParams(
      c.answer(fc::paramCall(fc::Layout::k30i, false, 1, 6711, 6711, 0)).payload, fc::Layout::k30i);
  const auto macro =
      fc::decodeNumbers(c.answer(fc::call(fc::cmd::kMacroRead, 1, 3901, 3901)).payload);
  EXPECT_DOUBLE_EQ(parts->at(0).values.at(0).value(), macro->at(0).value());
  const auto longs =
      fc::decodePmc(c.answer(fc::pmcCall(1, fc::PmcArea::D, fc::PmcType::kLong, 100, 1)).payload,
                    fc::PmcType::kLong);
  EXPECT_DOUBLE_EQ(longs->at(0), macro->at(0).value());
  EXPECT_EQ(c.answer(fc::paramCall(fc::Layout::k30i, false, 1, 9, 9, 0)).error, fc::ew::kNumber);
  EXPECT_EQ(c.answer(fc::paramCall(fc::Layout::k30i, true, 1, 410, 411, 0)).error, fc::ew::kOk);
}

}  // namespace
}  // namespace spindle::sim
