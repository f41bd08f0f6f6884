#include "collectors/mtconnect_agent/mtconnect_values.hpp"

#include <charconv>
#include <string>

namespace spindle::collectors::mtconnect_agent {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<double> parseNumber(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && p == text.data() + text.size()) return value;
  const auto comma = text.find(',');
  if (comma != std::string_view::npos && text.find(',', comma + 1) == std::string_view::npos &&
      text.find('.') == std::string_view::npos) {
    std::string fixed(text);
    fixed[comma] = '.';
    auto [q, ec2] = std::from_chars(fixed.data(), fixed.data() + fixed.size(), value);
    if (ec2 == std::errc() && q == fixed.data() + fixed.size()) return value;
  }
  return std::nullopt;
}

std::optional<model::Value> sampleValue(std::string_view text) {
  text = trim(text);
  if (isUnavailableText(text)) return model::Value{model::Unavailable{}};
  size_t space = 0;
  while (space < text.size() && !isSpace(text[space])) ++space;
  if (space == text.size()) {
    if (auto v = parseNumber(text)) return model::Value{*v};
    return std::nullopt;
  }
  std::vector<double> values;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && !isSpace(text[j])) ++j;
    if (j > i) {
      auto v = parseNumber(text.substr(i, j - i));
      if (!v) return std::nullopt;
      values.push_back(*v);
    }
    i = j;
  }
  return model::Value{std::move(values)};
}

model::Value eventValue(std::string_view text) {
  if (isUnavailableText(text)) return model::Unavailable{};
  if (!text.empty() && text.size() < 19) {
    std::int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && p == text.data() + text.size() && (text[0] != '0' || text.size() == 1))
      return n;
  }
  return std::string(text);
}

std::optional<model::Level> levelFromElement(std::string_view element) {
  if (element == "Normal") return model::Level::kNormal;
  if (element == "Warning") return model::Level::kWarning;
  if (element == "Fault") return model::Level::kFault;
  if (element == "Unavailable") return model::Level::kUnavailable;
  return std::nullopt;
}

std::optional<model::TimeSeries> timeSeriesValue(std::string_view text, double sampleRate) {
  model::TimeSeries ts;
  ts.sampleRate = sampleRate;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && isSpace(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && !isSpace(text[j])) ++j;
    if (j > i) {
      auto v = parseNumber(text.substr(i, j - i));
      if (!v) return std::nullopt;
      ts.samples.push_back(*v);
    }
    i = j;
  }
  return ts;
}

std::string_view representationSuffix(std::string_view element) {
  for (std::string_view s : {"TimeSeries", "DataSet", "Table"}) {
    if (endsWith(element, s)) return s;
  }
  return {};
}

}  // namespace spindle::collectors::mtconnect_agent
