#include "config/option_table.hpp"

#include <charconv>
#include <limits>

namespace spindle::config {
namespace {

bool requireScalar(const YAML::Node& n, Diagnostics& d, const std::string& what,
                   const char* expected) {
  if (n.IsScalar()) return true;
  d.add(n, what + " must be " + expected + ", not " +
               (n.IsMap()        ? "a map"
                : n.IsSequence() ? "a list"
                                 : "empty"));
  return false;
}

template <typename Int>
bool parseInteger(const std::string& text, Int& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::string Bounds::describe() const {
  if (!min.empty() && !max.empty()) return min + " to " + max;
  if (!min.empty()) return "at least " + min;
  if (!max.empty()) return "at most " + max;
  return "";
}

bool readValue(const YAML::Node& n, std::string& out, Diagnostics& d, const std::string& what) {
  if (!requireScalar(n, d, what, "a string")) return false;
  out = n.Scalar();
  return true;
}

bool readValue(const YAML::Node& n, bool& out, Diagnostics& d, const std::string& what) {
  if (!requireScalar(n, d, what, "true or false")) return false;
  const std::string& s = n.Scalar();
  if (s == "true" || s == "yes" || s == "on") {
    out = true;
  } else if (s == "false" || s == "no" || s == "off") {
    out = false;
  } else {
    d.add(n, what + " must be true or false, not '" + s + "'");
    return false;
  }
  return true;
}

bool readValue(const YAML::Node& n, std::int64_t& out, Diagnostics& d, const std::string& what) {
  if (!requireScalar(n, d, what, "an integer")) return false;
  if (!parseInteger(n.Scalar(), out)) {
    d.add(n, what + " must be an integer, not '" + n.Scalar() + "'");
    return false;
  }
  return true;
}

bool readValue(const YAML::Node& n, int& out, Diagnostics& d, const std::string& what) {
  std::int64_t wide = 0;
  if (!readValue(n, wide, d, what)) return false;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    d.add(n, what + " is out of range");
    return false;
  }
  out = static_cast<int>(wide);
  return true;
}

bool readValue(const YAML::Node& n, std::uint64_t& out, Diagnostics& d, const std::string& what) {
  if (!requireScalar(n, d, what, "a non-negative integer")) return false;
  if (!parseInteger(n.Scalar(), out)) {
    d.add(n, what + " must be a non-negative integer, not '" + n.Scalar() + "'");
    return false;
  }
  return true;
}

bool readValue(const YAML::Node& n, double& out, Diagnostics& d, const std::string& what) {
  if (!requireScalar(n, d, what, "a number")) return false;
  const std::string& s = n.Scalar();
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) {
    d.add(n, what + " must be a number, not '" + s + "'");
    return false;
  }
  return true;
}

bool readValue(const YAML::Node& n, Duration& out, Diagnostics& d, const std::string& what) {
  if (!requireScalar(n, d, what, "a duration such as 5s")) return false;
  auto parsed = parseDuration(n.Scalar());
  if (!parsed) {
    d.add(n, what + ": " + parsed.error().message());
    return false;
  }
  out = parsed.value();
  return true;
}

bool readValue(const YAML::Node& n, ByteSize& out, Diagnostics& d, const std::string& what) {
  if (!requireScalar(n, d, what, "a size such as 512MiB")) return false;
  auto parsed = parseByteSize(n.Scalar());
  if (!parsed) {
    d.add(n, what + ": " + parsed.error().message());
    return false;
  }
  out = parsed.value();
  return true;
}

bool readValue(const YAML::Node& n, Port& out, Diagnostics& d, const std::string& what) {
  std::int64_t v = 0;
  if (!readValue(n, v, d, what)) return false;
  if (v < 1 || v > 65535) {
    d.add(n, what + " must be a TCP port between 1 and 65535, not " + std::to_string(v));
    return false;
  }
  out.value = static_cast<std::uint16_t>(v);
  return true;
}

bool readValue(const YAML::Node& n, std::vector<std::string>& out, Diagnostics& d,
               const std::string& what) {
  if (!n.IsSequence()) {
    d.add(n, what + " must be a list, e.g. [a, b]");
    return false;
  }
  bool good = true;
  for (const auto& item : n) {
    std::string s;
    if (readValue(item, s, d, what)) {
      out.push_back(std::move(s));
    } else {
      good = false;
    }
  }
  return good;
}

bool readValue(const YAML::Node& n, std::map<std::string, std::string>& out, Diagnostics& d,
               const std::string& what) {
  if (!n.IsMap()) {
    d.add(n, what + " must be a map of key: value");
    return false;
  }
  bool good = true;
  for (const auto& kv : n) {
    std::string s;
    if (readValue(kv.second, s, d, what + "." + kv.first.Scalar())) {
      out[kv.first.Scalar()] = std::move(s);
    } else {
      good = false;
    }
  }
  return good;
}

const char* typeName(const std::string*) { return "string"; }
const char* typeName(const bool*) { return "boolean"; }
const char* typeName(const std::int64_t*) { return "integer"; }
const char* typeName(const int*) { return "integer"; }
const char* typeName(const std::uint64_t*) { return "integer >= 0"; }
const char* typeName(const double*) { return "number"; }
const char* typeName(const Duration*) { return "duration"; }
const char* typeName(const ByteSize*) { return "size"; }
const char* typeName(const Port*) { return "port"; }
const char* typeName(const std::vector<std::string>*) { return "list of strings"; }
const char* typeName(const std::map<std::string, std::string>*) { return "map of strings"; }

}  // namespace spindle::config
