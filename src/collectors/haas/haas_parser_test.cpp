// The reply parser and the reply decoding, beyond the golden cases: splits at every byte,
// packed replies, resync after a timeout, bounds, and the command encoding.

#include "collectors/haas/haas_parser.hpp"

#include <gtest/gtest.h>

#include "collectors/haas/haas_codec.hpp"
#include "collectors/haas/haas_queries.hpp"

namespace spindle::collectors::haas {
namespace {

using Type = ReplyEvent::Type;

std::vector<ReplyEvent> parseAll(std::string_view bytes, std::size_t maxReply = 1024) {
  ReplyParser p(maxReply);
  std::vector<ReplyEvent> out;
  p.feed(bytes, out);
  return out;
}

std::vector<std::string> replies(const std::vector<ReplyEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e.type == Type::kReply) out.push_back(e.text);
  }
  return out;
}

const std::string kClassic =
    "\x02MODE, (MEM)\x17\r\n>\x02PROGRAM, O12345, IDLE, PARTS, 380\x17\r\n>\x02MACRO, 3027, "
    "1200.0\x17\r\n>";

TEST(HaasParser, ClassicRepliesSplitAnywhereGiveTheSameReplies) {
  const auto whole = replies(parseAll(kClassic));
  ASSERT_EQ(whole, (std::vector<std::string>{"MODE, (MEM)", "PROGRAM, O12345, IDLE, PARTS, 380",
                                             "MACRO, 3027, 1200.0"}));
  for (std::size_t cut = 1; cut < kClassic.size(); ++cut) {
    ReplyParser p;
    std::vector<ReplyEvent> out;
    p.feed(std::string_view(kClassic).substr(0, cut), out);
    p.feed(std::string_view(kClassic).substr(cut), out);
    EXPECT_EQ(replies(out), whole) << "split at " << cut;
  }
}

TEST(HaasParser, PromptsAreReportedOncePerRun) {
  const auto events = parseAll(">>SERIAL NUMBER, 1\r\n>");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, Type::kPrompt);
  EXPECT_EQ(events[1].type, Type::kReply);
  EXPECT_EQ(events[1].text, "SERIAL NUMBER, 1");
  EXPECT_FALSE(events[1].framed);
  EXPECT_EQ(events[2].type, Type::kPrompt);
}

TEST(HaasParser, AControlThatStopsMidReplyLeavesAPartialReplyThatResyncDrops) {
  ReplyParser p;
  std::vector<ReplyEvent> out;
  p.feed("\x02MODE, (ME", out);
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(p.midReply());
  p.resync();
  EXPECT_FALSE(p.midReply());
  // The rest of the cut-off reply and a late line arrive: dropped up to the prompt.
  p.feed("M)\x17\r\nUSING TOOL, 3\r\n>", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, Type::kPrompt);
  p.feed("\x02USING TOOL, 4\x17\r\n", out);
  EXPECT_EQ(replies(out), std::vector<std::string>{"USING TOOL, 4"});
}

TEST(HaasParser, EndlessInputWithoutAnEndIsBoundedAndReported) {
  ReplyParser p(64);
  std::vector<ReplyEvent> out;
  const std::string noise(1 << 20, 'A');
  p.feed("\x02", out);
  p.feed(noise, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, Type::kGarbage);
  EXPECT_NE(out[0].text.find("longer than 64"), std::string::npos);
  EXPECT_FALSE(p.midReply()) << "the overlong frame is skipped, not kept";
  p.feed("\x17\r\n>\x02M30 #1, 5\x17", out);
  EXPECT_EQ(replies(out), std::vector<std::string>{"M30 #1, 5"});
}

TEST(HaasParser, EchoedCommandsAreNoReplies) {
  const auto events = parseAll(">?Q600 3027\r\n>MACRO, 12\r\n");
  ASSERT_EQ(events.size(), 4u);  // prompt, echo, prompt, reply
  EXPECT_EQ(events[1].type, Type::kEcho);
  EXPECT_EQ(events[1].text, "?Q600 3027");
  EXPECT_EQ(replies(events), std::vector<std::string>{"MACRO, 12"});
}

TEST(HaasQueries, CommandsAreEncodedPerFraming) {
  EXPECT_EQ((Query{500, -1, {}}.encode(Framing::kClassic)), "Q500\r\n");
  EXPECT_EQ((Query{600, 5021, "macro_5021"}.encode(Framing::kNgc)), "?Q600 5021\r\n");
  EXPECT_EQ((Query{600, 5021, "macro_5021"}.name()), "Q600 5021");
}

TEST(HaasQueries, ScriptKeysNameVariables) {
  EXPECT_EQ(variableOfKey("macro_5021"), 5021);
  EXPECT_EQ(variableOfKey("var_10100"), 10100);
  EXPECT_FALSE(variableOfKey("macro_"));
  EXPECT_FALSE(variableOfKey("macro_0"));
  EXPECT_FALSE(variableOfKey("macro_100000"));
  EXPECT_FALSE(variableOfKey("macro_12a"));
  EXPECT_FALSE(variableOfKey("spindle_speed"));
}

TEST(HaasQueries, HoursMinutesSeconds) {
  EXPECT_EQ(parseHours("06282:17:13"), 6282 * 3600 + 17 * 60 + 13);
  EXPECT_EQ(parseHours(" 0:00:01 "), 1);
  EXPECT_FALSE(parseHours("1:60:00"));
  EXPECT_FALSE(parseHours("1:00"));
  EXPECT_FALSE(parseHours("1:00:00:00"));
  EXPECT_FALSE(parseHours("-1:00:00"));
}

TEST(HaasQueries, TypedReadings) {
  auto d = decodeReply(Query{300, -1, {}}, "P.O. TIME, 00010:00:05");
  ASSERT_EQ(d.match, Decoded::Match::kAnswer);
  ASSERT_EQ(d.readings.size(), 1u);
  EXPECT_EQ(d.readings[0].key, "power_on_time");
  EXPECT_EQ(std::get<std::int64_t>(d.readings[0].value), 36005);
  d = decodeReply(Query{600, 1098, "var_1098"}, "MACRO, 37.5");
  ASSERT_EQ(d.match, Decoded::Match::kAnswer);
  EXPECT_EQ(d.readings[0].key, "var_1098");
  EXPECT_DOUBLE_EQ(std::get<double>(d.readings[0].value), 37.5);
  d = decodeReply(Query{500, -1, {}}, "PROGRAM, MDI, ALARM ON, PARTS, 3205");
  ASSERT_EQ(d.readings.size(), 3u);
  EXPECT_EQ(std::get<std::string>(d.readings[1].value), "ALARM ON");
  EXPECT_EQ(std::get<std::int64_t>(d.readings[2].value), 3205);
  EXPECT_EQ(decodeReply(Query{201, -1, {}}, "TOOL CHANGES, 3").match, Decoded::Match::kNotOurs);
  EXPECT_EQ(decodeReply(Query{201, -1, {}}, "?").match, Decoded::Match::kRefused);
}

TEST(HaasCodec, AReplyAfterTheAnswerIsForeignNotASecondAnswer) {
  model::ItemCatalog catalog;
  HaasCodec codec(catalog, catalog.addMachine("m"));
  const Query q{201, -1, {}};
  CodecOutput out;
  // Two NGC clients: both asked Q201; the control sends the answer to both sockets.
  codec.feed(">USING TOOL, 4\r\n>>USING TOOL, 4\r\n", &q, 1, out);
  EXPECT_TRUE(out.answered);
  EXPECT_EQ(out.observations.size(), 1u);
  EXPECT_EQ(out.foreign, 1u);
}

TEST(HaasCodec, NewItemsBeyondMaxItemsAreRefusedAndCounted) {
  model::ItemCatalog catalog;
  HaasCodec codec(catalog, catalog.addMachine("m"), 1024, 1);
  CodecOutput out;
  const Query a{201, -1, {}};
  const Query b{200, -1, {}};
  codec.feed(">USING TOOL, 4\r\n", &a, 1, out);
  out.clear();
  codec.feed(">TOOL CHANGES, 9\r\n", &b, 1, out);
  EXPECT_TRUE(out.answered);
  EXPECT_TRUE(out.observations.empty());
  EXPECT_EQ(codec.itemsRefused(), 1u);
  EXPECT_EQ(codec.knownItems().size(), 1u);
}

}  // namespace
}  // namespace spindle::collectors::haas
