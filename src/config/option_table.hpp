#pragma once
/// Typed option tables: each configurable part declares its keys once (name, member, help,
/// default, required). The same table loads YAML, rejects unknown keys and wrong types with
/// file:line, and feeds docs/configuration.md and `spindle validate`.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "base/units.hpp"
#include "config/diagnostics.hpp"

namespace spindle::config {

/// A port number, 1-65535.
struct Port {
  std::uint16_t value = 0;
};

/// The allowed range of a numeric option (integer, number, duration, size), written the way
/// a user writes the value: {"1", "64"}, {"0s", ""}, {"4KiB", ""}. An empty side is open.
struct Bounds {
  std::string min;
  std::string max;
  /// "at least 1", "at most 1TiB", "1 to 64"; "" without bounds.
  std::string describe() const;
};

/// Description of one option, for docs and messages.
struct OptionInfo {
  std::string key;
  std::string type;  ///< "string", "integer", "duration", "size", "port", ...
  bool required = false;
  std::string defaultText;
  std::string help;
  Bounds bounds;  ///< numeric options: the allowed range (Bounds::describe() for the docs)
};

/// Numeric option types: those that take Bounds and must declare them.
template <typename V>
inline constexpr bool kIsNumericOption =
    std::is_same_v<V, int> || std::is_same_v<V, std::int64_t> || std::is_same_v<V, std::uint64_t> ||
    std::is_same_v<V, double> || std::is_same_v<V, Duration> || std::is_same_v<V, ByteSize>;

/// Ordering of option values for bounds checks.
template <typename V>
bool lessThan(const V& a, const V& b) {
  if constexpr (std::is_same_v<V, ByteSize>) {
    return a.bytes < b.bytes;
  } else {
    return a < b;
  }
}

// Typed readers: return false (and add a diagnostic) when the node does not hold the type.
bool readValue(const YAML::Node& n, std::string& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, bool& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, std::int64_t& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, int& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, std::uint64_t& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, double& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, Duration& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, ByteSize& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, Port& out, Diagnostics& d, const std::string& what);
bool readValue(const YAML::Node& n, std::vector<std::string>& out, Diagnostics& d,
               const std::string& what);
bool readValue(const YAML::Node& n, std::map<std::string, std::string>& out, Diagnostics& d,
               const std::string& what);

const char* typeName(const std::string*);
const char* typeName(const bool*);
const char* typeName(const std::int64_t*);
const char* typeName(const int*);
const char* typeName(const std::uint64_t*);
const char* typeName(const double*);
const char* typeName(const Duration*);
const char* typeName(const ByteSize*);
const char* typeName(const Port*);
const char* typeName(const std::vector<std::string>*);
const char* typeName(const std::map<std::string, std::string>*);

/// Options of a struct T. Usage:
///   OptionTable<ShdrOptions> t;
///   t.required("host", &ShdrOptions::host, "adapter address");
///   t.optional("port", &ShdrOptions::port, "7878", "adapter TCP port");
/// Defaults live in T's member initializers; `defaultText` only documents them.
template <typename T>
class OptionTable {
 public:
  template <typename V>
  OptionTable& required(std::string key, V T::*member, std::string help) {
    return add(std::move(key), member, true, "", std::move(help), {});
  }
  template <typename V>
  OptionTable& optional(std::string key, V T::*member, std::string defaultText, std::string help) {
    return add(std::move(key), member, false, std::move(defaultText), std::move(help), {});
  }
  /// A numeric option whose value must lie within `bounds` (checked on load, documented).
  template <typename V>
  OptionTable& optional(std::string key, V T::*member, std::string defaultText, std::string help,
                        Bounds bounds) {
    static_assert(kIsNumericOption<V>, "bounds apply to integers, numbers, durations and sizes");
    return add(std::move(key), member, false, std::move(defaultText), std::move(help), {},
               std::move(bounds));
  }
  /// A string restricted to `choices`.
  OptionTable& choice(std::string key, std::string T::*member, std::vector<std::string> choices,
                      std::string defaultText, std::string help) {
    return add(std::move(key), member, false, std::move(defaultText), std::move(help),
               std::move(choices));
  }

  /// Reads `map` into `out`. Keys in `passThrough` belong to someone else and are skipped;
  /// every other unknown key, wrong type or missing required key becomes a diagnostic.
  /// `where` names the block in messages ("machine 'mill-1'").
  void load(const YAML::Node& map, T& out, Diagnostics& diags, const std::string& where,
            const std::set<std::string>& passThrough = {}) const {
    if (!map.IsMap()) {
      diags.add(map, where + " must be a map of key: value");
      return;
    }
    std::set<std::string> seen;
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (passThrough.count(key)) continue;
      const Entry* entry = find(key);
      if (entry == nullptr) {
        std::vector<std::string> known = keys();
        known.insert(known.end(), passThrough.begin(), passThrough.end());
        const std::string guess = closestMatch(key, known);
        diags.add(kv.first, "unknown key '" + key + "' in " + where,
                  guess.empty() ? "known keys: " + join(known) : "did you mean '" + guess + "'?");
        continue;
      }
      seen.insert(key);
      entry->read(kv.second, out, diags, "'" + key + "' in " + where);
    }
    for (const auto& entry : m_entries) {
      if (entry.info.required && !seen.count(entry.info.key)) {
        diags.add(map, "missing required key '" + entry.info.key + "' in " + where,
                  entry.info.help);
      }
    }
  }

  std::vector<OptionInfo> describe() const {
    std::vector<OptionInfo> out;
    for (const auto& e : m_entries) out.push_back(e.info);
    return out;
  }

  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& e : m_entries) out.push_back(e.info.key);
    return out;
  }

 private:
  struct Entry {
    OptionInfo info;
    std::function<void(const YAML::Node&, T&, Diagnostics&, const std::string&)> read;
  };

  template <typename V>
  OptionTable& add(std::string key, V T::*member, bool isRequired, std::string defaultText,
                   std::string help, std::vector<std::string> choices, Bounds bounds = {}) {
    Entry e;
    e.info = OptionInfo{std::move(key),  typeName(static_cast<const V*>(nullptr)),
                        isRequired,      std::move(defaultText),
                        std::move(help), bounds};
    if (!choices.empty()) e.info.type = "one of: " + join(choices);
    std::optional<V> low, high;
    if constexpr (kIsNumericOption<V>) {
      low = boundValue<V>(bounds.min, e.info.key);
      high = boundValue<V>(bounds.max, e.info.key);
    }
    e.read = [member, choices, low, high, bounds](const YAML::Node& n, T& out, Diagnostics& d,
                                                  const std::string& what) {
      V value{};
      if (!readValue(n, value, d, what)) return;
      if constexpr (kIsNumericOption<V>) {
        if ((low && lessThan(value, *low)) || (high && lessThan(*high, value))) {
          d.add(n, what + " must be " + bounds.describe() + ", not " + n.Scalar());
          return;
        }
      }
      if constexpr (std::is_same_v<V, std::string>) {
        if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
          d.add(n, "'" + value + "' is not allowed for " + what, "use one of: " + join(choices));
          return;
        }
      }
      out.*member = std::move(value);
    };
    m_entries.push_back(std::move(e));
    return *this;
  }

  // A bound as written in the table; a table that does not parse is a programming error.
  template <typename V>
  static std::optional<V> boundValue(const std::string& text, const std::string& key) {
    if (text.empty()) return std::nullopt;
    V value{};
    Diagnostics ignored;
    if (!readValue(YAML::Node(text), value, ignored, key)) {
      throw std::logic_error("option table: bad bound '" + text + "' for " + key);
    }
    return value;
  }

  const Entry* find(const std::string& key) const {
    for (const auto& e : m_entries) {
      if (e.info.key == key) return &e;
    }
    return nullptr;
  }

  static std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
    return out;
  }

  std::vector<Entry> m_entries;
};

}  // namespace spindle::config
