#pragma once
/// The closed set of values an observation can carry.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace spindle::model {

/// The MTConnect UNAVAILABLE: the value is not known (machine gone, item not reported).
struct Unavailable {
  friend bool operator==(Unavailable, Unavailable) { return true; }
};

enum class Level : std::uint8_t { kNormal, kWarning, kFault, kUnavailable };

/// A condition activation or clear. A NORMAL with an empty native code clears every active
/// condition of its item; a NORMAL with a code clears that code only.
struct Condition {
  Level level = Level::kUnavailable;
  std::string nativeCode;
  std::string nativeSeverity;
  std::string qualifier;  ///< HIGH, LOW or empty
  std::string text;
  friend bool operator==(const Condition&, const Condition&) = default;
};

/// A message (MTConnect MESSAGE event): a native code and its text.
struct Message {
  std::string nativeCode;
  std::string text;
  friend bool operator==(const Message&, const Message&) = default;
};

/// Samples taken at a fixed rate ending at the observation's timestamp.
struct TimeSeries {
  double sampleRate = 0;  ///< Hz; 0 when the adapter left it to the data item's definition
  std::vector<double> samples;
  friend bool operator==(const TimeSeries&, const TimeSeries&) = default;
};

/// One entry of a data set or table. For a table, `cells` holds the row and `value` is empty.
struct DataSetEntry {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> cells;
  bool removed = false;  ///< "key" or "key=" alone deletes the entry
  friend bool operator==(const DataSetEntry&, const DataSetEntry&) = default;
};

struct DataSet {
  bool reset = false;  ///< ":MANUAL" (or another reset trigger): clear before applying entries
  std::vector<DataSetEntry> entries;
  friend bool operator==(const DataSet&, const DataSet&) = default;
};

/// An asset document (cutting tool, file...) added, or removed by id or by type.
struct Asset {
  enum class Action : std::uint8_t { kAdd, kRemove, kRemoveAll };
  Action action = Action::kAdd;
  std::string id;
  std::string type;
  std::string document;  ///< the XML as the adapter sent it; empty for removals
  friend bool operator==(const Asset&, const Asset&) = default;
};

/// Large alternatives are shared and immutable so an Observation stays 64 bytes and copies of
/// a batch (state ring, outputs) never duplicate their text.
using Value = std::variant<Unavailable, bool, std::int64_t, double, std::string,
                           std::vector<double>, std::shared_ptr<const Condition>,
                           std::shared_ptr<const Message>, std::shared_ptr<const TimeSeries>,
                           std::shared_ptr<const DataSet>, std::shared_ptr<const Asset>>;

inline bool isUnavailable(const Value& v) { return std::holds_alternative<Unavailable>(v); }

/// Bytes the allocator takes for a block of `n` (its header, rounded to 16).
constexpr std::size_t allocationBytes(std::size_t n) { return n == 0 ? 0 : (n + 8 + 15) / 16 * 16; }
/// Heap bytes a shared payload holds (its control block, object and own heap), counted whole
/// though the journal and the subscribers may share it; 0 for values held inline.
std::size_t payloadBytes(const Value& v);
/// Heap bytes `v` holds beyond its own object: a text longer than the small-string buffer, an
/// array of doubles, a shared payload (payloadBytes). What memory bounds count.
inline std::size_t heapBytes(const Value& v) {
  if (v.index() < 4) return 0;  // Unavailable, bool, integer, double: held inline
  if (const auto* text = std::get_if<std::string>(&v)) {
    return text->capacity() > std::string().capacity() ? allocationBytes(text->capacity() + 1) : 0;
  }
  if (const auto* doubles = std::get_if<std::vector<double>>(&v)) {
    return allocationBytes(doubles->capacity() * sizeof(double));
  }
  return payloadBytes(v);
}

const char* toString(Level level);

}  // namespace spindle::model
