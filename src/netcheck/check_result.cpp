#include "netcheck/check_result.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace spindle::netcheck {
namespace {

double millis(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

/// Word-wraps `text` to `width` columns; continuation lines start with `indent` spaces.
std::string wrap(const std::string& text, std::size_t width, std::size_t indent) {
  std::string out;
  std::size_t column = indent;
  std::istringstream words(text);
  std::string word;
  bool first = true;
  while (words >> word) {
    if (!first && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  return out;
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

std::string statusWord(CheckStatus s) {
  switch (s) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kWarn:
      return "warn";
    case CheckStatus::kFail:
      return "FAIL";
    case CheckStatus::kSkip:
      return "skip";
  }
  return "skip";
}

std::string joinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

const char* toString(CheckKind kind) {
  switch (kind) {
    case CheckKind::kDns:
      return "dns";
    case CheckKind::kNtp:
      return "ntp";
    case CheckKind::kClock:
      return "clock";
    case CheckKind::kTcp:
      return "tcp";
    case CheckKind::kTls:
      return "tls";
    case CheckKind::kHttps:
      return "https";
    case CheckKind::kNats:
      return "nats";
    case CheckKind::kMachine:
      return "machine";
    case CheckKind::kProxy:
      return "proxy";
    case CheckKind::kApi:
      return "api";
  }
  return "tcp";
}

const char* toString(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass:
      return "pass";
    case CheckStatus::kWarn:
      return "warn";
    case CheckStatus::kFail:
      return "fail";
    case CheckStatus::kSkip:
      return "skip";
  }
  return "skip";
}

std::size_t NetcheckReport::count(CheckStatus status) const {
  return static_cast<std::size_t>(std::count_if(
      checks.begin(), checks.end(), [status](const CheckResult& c) { return c.status == status; }));
}

std::size_t NetcheckReport::requiredFailures() const {
  return static_cast<std::size_t>(std::count_if(checks.begin(), checks.end(), [](const auto& c) {
    return c.required && c.status == CheckStatus::kFail;
  }));
}

nlohmann::json toJson(const NetcheckReport& r) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : r.checks) {
    checks.push_back({{"id", c.id()},
                      {"kind", toString(c.kind)},
                      {"status", toString(c.status)},
                      {"required", c.required},
                      {"target", c.target},
                      {"address", c.address},
                      {"what", c.what},
                      {"detail", c.detail},
                      {"cause", c.cause},
                      {"remedy", c.remedy},
                      {"elapsed_ms", round3(millis(c.elapsed))},
                      {"facts", c.facts}});
  }
  return {{"schema", "spindle.netcheck/1"},
          {"profile", r.profile},
          {"description", r.description},
          {"started", formatTimestamp(r.started)},
          {"elapsed_ms", round3(millis(r.elapsed))},
          {"ok", r.ok()},
          {"summary",
           {{"pass", r.count(CheckStatus::kPass)},
            {"warn", r.count(CheckStatus::kWarn)},
            {"fail", r.count(CheckStatus::kFail)},
            {"skip", r.count(CheckStatus::kSkip)},
            {"required_failures", r.requiredFailures()}}},
          {"dpi",
           {{"detected", r.dpi.detected},
            {"issuers", r.dpi.issuers},
            {"endpoints", r.dpi.endpoints},
            {"bypass", r.dpi.bypass}}},
          {"notes", r.notes},
          {"checks", checks}};
}

std::string renderTable(const NetcheckReport& r) {
  constexpr std::size_t kWidth = 100;
  std::size_t targetWidth = 6;
  for (const auto& c : r.checks) targetWidth = std::max(targetWidth, c.target.size() + 1);
  targetWidth = std::min<std::size_t>(targetWidth, 40);
  const std::size_t resultColumn = 7 + 8 + targetWidth;
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.2f s",
                std::chrono::duration<double>(r.elapsed).count());
  std::string out = "spindle netcheck: profile " + r.profile;
  if (!r.description.empty()) out += " (" + r.description + ")";
  out += ", " + std::to_string(r.checks.size()) + " checks in " + elapsed + "\n\n";
  out += pad("STATUS", 7) + pad("CHECK", 8) + pad("TARGET", targetWidth) + "RESULT\n";
  for (const auto& c : r.checks) {
    std::string line = pad(statusWord(c.status), 7) + pad(toString(c.kind), 8) + c.target;
    line += line.size() < resultColumn ? std::string(resultColumn - line.size(), ' ')
                                       : "\n" + std::string(resultColumn, ' ');
    std::string result = c.detail;
    // Where DNS and NTP traffic really went matters when a server was mapped or resolved;
    // connection rows already name their address in the tcp row.
    const bool serverRow =
        c.kind == CheckKind::kDns || c.kind == CheckKind::kNtp || c.kind == CheckKind::kClock;
    if (serverRow && !c.address.empty() && c.target.find(c.address) == std::string::npos &&
        c.detail.find(c.address) == std::string::npos) {
      result += " [via " + c.address + "]";
    }
    if (!c.required && c.status == CheckStatus::kFail) result += " (optional)";
    out += line + wrap(result, kWidth, resultColumn) + "\n";
    const std::size_t noteIndent = 15;
    if (!c.cause.empty()) {
      out +=
          std::string(noteIndent, ' ') + "cause:  " + wrap(c.cause, kWidth, noteIndent + 8) + "\n";
    }
    if (!c.remedy.empty()) {
      out +=
          std::string(noteIndent, ' ') + "remedy: " + wrap(c.remedy, kWidth, noteIndent + 8) + "\n";
    }
  }
  if (r.dpi.detected) {
    out += "\nDeep packet inspection detected";
    if (!r.dpi.issuers.empty()) out += " (certificates issued by " + joinList(r.dpi.issuers) + ")";
    out += " on " + joinList(r.dpi.endpoints) + ".\n";
    out += "Create a bypass (no-decryption) rule on the firewall for this edge's traffic to:\n";
    for (const auto& b : r.dpi.bypass) out += "  " + b + "\n";
  }
  for (const auto& note : r.notes) out += "\n" + wrap(note, kWidth, 0) + "\n";
  const std::size_t failed = r.count(CheckStatus::kFail);
  out += "\n" + std::to_string(r.count(CheckStatus::kPass)) + " passed, " +
         std::to_string(r.count(CheckStatus::kWarn)) + " warnings, " + std::to_string(failed) +
         " failed, " + std::to_string(r.count(CheckStatus::kSkip)) + " skipped: ";
  out += r.ok() ? "every required check passed.\n"
                : std::to_string(r.requiredFailures()) + " required check" +
                      (r.requiredFailures() == 1 ? "" : "s") + " failed.\n";
  return out;
}

}  // namespace spindle::netcheck
