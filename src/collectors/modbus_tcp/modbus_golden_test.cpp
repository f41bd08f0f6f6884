// Golden cases (collectors/testing/golden_cases.hpp): byte streams in hex, one read per line,
// and the frames the codec makes of them. Then the real captures in ../shared/fixtures/modbus/:
// every Modbus/TCP frame decoded by this codec, with the counts per function code compared with
// those of an independent reader (tests/tools/modbus_pcap_counts.py, which shares no code with
// Spindle).

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"
#include "collectors/modbus_tcp/modbus_codec.hpp"
#include "collectors/testing/golden_cases.hpp"

namespace spindle::collectors::modbus_tcp {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

std::string join(const std::vector<std::uint16_t>& v) {
  std::string s;
  for (auto x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

std::string bitText(const std::vector<bool>& bits) {
  std::string s;
  for (bool b : bits) s += b ? '1' : '0';
  return s;
}

std::string describe(const Adu& adu, bool request, std::string& error) {
  const std::string head =
      "tx=" + std::to_string(adu.transaction) + " unit=" + std::to_string(adu.unit) + " ";
  if (request) {
    auto r = decodeRequestPdu(adu.pdu);
    if (!r) {
      error = r.error().message();
      return "";
    }
    std::string s =
        head + "request " + functionName(r->function) + " address=" + std::to_string(r->address);
    if (r->function <= fc::kReadInputRegisters) return s + " count=" + std::to_string(r->count);
    return s + (r->bits.empty() ? " registers=" + join(r->registers) : " bits=" + bitText(r->bits));
  }
  auto r = decodeResponsePdu(adu.pdu);
  if (!r) {
    error = r.error().message();
    return "";
  }
  if (r->exception) {
    return head + "exception " + functionName(r->function) + ": " + exceptionName(r->exception);
  }
  std::string s = head + "response " + functionName(r->function);
  if (r->function == fc::kReadCoils || r->function == fc::kReadDiscreteInputs)
    return s + " bits=" + bitText(r->bits);
  if (r->function <= fc::kReadInputRegisters) return s + " registers=" + join(r->registers);
  return s + " address=" + std::to_string(r->address) + " count=" + std::to_string(r->count);
}

TEST(ModbusGolden, CasesProduceExactlyTheExpectedFrames) {
  testing::runGoldenCases(fs::path(SPINDLE_SOURCE_DIR) / "src/collectors/modbus_tcp/testdata", 5,
                          [](const testing::GoldenCase& c) {
                            const bool request = c.value("direction") == "request";
                            testing::GoldenOutput out;
                            auto& frames = out.exact["frames"];
                            FrameDecoder decoder;
                            testing::feedHexLines(c.input, decoder, out, [&](const auto& frame) {
                              std::string error;
                              const std::string text = describe(frame, request, error);
                              if (error.empty()) {
                                frames.push_back(text);
                              } else {
                                out.rejections.push_back(error);
                              }
                            });
                            return out;
                          });
}

/// Frame counts of one capture: "request 1" -> n, "exception 23" -> n, "broken" -> n...
using Counts = std::map<std::string, std::size_t>;

Counts independentCounts(const fs::path& pcap) {
  const std::string command = "/usr/bin/python3 " SPINDLE_SOURCE_DIR
                              "/tests/tools/modbus_pcap_counts.py '" +
                              pcap.string() + "'";
  Counts counts;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return counts;
  char line[256];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    std::string text(line);
    const auto space = text.rfind(' ');
    counts[text.substr(0, space)] = std::stoul(text.substr(space + 1));
  }
  EXPECT_EQ(pclose(pipe), 0) << command;
  return counts;
}

struct CodecCounts {
  Counts counts;
  std::size_t decoded = 0;
  std::vector<std::string> errors;  ///< PDU errors of known functions
};

/// The same captures through this codec: a small pcap reader (Ethernet, IPv4, TCP), flows joined
/// in capture order, split by FrameDecoder, each PDU decoded as a request (to port 502) or a
/// response (from port 502).
CodecCounts codecCounts(const fs::path& pcap) {
  std::ifstream in(pcap, std::ios::binary);
  const Bytes data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CodecCounts out;
  auto u32 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(data[at] | data[at + 1] << 8 | data[at + 2] << 16 |
                                      data[at + 3] << 24);
  };
  auto be16 = [](const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); };
  std::map<std::string, FrameDecoder> flows;
  std::map<std::string, bool> broken;
  for (std::size_t at = 24; at + 16 <= data.size();) {
    const std::size_t incl = u32(at + 8);
    const std::uint8_t* f = data.data() + at + 16;
    at += 16 + incl;
    std::size_t ip = 14;
    std::uint16_t type = be16(f + 12);
    while (type == 0x8100 && incl >= ip + 4) {
      type = be16(f + ip + 2);
      ip += 4;
    }
    if (type != 0x0800 || incl < ip + 20 || f[ip + 9] != 6) continue;
    const std::size_t ihl = (f[ip] & 0x0F) * 4u;
    const std::size_t total = be16(f + ip + 2);
    const std::uint8_t* tcp = f + ip + ihl;
    if (total < ihl + 20) continue;
    const std::uint16_t sport = be16(tcp), dport = be16(tcp + 2);
    const std::size_t offset = (tcp[12] >> 4) * 4u;
    if (total < ihl + offset) continue;
    std::span<const std::uint8_t> payload(tcp + offset, total - ihl - offset);
    const bool request = dport == 502;
    if (payload.empty() || (!request && sport != 502)) continue;
    const std::string flow(reinterpret_cast<const char*>(f + ip + 12), 8);
    const std::string key = flow + std::to_string(sport) + ":" + std::to_string(dport);
    if (broken[key]) continue;
    FrameDecoder& decoder = flows[key];
    while (!payload.empty() && !broken[key]) {
      payload = payload.subspan(decoder.feed(payload));
      for (;;) {
        auto frame = decoder.next();
        if (!frame) {
          ++out.counts["broken"];
          broken[key] = true;
          break;
        }
        if (!frame->has_value()) break;
        const Adu& adu = **frame;
        ++out.counts["frames"];
        const std::uint8_t function = adu.pdu[0];
        const bool exception = !request && (function & 0x80);
        ++out.counts[(exception ? "exception "
                      : request ? "request "
                                : "response ") +
                     std::to_string(function & (exception ? 0x7F : 0xFF))];
        std::string error;
        if (request) {
          if (auto r = decodeRequestPdu(adu.pdu); !r) error = r.error().message();
        } else if (auto r = decodeResponsePdu(adu.pdu); !r) {
          error = r.error().message();
        }
        if (error.empty()) {
          ++out.decoded;
        } else if (knownFunction(static_cast<std::uint8_t>(function & 0x7F))) {
          out.errors.push_back(error);
        }
      }
    }
  }
  return out;
}

class ModbusCaptures : public ::testing::TestWithParam<const char*> {};

TEST_P(ModbusCaptures, EveryFrameDecodedAndCountedAsAnIndependentReaderCountsThem) {
  const fs::path pcap = spindle::testing::fixturePath(std::string("modbus/") + GetParam());
  SPINDLE_NEEDS_FIXTURE(fs::exists(pcap), "fixture " << pcap << " is absent");
  const Counts expected = independentCounts(pcap);
  ASSERT_FALSE(expected.empty()) << "the independent reader printed nothing for " << pcap;
  const CodecCounts got = codecCounts(pcap);
  EXPECT_EQ(got.counts, expected);
  const std::string name = GetParam();
  if (name == "modbusSmall.pcap" || name == "modbus-and-non-modbus-p502.pcap") {
    // Clean traffic: every frame of a function this codec speaks decodes.
    EXPECT_TRUE(got.errors.empty()) << ::testing::PrintToString(got.errors);
    EXPECT_EQ(got.decoded, expected.at("frames"));
  }
  if (name == "fuzz-1011.pcap") {
    // A request for 147 input registers (the standard allows 125), and a response whose byte
    // count (129, odd) disagrees with its 200 data bytes: both refused with the reason.
    ASSERT_EQ(got.errors.size(), 2u) << ::testing::PrintToString(got.errors);
    EXPECT_NE(got.errors[0].find("quantity 147 is outside 1..125"), std::string::npos);
    EXPECT_NE(got.errors[1].find("byte count 129 but 200 data bytes"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ModbusCaptures,
                         ::testing::Values("modbusSmall.pcap", "modbus-and-non-modbus-p502.pcap",
                                           "modbus-eit.pcap", "4SICS-GeekLounge-151022-min.pcap",
                                           "fuzz-72.pcap", "fuzz-1011.pcap"));

}  // namespace
}  // namespace spindle::collectors::modbus_tcp
