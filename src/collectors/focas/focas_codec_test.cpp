#include "collectors/focas/focas_codec.hpp"

#include <cmath>

#include <gtest/gtest.h>

#include "collectors/focas/focas_commands.hpp"

namespace spindle::collectors::focas {
namespace {

template <typename T>
T val(Result<T> r) {
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? std::move(r).value() : T{};
}

TEST(FocasCodec, RequestRoundTripsAndSplitsAnywhere) {
  std::vector<Call> calls = {call(cmd::kStatInfo, 2),
                             pmcCall(2, PmcArea::R, PmcType::kLong, 100, 3),
                             macroWriteCall(1, 500, toNumber(12.5, 3))};
  auto bytes = encodeRequest(calls);
  ASSERT_TRUE(bytes.ok());
  for (std::size_t chunk = 1; chunk <= bytes->size(); ++chunk) {
    FrameReader reader;
    std::optional<Frame> got;
    for (std::size_t at = 0; at < bytes->size();) {
      at += reader.feed(std::span(*bytes).subspan(at, std::min(chunk, bytes->size() - at)));
      auto next = reader.next();
      ASSERT_TRUE(next.ok());
      if (next->has_value()) got = **next;
    }
    ASSERT_TRUE(got.has_value()) << chunk;
    auto back = decodeRequest(*got);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    ASSERT_EQ(back->size(), 3u);
    EXPECT_EQ(back->at(0).path, 2);
    EXPECT_EQ(back->at(1).cls, 2);
    EXPECT_EQ(back->at(1).args[1], 111);  // bytes 100..111: three longs
    EXPECT_EQ(back->at(2).args[4], 8);
    EXPECT_EQ(readNumber(back->at(2).payload), (Number{12500, 10, 3}));
  }
}

TEST(FocasCodec, ReaderRefusesOversizedFramesAndMissingSync) {
  FrameReader small(64);
  Bytes big = {0xA0, 0xA0, 0xA0, 0xA0, 0, 2, 0x21, 0x02, 0x01, 0x00};  // 256-byte body
  EXPECT_EQ(small.feed(big), big.size());
  auto r = small.next();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("over the limit of 64"), std::string::npos);
  EXPECT_LE(small.buffered(), kHeaderSize);

  FrameReader reader;
  const Bytes garbage = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ', '2', '0', '0'};
  reader.feed(garbage);
  auto g = reader.next();
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.error().message().find("sync"), std::string::npos);
  EXPECT_LE(reader.buffered(), kHeaderSize);
}

TEST(FocasCodec, TwoFramesInOneReadComeOutOneByOne) {
  Bytes two = encodeOpenReply(version::kReply30i);
  const Bytes close = encodeCloseReply(version::kReply30i);
  two.insert(two.end(), close.begin(), close.end());
  FrameReader reader;
  std::span<const std::uint8_t> rest(two);
  rest = rest.subspan(reader.feed(rest));
  auto first = reader.next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->type, frame_type::kOpenReply);
  rest = rest.subspan(reader.feed(rest));
  EXPECT_TRUE(rest.empty());
  auto second = reader.next();
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->type, frame_type::kCloseReply);
  EXPECT_EQ((*second)->version, version::kReply30i);
}

TEST(FocasCodec, ReplyLengthsMustAgree) {
  Reply ok{1, 1, cmd::kSequence, 0, 0, encodeInt32(42)};
  auto bytes = encodeReply(std::span(&ok, 1), version::kReply16i);
  ASSERT_TRUE(bytes.ok());
  Bytes cut = *bytes;
  cut[kHeaderSize + 2 + 15] = 5;  // payload length 5 in a 20-byte answer
  auto frame = decodeFrame(cut);
  ASSERT_TRUE(frame.ok());
  auto bad = decodeReply(*frame);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("answer 1 of 1"), std::string::npos);

  std::vector<Call> two = {call(cmd::kSequence), call(cmd::kFeed)};
  auto answers = decodeReply(val(decodeFrame(*bytes)));
  ASSERT_TRUE(answers.ok());
  EXPECT_FALSE(matchReplies(two, *answers).ok());
  EXPECT_TRUE(matchReplies(std::span(two).first(1), *answers).ok());
}

TEST(FocasCodec, RequestLimits) {
  EXPECT_FALSE(encodeRequest({}).ok());
  std::vector<Call> many(kMaxCallsPerFrame + 1, call(cmd::kStatInfo));
  EXPECT_FALSE(encodeRequest(many).ok());
  Call huge = call(cmd::kMacroWrite);
  huge.payload.resize(70000);
  EXPECT_FALSE(encodeRequest(std::span(&huge, 1)).ok());
}

TEST(FocasCodec, Numbers) {
  EXPECT_DOUBLE_EQ((Number{3111657, 10, 4}).value(), 311.1657);
  EXPECT_DOUBLE_EQ((Number{-5, 2, 1}).value(), -2.5);
  EXPECT_TRUE(std::isnan(vacantNumber().value()));
  EXPECT_TRUE(std::isnan((Number{1, 0, 3}).value()));
  EXPECT_EQ(toNumber(12.5, 3), (Number{12500, 10, 3}));
  EXPECT_EQ(toNumber(-0.0004, 3), (Number{0, 10, 3}));
  EXPECT_TRUE(toNumber(std::nan(""), 3).vacant());
  const Number big = toNumber(5e6, 4);  // 5e10 passes int32: fewer decimals
  EXPECT_DOUBLE_EQ(big.value(), 5e6);
  EXPECT_EQ(toNumber(1e12, 3).mantissa, 2147483647);
}

TEST(FocasCodec, ErrorCodesHaveNamesAndMeanings) {
  EXPECT_EQ(errorName(ew::kNoOpt), "EW_NOOPT");
  EXPECT_EQ(errorName(ew::kBusy), "EW_BUSY");
  EXPECT_EQ(errorName(42), "EW_(42)");
  EXPECT_NE(errorMeaning(ew::kFunc).find("does not implement"), std::string::npos);
  EXPECT_TRUE(isPermanent(ew::kFunc));
  EXPECT_FALSE(isPermanent(ew::kBusy));
}

TEST(FocasCommands, TypedPayloadsRoundTrip) {
  const SysInfo sys{1090, 32, " 0", " M", "D4F1", "30.0", "03"};
  EXPECT_EQ(val(decodeSysInfo(encodeSysInfo(sys))), sys);
  const StatInfo st{1, 3, 1, 0, 0, 1, 0};
  EXPECT_EQ(val(decodeStatInfo(encodeStatInfo(st))), st);
  const std::vector<AlarmMessage> alarms = {{1001, 2, 0, "SPINDLE OVERLOAD"}, {500, 4, 1, ""}};
  EXPECT_EQ(val(decodeAlarmMessages(encodeAlarmMessages(alarms, 64), 64)), alarms);
  EXPECT_EQ(decodeProgramName(encodeProgramName({1234, "O1234"}))->name, "O1234");
  EXPECT_EQ(val(decodeText(encodeText("//CNC_MEM/USER/PATH1/O1234"))),
            "//CNC_MEM/USER/PATH1/O1234");
  EXPECT_EQ(decodeExecBlock(encodeExecBlock({12, "G01 X10."}))->text, "G01 X10.");
  const std::vector<std::string> names = {"X", "Y", "Z", "A1"};
  EXPECT_EQ(val(decodeNames(encodeNames(names))), names);
  const std::vector<std::int32_t> bytes = {0, 255, 7};
  EXPECT_EQ(val(decodePmc(encodePmc(bytes, PmcType::kByte), PmcType::kByte)), bytes);
  const std::vector<std::int32_t> longs = {-70000, 5};
  EXPECT_EQ(val(decodePmc(encodePmc(longs, PmcType::kLong), PmcType::kLong)), longs);
  EXPECT_DOUBLE_EQ(decodeTimer(encodeTimer({90, 1500}))->seconds(), 5401.5);
  const DateTime d{2026, 12, 4, 23, 30, 5};
  const DateTime back = val(decodeDateTime(encodeDateTime(d)));
  EXPECT_EQ(back.year, 2026);
  EXPECT_EQ(back.second, 5);
  const std::vector<Figure> figures = {{3, 3}, {4, 3}};
  EXPECT_EQ(val(decodeFigures(encodeFigures(figures))), figures);
  const std::vector<ParamRecord> records = {{6711, 0, 3, {toNumber(52638, 0)}},
                                            {1850, -1, 3, {toNumber(-1, 0), toNumber(2, 0)}}};
  for (Layout l : {Layout::k16i, Layout::k30i}) {
    auto r = decodeParams(encodeParams(records, l), l);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 2u);
    EXPECT_DOUBLE_EQ(r->at(0).values.at(0).value(), 52638);
    ASSERT_EQ(r->at(1).values.size(), slotCount(l));
    EXPECT_DOUBLE_EQ(r->at(1).values.at(1).value(), 2);
  }
}

TEST(FocasCommands, WrongSizesAreErrorsNamingTheCommand) {
  const Bytes three = {1, 2, 3};
  EXPECT_NE(decodeStatInfo(three).error().message().find("statinfo"), std::string::npos);
  EXPECT_FALSE(decodeSysInfo(three).ok());
  EXPECT_FALSE(decodeNumbers(three).ok());
  EXPECT_FALSE(decodeParams(three, Layout::k30i).ok());
  EXPECT_FALSE(decodeParams({}, Layout::k16i).ok());
  EXPECT_FALSE(decodePmc(three, PmcType::kWord).ok());
  EXPECT_FALSE(decodeAlarmMessages(three, 64).ok());
  EXPECT_FALSE(decodeTimer(encodeTimer({1, 70000})).ok());  // 70 s is not a millisecond part
  EXPECT_NE(decodeFigures(three).error().message().find("number format"), std::string::npos);
  Bytes figures = encodeFigures(std::vector<Figure>{{3, 3}});
  figures.resize(6);  // count 1, half a pair
  EXPECT_FALSE(decodeFigures(figures).ok());
  EXPECT_FALSE(decodeFigures(encodeFigures(std::vector<Figure>{{3, 12}})).ok());
  Bytes badText = encodeAlarmMessages(std::vector<AlarmMessage>{{1, 1, 0, "X"}}, 32);
  badText[15] = 99;  // msg_len 99 in a 32-byte field
  EXPECT_FALSE(decodeAlarmMessages(badText, 32).ok());
  // The little-endian date seen in one dump reads as 2020-05-14.
  const Bytes le = {0xe4, 0x07, 0x05, 0x00, 0x0e, 0x00, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(decodeDateTime(le)->year, 2020);
  EXPECT_EQ(decodeDateTime(le)->day, 14);
}

}  // namespace
}  // namespace spindle::collectors::focas

namespace spindle::collectors::focas {
namespace {

// Found by focas_frame_fuzz: the word between the detail and the payload length is kept, so a
// reply encodes back to the bytes it came from.
TEST(FocasCodec, ReplyKeepsTheStatusWord) {
  Reply r{1, 1, cmd::kMacroWrite, 0, 0, {}, 0x0a00};
  auto bytes = encodeReply(std::span(&r, 1), version::kReply16i);
  ASSERT_TRUE(bytes.ok());
  auto back = decodeReply(decodeFrame(*bytes).value());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->at(0).status, 0x0a00);
  EXPECT_EQ(encodeReply(*back, version::kReply16i).value(), *bytes);
}

}  // namespace
}  // namespace spindle::collectors::focas
