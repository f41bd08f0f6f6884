#pragma once
/// The closed set of values an observation can carry.

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

const char* toString(Level level);

}  // namespace spindle::model
