// The LSV2 codec alone: the buffer bound on what is sent, the reader's bounds and resync
// refusal, error telegrams, buffer choice, and every typed payload encoded and decoded back.

#include "collectors/lsv2/lsv2_codec.hpp"

#include <gtest/gtest.h>

#include "collectors/lsv2/lsv2_replies.hpp"
#include "collectors/lsv2/lsv2_run_info.hpp"

namespace spindle::collectors::lsv2 {
namespace {

TEST(Lsv2Codec, NeverEncodesATelegramLargerThanTheAgreedBuffer) {
  Telegram t{"S_FL", Bytes(248, 'a')};
  EXPECT_TRUE(encodeTelegram(t, kDefaultBuffer).ok());
  t.payload.push_back('b');
  auto refused = encodeTelegram(t, kDefaultBuffer);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("257 bytes exceeds the 256-byte buffer"),
            std::string::npos)
      << refused.error().message();
  EXPECT_TRUE(encodeTelegram(t, 512).ok());
  EXPECT_FALSE(encodeTelegram(Telegram{"R_R", {}}).ok());
  EXPECT_FALSE(encodeTelegram(Telegram{"r_ri", {}}).ok());
}

TEST(Lsv2Codec, ReaderSplitsAStreamAndRefusesWhatIsNotLsv2) {
  Bytes stream = encodeTelegram(okTelegram()).value();
  const Bytes second = encodeTelegram(runInfoRequest(26)).value();
  stream.insert(stream.end(), second.begin(), second.end());
  TelegramReader reader;
  std::vector<Telegram> got;
  std::span<const std::uint8_t> rest(stream);
  while (!rest.empty()) {
    rest = rest.subspan(reader.feed(rest));
    while (auto t = reader.next()) {
      if (!t->has_value()) break;
      got.push_back(**t);
    }
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], okTelegram());
  EXPECT_EQ(got[1], runInfoRequest(26));

  TelegramReader garbage;
  const std::string text = "GARBAGE!\r\n";
  garbage.feed(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  EXPECT_FALSE(garbage.next().ok());

  TelegramReader small(100);
  const Bytes big = {0, 0, 1, 0, 'S', '_', 'F', 'L', 1, 2, 3};
  EXPECT_EQ(small.feed(big), 8u);  // the header only: the payload is never held
  auto e = small.next();
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message().find("256 payload bytes"), std::string::npos);
}

TEST(Lsv2Codec, ErrorTelegramsAreNamed) {
  const Telegram t = errorTelegram({1, status::kNoPrivilege});
  EXPECT_EQ(describeError(t),
            "T_ER type 1 code 23 T_ER_NO_PRIV: no privilege (the login level lacks it)");
  EXPECT_EQ(errorName(77), "T_ER code 77");
  EXPECT_EQ(decodeError(errorTelegram({2, 25}, true)).value(), (TransferError{2, 25}));
  EXPECT_FALSE(decodeError(okTelegram()).ok());
  EXPECT_FALSE(decodeError(Telegram{"T_ER", {1}}).ok());
}

TEST(Lsv2Codec, BufferIsTheLargestTheControlAllows) {
  EXPECT_EQ(chooseBuffer(4088).size, 3072u);
  EXPECT_EQ(chooseBuffer(4096).command, 7);
  EXPECT_EQ(chooseBuffer(2048).command, 5);
  EXPECT_EQ(chooseBuffer(1500).command, 3);
  EXPECT_EQ(chooseBuffer(600).command, 4);
  EXPECT_EQ(chooseBuffer(300).command, 0);
  EXPECT_EQ(chooseBuffer(300).size, kDefaultBuffer);
}

TEST(Lsv2Codec, PayloadsRoundTrip) {
  const ProgramStack s{42, "TNC:\\A.H", "TNC:\\B.H"};
  const auto back = decodeProgramStack(encodeProgramStack(s)).value();
  EXPECT_EQ(back.line, 42u);
  EXPECT_EQ(back.currentProgram, "TNC:\\B.H");
  const auto o = decodeOverrides(encodeOverrides({95.5, 100, 25})).value();
  EXPECT_DOUBLE_EQ(o.spindle, 100);
  EXPECT_DOUBLE_EQ(o.feed, 95.5);
  const NcError e{3, 2, -5, "text"};
  EXPECT_EQ(decodeNcError(encodeNcError(e)).value(), e);
  const ToolInfo t{12, 0, 2, 80.5, 4.0};
  const auto tb = decodeToolInfo(encodeToolInfo(t)).value();
  EXPECT_EQ(tb.number, 12u);
  EXPECT_DOUBLE_EQ(*tb.radius, 4.0);
  EXPECT_EQ(std::get<double>(decodeDataPath(encodeDataPath(Scalar(1.25))).value()), 1.25);
  EXPECT_EQ(
      std::get<std::int64_t>(decodeDataPath(encodeDataPath(Scalar(std::int64_t{-7}))).value()), -7);
  EXPECT_EQ(controlTypeOf("TNC 640"), ControlType::kTnc640);
  EXPECT_EQ(controlTypeOf("TNC7"), ControlType::kTnc7);
  EXPECT_EQ(controlTypeOf("CNC PILOT 640"), ControlType::kCncPilot640);
  EXPECT_EQ(controlTypeOf("MANUALplus 620"), ControlType::kManualPlus);
  EXPECT_EQ(controlTypeOf("Sinumerik"), ControlType::kUnknown);
}

TEST(Lsv2RunInfo, EachReplyBecomesItsKeysAndTheKeysOfARefusalMatch) {
  const std::vector<std::uint8_t> automatic{0x00, 0x04};
  auto mode = runInfoValues(info::kExecutionMode, automatic);
  ASSERT_TRUE(mode.ok());
  ASSERT_EQ(mode->size(), 1u);
  EXPECT_EQ((*mode)[0].key, "execution_mode");
  EXPECT_EQ((*mode)[0].value, model::Value{std::int64_t{4}});
  EXPECT_EQ((*mode)[0].kind, model::Kind::kEvent);
  EXPECT_EQ(runInfoKeys(info::kExecutionMode, {}), std::vector<std::string>{"execution_mode"});
  EXPECT_FALSE(runInfoValues(info::kProgramState, std::vector<std::uint8_t>{0x01}).ok());
  EXPECT_FALSE(runInfoValues(99, automatic).ok());
  EXPECT_EQ(runInfoKeys(info::kAxisLocation, {"X", "C"}),
            (std::vector<std::string>{"X_pos", "C_pos"}));
  EXPECT_EQ(axisOfKey("X_pos"), "X");
  EXPECT_EQ(runInfoKeys(info::kOverrides, {}).size(), 3u);
}

}  // namespace
}  // namespace spindle::collectors::lsv2
