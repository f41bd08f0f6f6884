// The public FOCAS dumps in ../shared/fixtures/focas/focas_frames.hex: every request and reply
// decoded by this codec to the values the fixture README states (bytes from a 160i-W EDM and a
// 30i/31i Robodrill). Every section of the file must be checked here: a new one fails until it is.

#include <cmath>

#include <gtest/gtest.h>

#include "collectors/focas/focas_codec.hpp"
#include "collectors/focas/focas_commands.hpp"
#include "collectors/testing/fixture_file.hpp"

namespace spindle::collectors::focas {
namespace {

using testing::readWhole;
using testing::Section;
using testing::unhex;
using testing::val;

/// The frame, fed through the stream reader 3 bytes at a time (as a slow TCP peer would).
Frame readFrame(const std::string& hex) {
  FrameReader reader(kMaxBody);
  return readWhole<Frame>(reader, unhex(hex), 3, "frame").value_or(Frame{});
}

std::vector<Call> calls(const std::string& hex) {
  const Frame f = readFrame(hex);
  EXPECT_EQ(f.version, version::kRequest);
  auto c = decodeRequest(f);
  EXPECT_TRUE(c.ok()) << c.error().describe();
  return c.ok() ? *c : std::vector<Call>{};
}

/// The calls and their answers, checked to match one for one.
std::pair<std::vector<Call>, std::vector<Reply>> pair(const Section& s, std::uint16_t ver) {
  auto request = calls(s.at("request"));
  const Frame reply = readFrame(s.at("reply"));
  EXPECT_EQ(reply.version, ver);
  auto answers = decodeReply(reply);
  EXPECT_TRUE(answers.ok()) << answers.error().describe();
  if (!answers) return {request, {}};
  const auto match = matchReplies(request, *answers);
  EXPECT_TRUE(match.ok()) << match.error().describe();
  // The encoder makes the same bytes back from the decoded answers.
  EXPECT_EQ(val(encodeReply(*answers, ver)), unhex(s.at("reply")));
  EXPECT_EQ(val(encodeRequest(request)), unhex(s.at("request")));
  return {request, *answers};
}

std::vector<double> values(const std::vector<Number>& numbers) {
  std::vector<double> out;
  for (const Number& n : numbers) out.push_back(n.value());
  return out;
}

void expectNear(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-9) << "slot " << i;
}

ParamRecord record(const Section& s, Layout layout, const std::string& key = "reply_payload") {
  auto r = decodeParams(unhex(s.at(key)), layout);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r.ok() ? r->size() : 0u, 1u);
  return r.ok() && !r->empty() ? r->front() : ParamRecord{};
}

/// A sub-packet request alone: wrapped in a one-call frame and decoded.
Call subCall(const Section& s) {
  Bytes body = {0, 1};
  const Bytes sub = unhex(s.at("subpacket_request"));
  body.insert(body.end(), sub.begin(), sub.end());
  auto c = decodeRequest(Frame{version::kRequest, frame_type::kRequest, body});
  EXPECT_TRUE(c.ok()) << c.error().describe();
  return c.ok() ? c->front() : Call{};
}

class FocasFixtures : public testing::FixtureSectionsTest {
 protected:
  FocasFixtures() : FixtureSectionsTest("focas/focas_frames.hex") {}
};

TEST_F(FocasFixtures, EveryDumpDecodesToTheValuesTheReadmeGives) {
  ASSERT_GE(m_sections.size(), 20u);
  {  // 30i: four calls in one frame, reply version 4.
    auto [c, r] = pair(section("focas-30i-multipacket-a4-89-56-a4"), version::kReply30i);
    ASSERT_EQ(r.size(), 4u);
    EXPECT_EQ(c[0].command, cmd::kAxisCount);
    EXPECT_EQ(c[0].args[0], 2);
    EXPECT_EQ(val(decodeInt16(r[0].payload)), 4);
    EXPECT_EQ(val(decodeNames(r[1].payload)), (std::vector<std::string>{"X", "Y", "Z", "B"}));
    auto load = decodeNumbers(r[2].payload);
    ASSERT_EQ(load->size(), 32u);
    std::vector<double> want(32, 0.0);
    want[1] = -3;
    want[2] = 33;
    expectNear(values(*load), want);
    EXPECT_EQ(val(decodeInt16(r[3].payload)), 4);
  }
  {  // 160i-W: nine calls, two refused (EW_FUNC, EW_NOOPT).
    auto [c, r] = pair(section("focas-160iw-batch9-with-errors"), version::kReply16i);
    ASSERT_EQ(r.size(), 9u);
    EXPECT_EQ(val(decodeAlarmBits(r[0].payload)), 0u);
    EXPECT_EQ(decodeProgramNumbers(r[1].payload)->running, 3000);
    EXPECT_EQ(decodeProgramNumbers(r[1].payload)->main, 3000);
    EXPECT_EQ(val(decodeInt32(r[2].payload)), 0);
    const Number feed = decodeNumbers(r[3].payload)->at(0);
    EXPECT_EQ(feed, (Number{0, 10, 4}));
    EXPECT_EQ(r[4].error, ew::kFunc);
    EXPECT_TRUE(r[4].payload.empty());
    EXPECT_EQ(errorName(r[4].error), "EW_FUNC");
    EXPECT_EQ(c[5].args[0], position::kAbsolute);
    EXPECT_EQ(c[5].args[1], -1);
    expectNear(values(val(decodeNumbers(r[5].payload))),
               {311.1657, 17.9202, 0, 0, -125.0, 360.0, 0, 0});
    expectNear(values(val(decodeNumbers(r[6].payload))),
               {-15.1363, -122.4431, -0.2131, -0.0099, -125.0, 328.7623, 0, 0});
    expectNear(values(val(decodeNumbers(r[7].payload))),
               {149.5301, 29.2875, -0.0414, 0.4271, 71.4087, -46814.2578, 0, 0});
    EXPECT_EQ(r[8].error, ew::kNoOpt);
    EXPECT_TRUE(isPermanent(r[8].error));
  }
  {  // 160i-W diagnosis 918: one value in the first of 8 four-byte slots, stale bytes after.
    auto [c, r] = pair(section("focas-160iw-diag-918"), version::kReply16i);
    auto d = decodeParams(r.at(0).payload, Layout::k16i);
    ASSERT_TRUE(d.ok()) << d.error().describe();
    ASSERT_EQ(d->size(), 1u);
    EXPECT_EQ(d->at(0).number, 918);
    EXPECT_EQ(d->at(0).type, 2);
    expectNear(values(d->at(0).values), {1536675});
  }
  {  // 31i diagnoses 308-309 for all axes: 32 eight-byte numbers each.
    auto [c, r] = pair(section("focas-31i-diag-308-309-allaxes"), version::kReply30i);
    EXPECT_EQ(c.at(0).command, cmd::kDiag30i);
    auto d = decodeParams(r.at(0).payload, Layout::k30i);
    ASSERT_TRUE(d.ok()) << d.error().describe();
    ASSERT_EQ(d->size(), 2u);
    EXPECT_EQ(d->at(0).number, 308);
    EXPECT_EQ(d->at(0).axis, -1);
    std::vector<double> a(32, 0.0), b(32, 0.0);
    a[0] = 28, a[1] = 28, a[2] = 44, a[3] = 26;
    b[0] = 36, b[1] = 36, b[2] = 49;
    expectNear(values(d->at(0).values), a);
    expectNear(values(d->at(1).values), b);
  }
  {  // PMC D2204 as a word: 600.
    auto [c, r] = pair(section("focas-pmc-read-d2204-word"), version::kReply16i);
    EXPECT_EQ(c.at(0).cls, 2);
    EXPECT_EQ(c.at(0).command, cmd::kPmcRange);
    EXPECT_EQ(c.at(0).args[2], static_cast<std::int32_t>(PmcArea::D));
    Call built = pmcCall(1, PmcArea::D, PmcType::kWord, 2204, 1);
    EXPECT_EQ(built.args, c.at(0).args);
    EXPECT_EQ(val(decodePmc(r.at(0).payload, PmcType::kWord)), std::vector<std::int32_t>{600});
  }
  {  // 160i-W diagnoses 980-981 for axis 1.
    auto [c, r] = pair(section("focas-160iw-diag-980-981-axis1"), version::kReply16i);
    auto d = decodeParams(r.at(0).payload, Layout::k16i);
    ASSERT_TRUE(d.ok()) << d.error().describe();
    ASSERT_EQ(d->size(), 2u);
    EXPECT_EQ(d->at(0).axis, 1);
    expectNear(values(d->at(0).values), {-598358});
    expectNear(values(d->at(1).values), {-1940884});
  }
  EXPECT_EQ(calls(section("focas-date-request").at("request")).at(0).args[0], 0);
  EXPECT_EQ(calls(section("focas-time-request").at("request")).at(0).args[0], 1);
  EXPECT_EQ(calls(section("focas-time-request").at("request")).at(0).command, cmd::kDateTime);
  {  // Session frames.
    const Frame open = readFrame(section("focas-open-data-session").at("request"));
    EXPECT_EQ(open.type, frame_type::kOpenRequest);
    EXPECT_EQ(encodeOpenRequest(2), unhex(section("focas-open-data-session").at("request")));
    EXPECT_EQ(encodeOpenRequest(1),
              unhex(section("focas-open-program-transfer-session").at("request")));
    EXPECT_EQ(encodeCloseRequest(), unhex(section("focas-close-request").at("request")));
    const Frame notFound = readFrame(section("focas-upload-not-found").at("reply"));
    EXPECT_EQ(frameTypeName(notFound.type), "frame type 0x1604");
    EXPECT_TRUE(notFound.body.empty());
    EXPECT_EQ(readFrame(section("focas-upload-end").at("reply")).type, 0x1701);
    EXPECT_EQ(readFrame(section("focas-upload-end").at("request_after")).type, 0x1702);
    const Frame start = readFrame(section("focas-upload-start-O2200").at("request"));
    EXPECT_EQ(start.type, 0x1501);
    EXPECT_EQ(start.body.size(), 0x204u);
  }
  {  // Parameters, 16i layout.
    const auto& s3115 = section("focas-param-0e-3115");
    EXPECT_EQ(subCall(s3115).command, cmd::kParam16i);
    const ParamRecord p3115 = record(s3115, Layout::k16i);
    EXPECT_EQ(p3115.number, 3115);
    EXPECT_EQ(p3115.axis, -1);
    expectNear(values(p3115.values), std::vector<double>(8, 0.0));
    const ParamRecord p3401 = record(section("focas-param-0e-3401"), Layout::k16i);
    EXPECT_EQ(p3401.number, 3401);
    expectNear(values(p3401.values), {0});
    const ParamRecord p1001 =
        record(section("focas-param-0e-record-1001"), Layout::k16i, "reply_record");
    EXPECT_EQ(p1001.number, 1001);
    expectNear(values(p1001.values), {2});
    const ParamRecord p1005 =
        record(section("focas-param-0e-record-1005"), Layout::k16i, "reply_record");
    expectNear(values(p1005.values), {2, 0, 0, 0, 0, 0x41, 0, 0});
    const ParamRecord p1010 =
        record(section("focas-param-0e-record-1010"), Layout::k16i, "reply_record");
    EXPECT_EQ(p1010.type, 1);
    expectNear(values(p1010.values), {0});
    const ParamRecord p1020 =
        record(section("focas-param-0e-record-1020"), Layout::k16i, "reply_record");
    expectNear(values(p1020.values), {0, 0, 0, 0, 0, 0x41, 0, 0});
  }
  {  // Parameters, 30i layout.
    const auto& s6711 = section("focas-param-8d-6711");
    EXPECT_EQ(subCall(s6711).args[0], 6711);
    const ParamRecord p6711 = record(s6711, Layout::k30i);
    EXPECT_EQ(p6711.type, 3);
    expectNear(values(p6711.values), {52638});
    const ParamRecord p1850 = record(section("focas-param-8d-1850"), Layout::k30i);
    EXPECT_EQ(p1850.axis, -1);
    EXPECT_DOUBLE_EQ(p1850.values.at(0).value(), -27700);
    expectNear(values(record(section("focas-param-8d-7814"), Layout::k30i).values), {126.5});
    expectNear(values(record(section("focas-param-8d-7825"), Layout::k30i).values), {126.0});
    const ParamRecord p5440 = record(section("focas-param-8d-5440"), Layout::k30i);
    ASSERT_EQ(p5440.values.size(), 32u);
    expectNear({p5440.values[0].value(), p5440.values[1].value(), p5440.values[2].value(),
                p5440.values[3].value()},
               {-0.3, 0.3, 0.3, 0});
    for (std::size_t i = 4; i < 12; ++i) EXPECT_TRUE(p5440.values[i].vacant()) << i;
    EXPECT_DOUBLE_EQ(p5440.values[12].value(), -1);
  }
  for (const char* id :
       {"focas-paraminfo-a0-7814", "focas-paraminfo-a0-7825", "focas-paraminfo-a0-5440"}) {
    const auto& s = section(id);
    const Call c = subCall(s);
    auto info = decodeParamInfo(unhex(s.at("reply_payload")));
    ASSERT_TRUE(info.ok()) << info.error().describe();
    EXPECT_EQ(info->number, c.args[0]);
    EXPECT_LT(info->previous, info->number);
    EXPECT_GT(info->next, info->number);
  }
  EXPECT_EQ(
      decodeParamInfo(unhex(section("focas-paraminfo-a0-7814").at("reply_payload")))->previous,
      7813);
  for (const auto& [id, s] : m_sections)
    EXPECT_TRUE(m_checked.count(id)) << id << " is not checked";
}

}  // namespace
}  // namespace spindle::collectors::focas
