#include "control/crash/crash_report.hpp"

#include <csignal>
#include <sstream>

namespace spindle::control::crash {
namespace {

Error badLine(int number, const std::string& why) {
  return Error(ErrorCode::kProtocol, "line " + std::to_string(number) + ": " + why);
}

/// Decimal or 0x-prefixed hex, all of the text.
bool parseNumber(const std::string& text, std::int64_t& out) {
  if (text.empty()) return false;
  try {
    std::size_t used = 0;
    const bool isHex = text.rfind("0x", 0) == 0;
    out = isHex ? static_cast<std::int64_t>(std::stoull(text.substr(2), &used, 16))
                : std::stoll(text, &used, 10);
    return used == (isHex ? text.size() - 2 : text.size());
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

const char* signalName(int signal) {
  switch (signal) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGBUS:
      return "SIGBUS";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    default:
      return "SIG?";
  }
}

Result<CrashReport> parseCrashReport(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kReportMagic) {
    return Error(ErrorCode::kProtocol,
                 "not a spindle crash report (no '" + std::string(kReportMagic) + "' first line)");
  }
  CrashReport r;
  bool ended = false;
  bool sawSignal = false;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (line == "end") {
      ended = true;
      break;
    }
    const auto space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    std::int64_t n = 0;
    if (key == "kind") {
      if (value != "signal" && value != "terminate") return badLine(number, "unknown kind");
      r.terminate = value == "terminate";
    } else if (key == "signal") {
      const auto gap = value.find(' ');
      if (!parseNumber(value.substr(0, gap), n)) return badLine(number, "bad signal");
      r.signal = static_cast<int>(n);
      r.signalName = gap == std::string::npos ? signalName(r.signal) : value.substr(gap + 1);
      sawSignal = true;
    } else if (key == "code") {
      if (!parseNumber(value, n)) return badLine(number, "bad code");
      r.code = static_cast<int>(n);
    } else if (key == "address") {
      if (!parseNumber(value, n)) return badLine(number, "bad address");
      r.address = static_cast<std::uint64_t>(n);
    } else if (key == "pid") {
      if (!parseNumber(value, n)) return badLine(number, "bad pid");
      r.pid = static_cast<long>(n);
    } else if (key == "thread") {
      const auto gap = value.find(' ');
      if (!parseNumber(value.substr(0, gap), n)) return badLine(number, "bad thread id");
      r.threadId = static_cast<long>(n);
      r.threadName = gap == std::string::npos ? "" : value.substr(gap + 1);
    } else if (key == "time") {
      if (!parseNumber(value, r.time)) return badLine(number, "bad time");
    } else if (key == "uptime_ms") {
      if (!parseNumber(value, r.uptimeMs)) return badLine(number, "bad uptime");
    } else if (key == "version") {
      r.version = value;
    } else if (key == "build_id") {
      r.buildId = value;
    } else if (key == "config_hash") {
      r.configHash = value;
    } else if (key == "exception_type") {
      r.exceptionType = value;
    } else if (key == "exception_message") {
      r.exceptionMessage = value;
    } else if (key == "module") {
      const auto gap = value.find(' ');
      if (!parseNumber(value.substr(0, gap), n) ||
          n != static_cast<std::int64_t>(r.modules.size()) || gap == std::string::npos) {
        return badLine(number, "bad module");
      }
      r.modules.push_back(value.substr(gap + 1));
    } else if (key == "frame") {
      const auto gap = value.find(' ');
      if (gap == std::string::npos) return badLine(number, "bad frame");
      CrashFrame f;
      const std::string where = value.substr(0, gap);
      if (where != "-") {
        if (!parseNumber(where, n) || n < 0 || n >= static_cast<std::int64_t>(r.modules.size())) {
          return badLine(number, "frame names no module");
        }
        f.module = static_cast<int>(n);
      }
      if (!parseNumber(value.substr(gap + 1), n)) return badLine(number, "bad frame address");
      f.address = static_cast<std::uint64_t>(n);
      r.frames.push_back(f);
    }
  }
  if (!ended) return Error(ErrorCode::kProtocol, "the report is torn (no 'end' line)");
  if (!sawSignal) return Error(ErrorCode::kProtocol, "the report names no signal");
  return r;
}

}  // namespace spindle::control::crash
