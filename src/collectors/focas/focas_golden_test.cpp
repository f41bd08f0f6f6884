// Golden cases (collectors/testing/golden_cases.hpp): FOCAS byte streams in hex, one read per
// line, and what the codec makes of them: each request's calls, and each reply's answers
// decoded by the typed decoder of the call they answer.

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "collectors/focas/focas_codec.hpp"
#include "collectors/focas/focas_commands.hpp"
#include "collectors/testing/golden_cases.hpp"

namespace spindle::collectors::focas {
namespace {

namespace fs = std::filesystem;

std::string num(const Number& n) {
  if (n.vacant()) return "vacant";
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", std::clamp<int>(n.exponent, 0, 9), n.value());
  return text;
}

std::string nums(const std::vector<Number>& v) {
  std::string s;
  for (const Number& n : v) s += (s.empty() ? "" : ",") + num(n);
  return s;
}

template <typename T>
std::string ints(const std::vector<T>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

/// One answer as text; the error of its typed decoder when the payload does not fit.
Result<std::string> describe(const Call& c, const Reply& r) {
  const std::string head = "path=" + std::to_string(r.path) + " " + commandName(r.cls, r.command);
  if (r.error != ew::kOk) return head + ": " + errorName(r.error);
  const auto& p = r.payload;
  auto text = [&](auto result, auto show) -> Result<std::string> {
    if (!result) return std::move(result).error();
    return head + " " + show(*result);
  };
  switch (r.command) {
    case cmd::kSysInfo:
      return text(decodeSysInfo(p), [](const SysInfo& s) {
        return "max_axis=" + std::to_string(s.maxAxis) + " cnc=" + s.cncType + " mt=" + s.mtType +
               " series=" + s.series + " version=" + s.version + " axes=" + s.axes;
      });
    case cmd::kStatInfo:
      return text(decodeStatInfo(p), [](const StatInfo& s) {
        return "aut=" + std::to_string(s.aut) + " run=" + std::to_string(s.run) +
               " motion=" + std::to_string(s.motion) + " mstb=" + std::to_string(s.mstb) +
               " emergency=" + std::to_string(s.emergency) + " alarm=" + std::to_string(s.alarm);
      });
    case cmd::kAlarmBits:
      return text(decodeAlarmBits(p), [](std::uint32_t b) { return std::to_string(b); });
    case cmd::kAlarmMessages:
      return text(decodeAlarmMessages(p, c.args[3]), [](const std::vector<AlarmMessage>& v) {
        std::string s = std::to_string(v.size());
        for (const auto& a : v) {
          s += " [" + std::to_string(a.number) + " type=" + std::to_string(a.type) + " " + a.text +
               "]";
        }
        return s;
      });
    case cmd::kProgramNumber:
      return text(decodeProgramNumbers(p), [](const ProgramNumbers& n) {
        return "running=" + std::to_string(n.running) + " main=" + std::to_string(n.main);
      });
    case cmd::kProgramName:
      return text(decodeProgramName(p),
                  [](const ProgramName& n) { return std::to_string(n.number) + " " + n.name; });
    case cmd::kProgramPath30i:
      return text(decodeText(p), [](const std::string& s) { return s; });
    case cmd::kSequence:
      return text(decodeInt32(p), [](std::int32_t v) { return std::to_string(v); });
    case cmd::kExecBlock:
      return text(decodeExecBlock(p),
                  [](const ExecBlock& e) { return std::to_string(e.block) + " " + e.text; });
    case cmd::kAxisCount:
      return text(decodeInt16(p), [](std::int16_t v) { return std::to_string(v); });
    case cmd::kAxisNames:
    case cmd::kSpindleNames:
      return text(decodeNames(p), [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& n : v) s += (s.empty() ? "" : ",") + n;
        return s;
      });
    case cmd::kFeed:
    case cmd::kSpindleSpeed:
    case cmd::kPosition:
    case cmd::kServoLoad:
    case cmd::kMacroRead:
      return text(decodeNumbers(p), nums);
    case cmd::kParam16i:
    case cmd::kParam30i:
    case cmd::kDiag16i:
    case cmd::kDiag30i: {
      const Layout l =
          r.command == cmd::kParam16i || r.command == cmd::kDiag16i ? Layout::k16i : Layout::k30i;
      return text(decodeParams(p, l), [](const std::vector<ParamRecord>& v) {
        std::string s;
        for (const auto& rec : v) {
          s += (s.empty() ? "" : " ") + std::to_string(rec.number) + "/" +
               std::to_string(rec.axis) + "/" + std::to_string(rec.type) + "=" + nums(rec.values);
        }
        return s;
      });
    }
    case cmd::kPmcRange:
      return text(decodePmc(p, static_cast<PmcType>(c.args[3])),
                  [](const std::vector<std::int32_t>& v) { return ints(v); });
    case cmd::kTimer:
      return text(decodeTimer(p), [](const Timer& t) {
        return std::to_string(t.minutes) + "min " + std::to_string(t.msec) + "ms";
      });
    case cmd::kDateTime:
      return text(decodeDateTime(p), [](const DateTime& d) {
        return ints(std::vector<int>{d.year, d.month, d.day, d.hour, d.minute, d.second});
      });
    case cmd::kFigure:
      return text(decodeFigures(p), [](const std::vector<Figure>& f) {
        std::string s;
        for (const auto& x : f) {
          s += (s.empty() ? "" : ",") + std::to_string(x.input) + "/" + std::to_string(x.output);
        }
        return s;
      });
    default:
      return head + " " + std::to_string(p.size()) + " bytes";
  }
}

std::string describeCall(const Call& c) {
  return "call path=" + std::to_string(c.path) + " " + commandName(c.cls, c.command) +
         " args=" + ints(std::vector<std::int32_t>(c.args.begin(), c.args.end()));
}

/// Every frame of the stream, in order; errors are rejections (a framing error ends the stream).
testing::GoldenOutput run(const testing::GoldenCase& c) {
  testing::GoldenOutput out;
  auto& frames = out.exact["frames"];
  FrameReader reader(static_cast<std::size_t>(std::stoul(c.value("max_body", "32768"))));
  std::vector<Call> last;
  auto handle = [&](const Frame& f) {
    frames.push_back(frameTypeName(f.type) + " v" + std::to_string(f.version) + " " +
                     std::to_string(f.body.size()) + " bytes");
    if (f.type == frame_type::kRequest) {
      auto calls = decodeRequest(f);
      if (!calls) return out.rejections.push_back(calls.error().message());
      for (const Call& call : *calls) frames.push_back(describeCall(call));
      last = *calls;
    } else if (f.type == frame_type::kReply) {
      auto replies = decodeReply(f);
      if (!replies) return out.rejections.push_back(replies.error().message());
      if (auto m = matchReplies(last, *replies); !m) {
        return out.rejections.push_back(m.error().message());
      }
      for (std::size_t i = 0; i < replies->size(); ++i) {
        auto d = describe(last[i], (*replies)[i]);
        if (d) {
          frames.push_back(*d);
        } else {
          out.rejections.push_back(d.error().message());
        }
      }
    }
  };
  testing::feedHexStream(c.input, reader, out, "frame", handle);
  return out;
}

TEST(FocasGolden, CasesProduceExactlyTheExpectedFrames) {
  testing::runGoldenCases(fs::path(SPINDLE_SOURCE_DIR) / "src/collectors/focas/testdata", 16, run);
}

}  // namespace
}  // namespace spindle::collectors::focas
