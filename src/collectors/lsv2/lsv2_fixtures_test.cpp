// The public LSV2 telegrams in ../shared/fixtures/lsv2/lsv2_telegrams.hex: every request and
// reply decoded by this codec to the values the fixture README states (iTNC 530, TNC 426/430,
// a TNC 320 programming station). Every section of the file must be checked here: a new one
// fails until it is.

#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"
#include "collectors/lsv2/lsv2_codec.hpp"
#include "collectors/lsv2/lsv2_replies.hpp"
#include "collectors/testing/fixture_file.hpp"

namespace spindle::collectors::lsv2 {
namespace {

using testing::readSections;
using testing::readWhole;
using testing::Section;
using testing::unhex;
using testing::val;

/// The telegram, fed through the stream reader 3 bytes at a time (as a slow TCP peer would);
/// encoding it again gives the same bytes.
Telegram readTelegram(const std::string& hex) {
  const Bytes bytes = unhex(hex);
  TelegramReader reader;
  const auto telegram = readWhole<Telegram>(reader, bytes, 3, "telegram");
  if (telegram) {
    EXPECT_EQ(val(encodeTelegram(*telegram)), bytes);
  }
  return telegram.value_or(Telegram{});
}

/// The request the fixture quotes is the one this codec builds.
void expectRequest(const Section& s, const Telegram& built) {
  EXPECT_EQ(readTelegram(s.at("request")), built);
  EXPECT_EQ(val(encodeTelegram(built, kDefaultBuffer)), unhex(s.at("request")));
}

/// RS-232 form: DLE STX, the payload with every 0x10 doubled, DLE ETX; BCC = XOR of the
/// telegram's bytes (a doubled DLE counted once) and ETX.
void expectSerial(const Section& s, const Bytes& telegram) {
  const Bytes wire = unhex(s.at("serial_wire_without_bcc"));
  ASSERT_GE(wire.size(), 4u);
  ASSERT_EQ(wire[0], 0x10);
  ASSERT_EQ(wire[1], 0x02);
  ASSERT_EQ(wire[wire.size() - 2], 0x10);
  ASSERT_EQ(wire.back(), 0x03);
  Bytes plain;
  std::uint8_t bcc = 0x03;
  for (std::size_t i = 2; i + 2 < wire.size(); ++i) {
    if (wire[i] == 0x10) {
      ASSERT_EQ(wire[i + 1], 0x10) << "an undoubled DLE at " << i;
      ++i;
    }
    bcc ^= wire[i];
    plain.push_back(wire[i]);
  }
  // The serial telegram carries the code and payload, not the TCP length field.
  EXPECT_EQ(plain, Bytes(telegram.begin() + 4, telegram.end()));
  EXPECT_EQ(bcc, unhex(s.at("serial_bcc")).at(0));
}

void itncVersions(const Section& s) {
  expectRequest(s, versionRequest());
  const auto v = val(decodeVersions(readTelegram(s.at("reply")).payload));
  EXPECT_EQ(v, (Versions{"iTNC530", "340490 06 SP3", "800A_AA.PLC", "", "%0000111100000000"}));
  EXPECT_EQ(controlTypeOf(v.control), ControlType::kItnc530);
  EXPECT_EQ(encodeVersions(v), readTelegram(s.at("reply")).payload);
  EXPECT_TRUE(capabilitiesOf(ControlType::kItnc530).ncErrors);
}

void tnc426Versions(const Section& s) {
  expectRequest(s, versionRequest());
  const Telegram reply = readTelegram(s.at("reply"));
  EXPECT_EQ(reply.payload.size(), 36u);
  const auto v = val(decodeVersions(reply.payload));
  EXPECT_EQ(v, (Versions{"TNC 426/430M", "280476 24 ", "GR495.07SA", "", ""}));
  EXPECT_EQ(controlTypeOf(v.control), ControlType::kTnc426);
  // Answers R_VR only without a parameter: the session never sends it one.
  EXPECT_FALSE(capabilitiesOf(ControlType::kTnc426).versionParameter);
  EXPECT_EQ(encodeVersions(v), reply.payload);
}

void tnc320Parameters(const Section& s) {
  const Bytes payload = unhex(s.at("payload"));
  ASSERT_EQ(payload.size(), 120u);
  const Telegram t = readTelegram(s.at("ethernet_equivalent"));
  EXPECT_TRUE(t.is(code::kParameters));
  EXPECT_EQ(t.payload, payload);
  expectSerial(s, unhex(s.at("ethernet_equivalent")));
  const auto p = val(decodeSystemParameters(payload));
  EXPECT_EQ(p.markers, (Area{122064, 40000}));
  EXPECT_EQ(p.inputs, (Area{162064, 1000}));
  EXPECT_EQ(p.outputs, (Area{163064, 1000}));
  EXPECT_EQ(p.counters, (Area{164064, 144}));
  EXPECT_EQ(p.timers, (Area{164208, 1000}));
  EXPECT_EQ(p.words, (Area{64, 120000}));
  EXPECT_EQ(p.strings, (Area{165208, 400}));
  EXPECT_EQ(p.maxStringLength, 240);
  EXPECT_EQ(p.inputWords, (Area{120064, 1000}));
  EXPECT_EQ(p.outputWords, (Area{121064, 1000}));
  EXPECT_EQ(p.lsv2Version, 1);
  EXPECT_EQ(p.versionFlags, 0x9F);
  EXPECT_EQ(p.maxBlockLength, 4088);
  EXPECT_EQ(p.hardwareVersion, 0u);
  EXPECT_EQ(p.extendedFlags, 0x001F16FDu);
  EXPECT_EQ(p.maxTraceLine, 128);
  EXPECT_EQ(p.scopeChannels, 32);
  EXPECT_EQ(p.passwordKey, 0x60389A6Eu);
  // 4088 allows the 3072-byte buffer: C_CC 6.
  EXPECT_EQ(chooseBuffer(p.maxBlockLength).command, 6);
  EXPECT_EQ(chooseBuffer(p.maxBlockLength).size, 3072u);
  EXPECT_EQ(encodeSystemParameters(p), payload);
}

void tnc320Versions(const Section& s) {
  const Telegram t = readTelegram(s.at("ethernet_equivalent"));
  EXPECT_EQ(t.payload, unhex(s.at("payload")));
  const auto v = val(decodeVersions(t.payload));
  EXPECT_EQ(v, (Versions{"TNC320", "771855 18 SP1", "Basic V18-00", "No version given",
                         "0000000100000100"}));
  EXPECT_EQ(controlTypeOf(v.control), ControlType::kTnc320);
  EXPECT_EQ(encodeVersions(v), t.payload);
}

void memory(const Section& s, std::uint32_t address, std::uint8_t bytes, Operand o,
            std::size_t count) {
  expectRequest(s, memoryRequest(address, bytes));
  const Telegram reply = readTelegram(s.at("reply"));
  EXPECT_TRUE(reply.is(code::kMemory));
  EXPECT_EQ(val(decodeMemory(reply.payload, o, count)), std::vector<std::int64_t>(count, 0));
}

void axisLocation(const Section& s) {
  expectRequest(s, runInfoRequest(info::kAxisLocation));
  const Telegram reply = readTelegram(s.at("reply"));
  EXPECT_EQ(reply.payload, unhex(s.at("reply_payload")));
  const auto axes = val(decodeAxisLocation(reply.payload));
  ASSERT_EQ(axes.size(), 5u);
  const std::vector<std::pair<std::string, double>> want = {
      {"X", 0}, {"Y", 0}, {"Z", 500}, {"B", 0}, {"C", 0}};
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(axes[i].name, want[i].first);
    EXPECT_DOUBLE_EQ(axes[i].position, want[i].second);
  }
  EXPECT_EQ(encodeAxisLocation(axes, 4), reply.payload);
}

void operationLog(const Section& s) {
  const Telegram t = readTelegram(s.at("request"));
  ASSERT_TRUE(t.is(code::kControlCommand));
  ASSERT_GE(t.payload.size(), 2u);
  EXPECT_EQ(t.payload[0] << 8 | t.payload[1], 27);
  EXPECT_FALSE(bufferForCommand(27).has_value());  // not a buffer size
  EXPECT_EQ(splitStrings(std::span(t.payload).subspan(2)),
            std::vector<std::string>{"operation.log;12.09.2020;00:00:00;"});
}

void endOfErrors(const Section& s) {
  expectRequest(s, runInfoRequest(info::kNextError));
  const Telegram reply = readTelegram(s.at("reply"));
  const auto e = val(decodeError(reply));
  EXPECT_EQ(e, (TransferError{1, status::kNoNextError}));
  EXPECT_EQ(errorName(e.code), "T_ER_NO_NEXT_ERROR");
  EXPECT_EQ(reply, errorTelegram({1, 57}));
}

void loginOk(const Section& s, const char* name) {
  expectRequest(s, loginRequest(name));
  EXPECT_EQ(readTelegram(s.at("reply")), okTelegram());
}

TEST(Lsv2Fixtures, EveryTelegramDecodesToTheDocumentedValues) {
  const auto file = spindle::testing::fixturePath("lsv2/lsv2_telegrams.hex");
  SPINDLE_NEEDS_FIXTURE(std::filesystem::exists(file), "fixture " << file << " is absent");
  const auto sections = readSections(file);
  const std::map<std::string, std::function<void(const Section&)>> checks = {
      {"lsv2-a_lg-inspect", [](const Section& s) { loginOk(s, "INSPECT"); }},
      {"lsv2-a_lg-plcdebug", [](const Section& s) { loginOk(s, "PLCDEBUG"); }},
      {"lsv2-r_vr-01-control-type-itnc530",
       [](const Section& s) {
         expectRequest(s, versionRequest(1));
         const auto text = val(decodeVersionText(readTelegram(s.at("reply")).payload));
         EXPECT_EQ(text, "iTNC530");
         EXPECT_EQ(controlTypeOf(text), ControlType::kItnc530);
       }},
      {"lsv2-r_vr-noparam-itnc530", itncVersions},
      {"lsv2-r_vr-noparam-tnc426", tnc426Versions},
      {"lsv2-r_vr-02-nc-software-itnc530-lengths",
       [](const Section& s) {
         expectRequest(s, versionRequest(2));
         EXPECT_EQ(s.at("reply_payload_length"), "14");  // its content is not public
       }},
      {"lsv2-r_mb-markers", [](const Section& s) { memory(s, 0x2F20, 15, Operand::kMarker, 15); }},
      {"lsv2-r_mb-words", [](const Section& s) { memory(s, 0x46, 20, Operand::kWord, 10); }},
      {"lsv2-r_mb-dwords", [](const Section& s) { memory(s, 0x40, 40, Operand::kDouble, 10); }},
      {"lsv2-r_ri-22-axis-location", axisLocation},
      {"lsv2-s_pr-tnc320-vm-serial", tnc320Parameters},
      {"lsv2-s_vr-noparam-tnc320-vm-serial", tnc320Versions},
      {"lsv2-c_cc-27-operation-log", operationLog},
      {"lsv2-r_fl-operation-log",
       [](const Section& s) { expectRequest(s, fileRequest("TNC:\\operation.log", false)); }},
      {"lsv2-r_ri-28-next-error-end-of-list", endOfErrors},
  };
  std::set<std::string> checked;
  for (const auto& [id, section] : sections) {
    SCOPED_TRACE(id);
    const auto it = checks.find(id);
    if (it == checks.end()) {
      ADD_FAILURE() << "fixture section " << id << " is not checked by this test";
      continue;
    }
    it->second(section);
    checked.insert(id);
  }
  EXPECT_EQ(checked.size(), checks.size()) << "a checked section is gone from the fixture";
}

// protocol.rst's table of R_RI 26 program states is the one the codec names.
TEST(Lsv2Fixtures, ProgramStatesMatchTheProtocolNotes) {
  const auto file = spindle::testing::fixturePath("lsv2/pyLSV2_docs_protocol.rst");
  SPINDLE_NEEDS_FIXTURE(std::filesystem::exists(file), "fixture " << file << " is absent");
  std::ifstream in(file);
  std::string line;
  int rows = 0;
  while (std::getline(in, line)) {
    // "| 0      | Started        |"
    if (line.size() < 5 || line[0] != '|' || line[2] < '0' || line[2] > '8') continue;
    const int state = line[2] - '0';
    const auto bar = line.find('|', 1);
    std::string text = line.substr(bar + 1, line.rfind('|') - bar - 1);
    std::string upper;
    for (char c : text) {
      if (c != ' ') upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    const std::string name = programStateName(static_cast<std::uint16_t>(state));
    std::string plain;
    for (char c : name) {
      if (c != '_') plain.push_back(c);
    }
    EXPECT_EQ(plain, upper) << line;
    ++rows;
  }
  EXPECT_EQ(rows, 9);
}

}  // namespace
}  // namespace spindle::collectors::lsv2
