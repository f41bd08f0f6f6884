// The frames in ../shared/fixtures/mitsubishi/ezsocket_frames.hex: every request and reply
// decoded by this codec to the values the fixture README states, and every request this codec
// builds byte for byte equal to the fixture's. Every section of the file must be checked here:
// a new one fails until it is.

#include <gtest/gtest.h>

#include "collectors/mitsubishi/mitsubishi_codec.hpp"
#include "collectors/testing/fixture_file.hpp"

namespace spindle::collectors::mitsubishi {
namespace {

using testing::readWhole;
using testing::Section;
using testing::unhex;

/// The message, fed through the stream reader 5 bytes at a time (as a slow TCP peer would).
Message readMessage(const std::string& hex) {
  MessageReader reader;
  return readWhole<Message>(reader, unhex(hex), 5, "message").value_or(Message{});
}

Request request(const std::string& hex) {
  auto r = decodeRequest(readMessage(hex));
  EXPECT_TRUE(r.ok()) << r.error().describe();
  if (!r.ok()) return {};
  EXPECT_EQ(r->requestId, 0x1234u);
  EXPECT_TRUE(r->littleEndian);
  // What this codec builds from the decoded request is the fixture's frame.
  EXPECT_EQ(encodeRequest(*r), unhex(hex));
  return *r;
}

Reply reply(const std::string& hex) {
  auto r = decodeReply(readMessage(hex));
  EXPECT_TRUE(r.ok()) << r.error().describe();
  if (!r.ok()) return {};
  EXPECT_EQ(r->requestId, 0x1234u);
  return *r;
}

Value value(const Reply& r, std::uint32_t wantType) {
  auto d = decodeDataReply(r);
  EXPECT_TRUE(d.ok()) << d.error().describe();
  if (!d.ok()) return Value{};
  EXPECT_EQ(d->type, wantType);
  auto v = decodeValue(d->type, d->data, r.littleEndian);
  EXPECT_TRUE(v.ok()) << v.error().describe();
  return v.ok() ? *v : Value{};
}

class MitsubishiFixtures : public testing::FixtureSectionsTest {
 protected:
  MitsubishiFixtures() : FixtureSectionsTest("mitsubishi/ezsocket_frames.hex") {}
};

TEST_F(MitsubishiFixtures, EveryFrameDecodesToTheValuesTheReadmeGives) {
  ASSERT_EQ(m_sections.size(), 8u);
  {  // The golden 80-byte request: section 2 sub 1, T_CHAR; the reply: 3 part systems.
    const auto& s = section("ez-getdata-system-count");
    const Request q = request(s.at("request"));
    EXPECT_EQ(unhex(s.at("request")).size(), 80u);
    EXPECT_EQ(q.operation, "mochaGetData");
    EXPECT_EQ(q.objectKey, (Bytes{1, 0, 0, 0}));
    EXPECT_TRUE(q.responseExpected);
    auto a = dataAddressOf(q);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(*a, (DataAddress{2, 1, 0, 0, data_type::kChar}));
    EXPECT_EQ(encodeRequest(getDataRequest(0x1234, *a)), unhex(s.at("request")));
    const Reply r = reply(s.at("reply"));
    EXPECT_EQ(r.status, reply_status::kNoException);
    EXPECT_EQ(value(r, data_type::kChar), Value(std::int64_t{3}));
  }
  {  // Alarm request: system 1, 10 messages, all types (84 bytes).
    const auto& s = section("ez-alarm-request");
    const Request q = request(s.at("request"));
    EXPECT_EQ(unhex(s.at("request")).size(), 84u);
    EXPECT_EQ(q.operation, "mochaGetCurrentAlarmMsgFirst");
    EXPECT_EQ(q.args, (std::vector<std::uint32_t>{1, 10, 0}));
    EXPECT_EQ(encodeRequest(alarmRequest(0x1234, 1, 10, 0)), unhex(s.at("request")));
  }
  {  // Two 264-byte records: an empty one, then alarm 222 (second field 2) "EM".
    const auto& s = section("ez-alarm-reply-two-entries");
    const Request q = request(s.at("request"));
    EXPECT_EQ(q.args, (std::vector<std::uint32_t>{1, 2, 0}));
    auto alarms = decodeAlarms(reply(s.at("reply")));
    ASSERT_TRUE(alarms.ok()) << alarms.error().describe();
    ASSERT_EQ(alarms->size(), 2u);
    EXPECT_TRUE((*alarms)[0].empty());
    EXPECT_EQ((*alarms)[1].number, 222);
    EXPECT_EQ((*alarms)[1].kind, 2);
    EXPECT_EQ((*alarms)[1].text, "EM");
  }
  {  // Program block: system 1, 10 rows; the reply: block 7, row 3, text "O1" (length 2).
    const auto& s = section("ez-program-block");
    const Request q = request(s.at("request"));
    EXPECT_EQ(q.operation, "mochaGetCurrentPrgBlockFirst");
    EXPECT_EQ(q.args, (std::vector<std::uint32_t>{1, 10}));
    EXPECT_EQ(encodeRequest(programBlockRequest(0x1234, 1, 10)), unhex(s.at("request")));
    auto rows = decodeProgramBlock(reply(s.at("reply")));
    ASSERT_TRUE(rows.ok()) << rows.error().describe();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0].block, 7);
    EXPECT_EQ((*rows)[0].row, 3);
    EXPECT_EQ((*rows)[0].text, "O1");
  }
  {  // Machine position of axis 1 in part system 1: T_FLOATBIN (5, 3, 0, -12.5).
    const auto& s = section("ez-getdata-machine-position-axis1");
    auto a = dataAddressOf(request(s.at("request")));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(*a, (DataAddress{37, 2, 1, 0x01, data_type::kFloatBin}));
    const Reply r = reply(s.at("reply"));
    EXPECT_EQ(value(r, data_type::kFloatBin), Value(-12.5));
    const auto d = decodeDataReply(r);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->data.size(), 16u);
    EXPECT_EQ(d->data[0], 5);  // integer digits
    EXPECT_EQ(d->data[2], 3);  // decimal digits
  }
  {  // NC version: T_STR whose length (7) bounds the text, not the 8 bytes that follow.
    const auto& s = section("ez-getdata-nc-version-string");
    auto a = dataAddressOf(request(s.at("request")));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(*a, (DataAddress{67, 1, 0, 0, data_type::kString}));
    EXPECT_EQ(value(reply(s.at("reply")), data_type::kString), Value(std::string("#0104[1")));
  }
  {  // User exception: section number illegal, which is permanent.
    const Reply r = reply(section("ez-error-reply-section-illegal").at("reply"));
    EXPECT_EQ(r.status, reply_status::kUserException);
    auto e = decodeException(r);
    ASSERT_TRUE(e.ok()) << e.error().describe();
    EXPECT_EQ(e->code, 0x80040191u);
    EXPECT_TRUE(e->id.empty());
    EXPECT_TRUE(isPermanent(e->code));
    EXPECT_EQ(errorName(e->code), "section number illegal (0x80040191)");
    EXPECT_FALSE(decodeDataReply(r).ok());
  }
  {  // System exception: communication line not open, which is not permanent.
    const Reply r = reply(section("ez-error-reply-line-not-open").at("reply"));
    EXPECT_EQ(r.status, reply_status::kSystemException);
    auto e = decodeException(r);
    ASSERT_TRUE(e.ok()) << e.error().describe();
    EXPECT_EQ(e->code, 0x80A00101u);
    EXPECT_FALSE(isPermanent(e->code));
  }
  for (const auto& [id, s] : m_sections)
    EXPECT_TRUE(m_checked.count(id)) << id << " is not checked";
}

}  // namespace
}  // namespace spindle::collectors::mitsubishi
