// The simulated Heidenhain control alone: login levels and the DNC option, the TNC 426's plain
// R_VR, the buffer its max block length allows, a telegram larger than the buffer refused and
// counted, a multi-block R_FL acknowledged block by block, NC errors to the end of the list.

#include "sim/lsv2_control.hpp"

#include <gtest/gtest.h>

namespace spindle::sim {
namespace {

namespace lv = collectors::lsv2;

std::uint8_t errorCode(const lv::Telegram& t) { return lv::decodeError(t).value().code; }

TEST(Lsv2Control, LoginLevelsAndTheDncOption) {
  Lsv2Control control(MachineProfile{}, Lsv2Identity::kTnc640, false);
  Lsv2Control::Session s;
  EXPECT_EQ(errorCode(control.answer(s, lv::versionRequest())), lv::status::kNoLogin);
  EXPECT_TRUE(control.answer(s, lv::loginRequest("INSPECT")).is(lv::code::kOk));
  EXPECT_TRUE(control.answer(s, lv::versionRequest()).is(lv::code::kVersions));
  EXPECT_TRUE(control.answer(s, lv::loginRequest("DNC")).isError());
  EXPECT_EQ(errorCode(control.answer(s, lv::runInfoRequest(26))), lv::status::kNoPrivilege);
  control.setDncOption(true);
  EXPECT_TRUE(control.answer(s, lv::loginRequest("DNC")).is(lv::code::kOk));
  EXPECT_TRUE(control.answer(s, lv::runInfoRequest(26)).is(lv::code::kRunInfo));
  // NC errors and the tool are the iTNC 530's.
  EXPECT_EQ(errorCode(control.answer(s, lv::runInfoRequest(27))), lv::status::kWrongParameter);
  EXPECT_TRUE(control.answer(s, lv::logoutRequest()).is(lv::code::kOk));
  EXPECT_EQ(errorCode(control.answer(s, lv::runInfoRequest(26))), lv::status::kNoLogin);
}

TEST(Lsv2Control, OldControlAnswersOnlyThePlainVersionRequestAndKeepsTheSmallBuffer) {
  Lsv2Control control(MachineProfile{}, Lsv2Identity::kTnc426);
  Lsv2Control::Session s;
  control.answer(s, lv::loginRequest("INSPECT"));
  const auto v = lv::decodeVersions(control.answer(s, lv::versionRequest()).payload).value();
  EXPECT_EQ(v.control, "TNC 426/430M");
  EXPECT_EQ(errorCode(control.answer(s, lv::versionRequest(1))), lv::status::kWrongParameter);
  const auto p =
      lv::decodeSystemParameters(control.answer(s, lv::parameterRequest()).payload).value();
  EXPECT_EQ(lv::chooseBuffer(p.maxBlockLength).command, 0);
  EXPECT_TRUE(control.answer(s, lv::bufferRequest(3)).isError());
  EXPECT_EQ(s.buffer, lv::kDefaultBuffer);
  EXPECT_TRUE(control.answer(s, lv::Telegram{"R_DP", lv::Bytes(300, 1)}).isError());
  EXPECT_EQ(s.oversized, 1u);
}

TEST(Lsv2Control, FileComesInBlocksOfTheAgreedBuffer) {
  Lsv2Control control(MachineProfile{}, Lsv2Identity::kItnc530);
  Lsv2Control::Session s;
  control.answer(s, lv::loginRequest("INSPECT"));
  control.answer(s, lv::loginRequest("FILE"));
  EXPECT_TRUE(control.answer(s, lv::bufferRequest(4)).is(lv::code::kOk));
  EXPECT_EQ(s.buffer, 512u);
  control.setFile("TNC:\\x.h", std::string(1200, 'a'));
  std::vector<std::size_t> sizes;
  lv::Telegram t = control.answer(s, lv::fileRequest("TNC:\\x.h", false));
  while (t.is(lv::code::kFileBlock)) {
    sizes.push_back(t.payload.size());
    t = control.answer(s, lv::okTelegram());
  }
  EXPECT_TRUE(t.is(lv::code::kTransferDone));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{504, 504, 192}));
  EXPECT_EQ(errorCode(control.answer(s, lv::okTelegram())), lv::status::kUnexpectedTelegram);
}

TEST(Lsv2Control, NcErrorsToTheEndOfTheList) {
  Lsv2Control control(MachineProfile{}, Lsv2Identity::kItnc530);
  Lsv2Control::Session s;
  control.answer(s, lv::loginRequest("INSPECT"));
  control.answer(s, lv::loginRequest("DNC"));
  EXPECT_EQ(errorCode(control.answer(s, lv::runInfoRequest(27))), lv::status::kNoNextError);
  control.raiseError(7, "one");
  control.raiseError(8, "two");
  EXPECT_EQ(lv::decodeNcError(control.answer(s, lv::runInfoRequest(27)).payload).value().text,
            "one");
  EXPECT_EQ(lv::decodeNcError(control.answer(s, lv::runInfoRequest(28)).payload).value().number, 8);
  EXPECT_EQ(errorCode(control.answer(s, lv::runInfoRequest(28))), lv::status::kNoNextError);
}

}  // namespace
}  // namespace spindle::sim
