#include "collectors/shdr/shdr_values.hpp"

#include <charconv>
#include <cmath>

#include "collectors/shdr/shdr_tokenizer.hpp"

namespace spindle::collectors::shdr {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view upper) {
  if (a.size() != upper.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

bool parseDouble(std::string_view text, double& out) {
  if (text.empty()) return false;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(out);
}

bool parseInt(std::string_view text, std::int64_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Quick reject before from_chars: numbers start with a digit, sign or dot.
inline bool mayBeNumber(std::string_view t) {
  if (t.empty()) return false;
  const char c = t[0];
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

// Reads one data set word starting at `i`: key, optional '=', optional value that may be
// quoted ('..', "..") or braced ({..}). Returns false on an unterminated quote or brace.
struct Word {
  std::string_view key;
  std::string_view value;
  bool hasEquals = false;
  bool braced = false;
};

bool readWord(std::string_view s, size_t& i, Word& w) {
  const size_t keyStart = i;
  while (i < s.size() && s[i] != '=' && s[i] != ' ' && s[i] != '\t') ++i;
  w.key = s.substr(keyStart, i - keyStart);
  w.value = {};
  w.hasEquals = false;
  w.braced = false;
  if (i >= s.size() || s[i] != '=') return true;
  w.hasEquals = true;
  ++i;
  if (i < s.size() && (s[i] == '\'' || s[i] == '"' || s[i] == '{')) {
    const char open = s[i];
    const char close = open == '{' ? '}' : open;
    const size_t start = ++i;
    int depth = 1;
    for (; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
        continue;
      }
      if (open == '{' && s[i] == '{') ++depth;
      if (s[i] == close && --depth == 0) break;
    }
    if (i >= s.size()) return false;
    w.value = s.substr(start, i - start);
    w.braced = open == '{';
    ++i;
    return true;
  }
  const size_t start = i;
  while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
  w.value = s.substr(start, i - start);
  return true;
}

void skipSpace(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

std::string unescape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out.push_back(v[i]);
  }
  return out;
}

}  // namespace

bool isUnavailableText(std::string_view text) {
  if (text.size() == 13 && text.front() == '@' && text.back() == '@') text = text.substr(1, 11);
  return equalsIgnoreCase(text, "UNAVAILABLE");
}

std::optional<model::Level> parseLevel(std::string_view text) {
  if (equalsIgnoreCase(text, "NORMAL")) return model::Level::kNormal;
  if (equalsIgnoreCase(text, "WARNING")) return model::Level::kWarning;
  if (equalsIgnoreCase(text, "FAULT")) return model::Level::kFault;
  if (equalsIgnoreCase(text, "UNAVAILABLE")) return model::Level::kUnavailable;
  return std::nullopt;
}

bool isInteger(std::string_view text) {
  std::int64_t v = 0;
  return parseInt(text, v);
}

model::Value parseScalar(std::string_view text, model::Kind& kind, std::uint8_t& flags) {
  kind = model::Kind::kEvent;
  if (text.size() == 11 || text.size() == 13) {
    if (isUnavailableText(text)) return model::Unavailable{};
  }
  if (mayBeNumber(text)) {
    std::int64_t i = 0;
    double d = 0;
    std::string_view number = text;
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos && colon + 1 < text.size() && text[colon + 1] >= 'A' &&
        text[colon + 1] <= 'Z') {
      number = text.substr(0, colon);
    }
    if (parseInt(number, i)) {
      kind = model::Kind::kSample;
      if (number.size() != text.size()) flags |= model::kFlagResetTriggered;
      return i;
    }
    if (parseDouble(number, d)) {
      kind = model::Kind::kSample;
      if (number.size() != text.size()) flags |= model::kFlagResetTriggered;
      return d;
    }
    if (text.find(' ') != std::string_view::npos) {
      std::vector<double> values;
      size_t i0 = 0;
      while (i0 < text.size()) {
        skipSpace(text, i0);
        if (i0 >= text.size()) break;
        size_t j = i0;
        while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
        if (!parseDouble(text.substr(i0, j - i0), d)) {
          values.clear();
          break;
        }
        values.push_back(d);
        i0 = j;
      }
      if (values.size() >= 2) {
        kind = model::Kind::kSample;
        return values;
      }
    }
  }
  return std::string(text);
}

bool looksLikeDataSet(std::string_view s) {
  if (s.empty() || s.front() == '=') return false;
  if (s.front() == ':') return true;
  if (s.find('=') == std::string_view::npos) return false;
  bool sawEquals = false;
  size_t i = 0;
  while (i < s.size()) {
    skipSpace(s, i);
    if (i >= s.size()) break;
    Word w;
    if (!readWord(s, i, w)) return false;
    if (w.key.empty() || (!sawEquals && !w.hasEquals)) return false;  // first word: k=v
    if (i < s.size() && s[i] != ' ' && s[i] != '\t') return false;
    sawEquals = sawEquals || w.hasEquals;
  }
  return sawEquals;
}

Result<model::DataSet> parseDataSet(std::string_view s) {
  model::DataSet set;
  size_t i = 0;
  skipSpace(s, i);
  if (i < s.size() && s[i] == ':') {
    // Reset trigger, e.g. ":MANUAL k=v": the set is cleared before the entries apply.
    while (i < s.size() && s[i] != ' ') ++i;
    set.reset = true;
  }
  while (true) {
    skipSpace(s, i);
    if (i >= s.size()) break;
    Word w;
    const size_t at = i;
    if (!readWord(s, i, w)) {
      return Error(ErrorCode::kProtocol,
                   "unterminated quote or brace in data set at offset " + std::to_string(at));
    }
    if (w.key.empty()) {
      return Error(ErrorCode::kProtocol,
                   "data set entry without a key at offset " + std::to_string(at));
    }
    model::DataSetEntry entry;
    entry.key = std::string(w.key);
    if (!w.hasEquals || (w.value.empty() && !w.braced)) {
      entry.removed = true;
    } else if (w.braced) {
      auto row = parseDataSet(w.value);
      if (!row) return std::move(row).error().with("table row '" + entry.key + "'");
      for (auto& cell : row->entries) entry.cells.emplace_back(cell.key, cell.value);
      if (entry.cells.empty()) entry.removed = true;
    } else {
      entry.value = unescape(w.value);
    }
    set.entries.push_back(std::move(entry));
  }
  return set;
}

Result<model::TimeSeries> parseTimeSeries(std::string_view count, std::string_view rate,
                                          std::string_view values) {
  std::int64_t n = 0;
  if (!parseInt(count, n) || n < 0) {
    return Error(ErrorCode::kProtocol, "time series sample count '" + std::string(count) +
                                           "' is not a non-negative integer");
  }
  model::TimeSeries ts;
  if (!rate.empty() && !parseDouble(rate, ts.sampleRate)) {
    return Error(ErrorCode::kProtocol,
                 "time series rate '" + std::string(rate) + "' is not a number");
  }
  size_t i = 0;
  while (i < values.size()) {
    skipSpace(values, i);
    if (i >= values.size()) break;
    size_t j = i;
    while (j < values.size() && values[j] != ' ' && values[j] != '\t') ++j;
    double d = 0;
    if (!parseDouble(values.substr(i, j - i), d)) {
      return Error(
          ErrorCode::kProtocol,
          "time series value '" + std::string(values.substr(i, j - i)) + "' is not a number");
    }
    ts.samples.push_back(d);
    i = j;
  }
  if (static_cast<std::int64_t>(ts.samples.size()) != n) {
    return Error(ErrorCode::kProtocol, "time series declares " + std::to_string(n) +
                                           " samples but carries " +
                                           std::to_string(ts.samples.size()));
  }
  return ts;
}

}  // namespace spindle::collectors::shdr
