// Golden cases (collectors/testing/golden_cases.hpp): LSV2 byte streams in hex, as many
// telegrams per line as the peer sent at once, and what the codec makes of them: each request
// named, each reply decoded by the typed decoder of the request it answers.

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "collectors/lsv2/lsv2_codec.hpp"
#include "collectors/lsv2/lsv2_replies.hpp"
#include "collectors/testing/golden_cases.hpp"

namespace spindle::collectors::lsv2 {
namespace {

namespace fs = std::filesystem;

std::string num(double v) {
  char text[48];
  std::snprintf(text, sizeof text, "%g", v);
  return text;
}

Operand operandNamed(const std::string& name) {
  if (name == "word") return Operand::kWord;
  if (name == "double") return Operand::kDouble;
  if (name == "byte") return Operand::kByte;
  return Operand::kMarker;
}

std::string describeRequest(const Telegram& t) {
  const auto& p = t.payload;
  if (p.empty()) return t.code;
  if (t.is(code::kLogin)) return "A_LG " + splitStrings(p).front();
  if (t.is(code::kVersionRequest)) return p.empty() ? "R_VR" : "R_VR " + std::to_string(p[0]);
  if (t.is(code::kRunInfoRequest) && p.size() == 2) {
    const auto i = static_cast<std::uint16_t>(p[0] << 8 | p[1]);
    return "R_RI " + std::to_string(i) + " " + runInfoName(i);
  }
  if (t.is(code::kMemoryRequest) && p.size() == 5) {
    const std::uint32_t a =
        std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
    return "R_MB address " + std::to_string(a) + " count " + std::to_string(p[4]);
  }
  if (t.is(code::kDataPathRequest) && p.size() > 4) {
    return "R_DP " + splitStrings(std::span(p).subspan(4)).front();
  }
  if (t.is(code::kFileRequest)) return "R_FL " + splitStrings(p).front();
  if (t.is(code::kControlCommand) && p.size() >= 2) {
    const auto c = static_cast<std::uint16_t>(p[0] << 8 | p[1]);
    const auto b = bufferForCommand(c);
    return "C_CC " + std::to_string(c) + (b ? " buffer " + std::to_string(*b) : "");
  }
  return t.code + " " + std::to_string(p.size()) + " bytes";
}

/// A reply as text, decoded per the request it answers; the decoder's error otherwise.
Result<std::string> describeReply(const Telegram& t, const Telegram& asked,
                                  const testing::GoldenCase& c) {
  const auto& p = t.payload;
  auto text = [&](auto result, auto show) -> Result<std::string> {
    if (!result) return std::move(result).error();
    return t.code + " " + show(*result);
  };
  if (t.isError()) {
    auto e = decodeError(t);
    if (!e) return std::move(e).error();
    return describeError(t);
  }
  if (t.is(code::kVersions)) {
    if (!asked.payload.empty()) {
      return text(decodeVersionText(p), [](const std::string& s) { return "text=" + s; });
    }
    return text(decodeVersions(p), [](const Versions& v) {
      return "control=" + v.control + " nc=" + v.ncSoftware + " plc=" + v.plc + " splc=" + v.splc +
             " options=" + v.options + " type=" + controlTypeName(controlTypeOf(v.control));
    });
  }
  if (t.is(code::kParameters)) {
    return text(decodeSystemParameters(p), [](const SystemParameters& s) {
      const auto b = chooseBuffer(s.maxBlockLength);
      return std::to_string(s.size) + " bytes markers=" + std::to_string(s.markers.start) + "/" +
             std::to_string(s.markers.count) + " words=" + std::to_string(s.words.start) + "/" +
             std::to_string(s.words.count) + " max_block=" + std::to_string(s.maxBlockLength) +
             " buffer=" + std::to_string(b.command) + "/" + std::to_string(b.size);
    });
  }
  if (t.is(code::kRunInfo) && asked.is(code::kRunInfoRequest) && asked.payload.size() == 2) {
    switch (asked.payload[1]) {
      case info::kAxisLocation:
        return text(decodeAxisLocation(p), [](const std::vector<AxisPosition>& axes) {
          std::string s;
          for (const auto& a : axes) s += (s.empty() ? "" : " ") + a.name + "=" + num(a.position);
          return s;
        });
      case info::kExecutionMode:
        return text(decodeExecutionMode(p), [](std::uint16_t m) {
          return "execution mode " + std::to_string(m) + " " + executionModeName(m);
        });
      case info::kProgramStack:
        return text(decodeProgramStack(p), [](const ProgramStack& s) {
          return "line " + std::to_string(s.line) + " main=" + s.mainProgram +
                 " current=" + s.currentProgram;
        });
      case info::kOverrides:
        return text(decodeOverrides(p), [](const Overrides& o) {
          return "feed=" + num(o.feed) + " spindle=" + num(o.spindle) + " rapid=" + num(o.rapid);
        });
      case info::kProgramState:
        return text(decodeProgramState(p), [](std::uint16_t s) {
          return "program state " + std::to_string(s) + " " + programStateName(s);
        });
      case info::kFirstError:
      case info::kNextError:
        return text(decodeNcError(p), [](const NcError& e) {
          return "error class=" + std::to_string(e.errorClass) +
                 " group=" + std::to_string(e.group) + " number=" + std::to_string(e.number) +
                 " text=" + e.text;
        });
      case info::kCurrentTool:
        return text(decodeToolInfo(p), [](const ToolInfo& x) {
          return "tool " + std::to_string(x.number) + " index " + std::to_string(x.index) +
                 " axis " + std::to_string(x.axis) +
                 (x.length ? " length=" + num(*x.length) + " radius=" + num(*x.radius) : "");
        });
      default:
        break;
    }
  }
  if (t.is(code::kMemory) && asked.payload.size() == 5) {
    const Operand o = operandNamed(c.value("operand", "marker"));
    return text(decodeMemory(p, o, asked.payload[4] / operandSize(o)),
                [](const std::vector<std::int64_t>& v) {
                  std::string s;
                  for (auto x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
                  return s;
                });
  }
  if (t.is(code::kDataPath)) {
    return text(decodeDataPath(p), [](const Scalar& v) -> std::string {
      if (const auto* b = std::get_if<bool>(&v)) return *b ? "bool=true" : "bool=false";
      if (const auto* i = std::get_if<std::int64_t>(&v)) return "int=" + std::to_string(*i);
      if (const auto* d = std::get_if<double>(&v)) return "double=" + num(*d);
      return "string=" + std::get<std::string>(v);
    });
  }
  return t.code + (p.empty() ? "" : " " + std::to_string(p.size()) + " bytes");
}

bool isRequest(const Telegram& t) {
  return t.code[0] == 'R' || t.code[0] == 'A' || t.code[0] == 'C';
}

/// Every telegram of the stream, in order; a framing error ends the stream.
testing::GoldenOutput run(const testing::GoldenCase& c) {
  testing::GoldenOutput out;
  auto& lines = out.exact["telegrams"];
  TelegramReader reader(std::stoul(c.value("max_payload", "4088")));
  Telegram asked;
  testing::feedHexStream(c.input, reader, out, "telegram", [&](const Telegram& tel) {
    if (isRequest(tel)) {
      asked = tel;
      lines.push_back(describeRequest(tel));
      return;
    }
    auto d = describeReply(tel, asked, c);
    if (d) {
      lines.push_back(*d);
    } else {
      out.rejections.push_back(d.error().message());
    }
  });
  return out;
}

TEST(Lsv2Golden, CasesProduceExactlyTheExpectedTelegrams) {
  testing::runGoldenCases(fs::path(SPINDLE_SOURCE_DIR) / "src/collectors/lsv2/testdata", 14, run);
}

}  // namespace
}  // namespace spindle::collectors::lsv2
