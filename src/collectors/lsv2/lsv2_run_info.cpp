#include "collectors/lsv2/lsv2_run_info.hpp"

#include "collectors/lsv2/lsv2_replies.hpp"

namespace spindle::collectors::lsv2 {
namespace {

constexpr std::string_view kPositionSuffix = "_pos";

}  // namespace

Result<std::vector<KeyedValue>> runInfoValues(std::uint16_t info, std::span<const std::uint8_t> p) {
  using K = model::Kind;
  std::vector<KeyedValue> out;
  switch (info) {
    case info::kAxisLocation: {
      auto axes = decodeAxisLocation(p);
      if (!axes) return std::move(axes).error();
      for (const auto& x : *axes) {
        out.push_back({x.name + std::string(kPositionSuffix), x.position, K::kSample});
      }
      return out;
    }
    case info::kExecutionMode: {
      auto m = decodeExecutionMode(p);
      if (!m) return std::move(m).error();
      out.push_back({"execution_mode", std::int64_t{*m}, K::kEvent});
      return out;
    }
    case info::kProgramStack: {
      auto s = decodeProgramStack(p);
      if (!s) return std::move(s).error();
      out.push_back({"line", std::int64_t{s->line}, K::kEvent});
      out.push_back({"main_program", s->mainProgram, K::kEvent});
      out.push_back({"program", s->currentProgram, K::kEvent});
      return out;
    }
    case info::kOverrides: {
      auto o = decodeOverrides(p);
      if (!o) return std::move(o).error();
      out.push_back({"feed_override", o->feed, K::kSample});
      out.push_back({"spindle_override", o->spindle, K::kSample});
      out.push_back({"rapid_override", o->rapid, K::kSample});
      return out;
    }
    case info::kProgramState: {
      auto s = decodeProgramState(p);
      if (!s) return std::move(s).error();
      out.push_back({"program_state", std::int64_t{*s}, K::kEvent});
      return out;
    }
    case info::kCurrentTool: {
      auto t = decodeToolInfo(p);
      if (!t) return std::move(t).error();
      out.push_back({"tool", std::int64_t{t->number}, K::kEvent});
      if (t->length) out.push_back({"tool_length", *t->length, K::kSample});
      if (t->radius) out.push_back({"tool_radius", *t->radius, K::kSample});
      return out;
    }
    default:
      return Error(ErrorCode::kInternal, "run info " + std::to_string(info) + " not asked");
  }
}

std::vector<std::string> runInfoKeys(std::uint16_t info, const std::vector<std::string>& axes) {
  switch (info) {
    case info::kAxisLocation: {
      std::vector<std::string> keys;
      for (const auto& n : axes) keys.push_back(n + std::string(kPositionSuffix));
      return keys;
    }
    case info::kExecutionMode:
      return {"execution_mode"};
    case info::kProgramStack:
      return {"line", "main_program", "program"};
    case info::kOverrides:
      return {"feed_override", "spindle_override", "rapid_override"};
    case info::kProgramState:
      return {"program_state"};
    default:
      return {"tool"};
  }
}

std::string axisOfKey(const std::string& key) {
  return key.ends_with(kPositionSuffix) ? key.substr(0, key.size() - kPositionSuffix.size()) : key;
}

}  // namespace spindle::collectors::lsv2
