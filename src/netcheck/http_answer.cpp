#include "netcheck/http_answer.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace spindle::netcheck {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::optional<std::string> HttpAnswer::header(std::string_view name) const {
  const std::string wanted = lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return std::nullopt;
}

Result<HttpAnswer> parseHttpHead(std::string_view text) {
  auto lineEnd = text.find('\n');
  const std::string_view statusLine = trim(text.substr(0, lineEnd));
  if (statusLine.substr(0, 5) != "HTTP/" || statusLine.size() < 12 || statusLine[8] != ' ') {
    std::string start(statusLine.substr(0, 40));
    for (char& c : start) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
    }
    return Error(ErrorCode::kProtocol, "not an HTTP answer (it starts with '" + start + "')");
  }
  HttpAnswer answer;
  const auto code = statusLine.substr(9, 3);
  const auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), answer.status);
  if (ec != std::errc() || end != code.data() + code.size()) {
    return Error(ErrorCode::kProtocol, "bad HTTP status line '" + std::string(statusLine) + "'");
  }
  answer.reason = std::string(trim(statusLine.substr(12)));
  while (lineEnd != std::string_view::npos) {
    const auto start = lineEnd + 1;
    lineEnd = text.find('\n', start);
    const std::string_view line = trim(text.substr(
        start, lineEnd == std::string_view::npos ? std::string_view::npos : lineEnd - start));
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    answer.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                std::string(trim(line.substr(colon + 1))));
  }
  return answer;
}

}  // namespace spindle::netcheck
