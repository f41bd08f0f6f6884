#pragma once
/// ScriptValue: what adapter scripts compute with. A small tagged value: unavailable, boolean,
/// number (double), string, array or object. Strings, arrays and objects are immutable and
/// shared, so copying a value never copies its contents.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/value.hpp"

namespace spindle::transform {

class ScriptValue;
using ScriptArray = std::vector<ScriptValue>;
using ScriptFields = std::vector<std::pair<std::string, ScriptValue>>;

/// The result of asking whether a value is true: unavailable values answer kUnknown.
enum class Truth : std::uint8_t { kFalse, kTrue, kUnknown };

class ScriptValue {
 public:
  /// kMissing marks an identifier that has never received a value; reading it is a
  /// "missing input" error, so it never escapes an evaluation.
  enum class Type : std::uint8_t {
    kMissing,
    kUnavailable,
    kBool,
    kNumber,
    kString,
    kArray,
    kObject
  };

  ScriptValue() = default;  ///< unavailable

  static ScriptValue missing();
  static ScriptValue unavailable() { return ScriptValue(); }
  static ScriptValue boolean(bool b);
  static ScriptValue number(double n);
  static ScriptValue string(std::string s);
  static ScriptValue array(ScriptArray items);
  static ScriptValue object(ScriptFields fields);

  Type type() const { return m_type; }
  bool isMissing() const { return m_type == Type::kMissing; }
  bool isUnavailable() const { return m_type == Type::kUnavailable; }
  bool isBool() const { return m_type == Type::kBool; }
  bool isNumber() const { return m_type == Type::kNumber; }
  bool isString() const { return m_type == Type::kString; }
  bool isArray() const { return m_type == Type::kArray; }
  bool isObject() const { return m_type == Type::kObject; }

  /// Accessors: only valid for the matching type.
  bool asBool() const { return m_scalar.b; }
  double asNumber() const { return m_scalar.n; }
  const std::string& asString() const { return *static_cast<const std::string*>(m_heap.get()); }
  const ScriptArray& asArray() const { return *static_cast<const ScriptArray*>(m_heap.get()); }
  const ScriptFields& asObject() const { return *static_cast<const ScriptFields*>(m_heap.get()); }

  /// Cheap in-place update for the hot path of arithmetic.
  void setNumber(double n) {
    if (m_heap) m_heap.reset();
    m_type = Type::kNumber;
    m_scalar.n = n;
  }
  void setBool(bool b) {
    if (m_heap) m_heap.reset();
    m_type = Type::kBool;
    m_scalar.b = b;
  }

  /// Booleans are themselves; numbers are true unless 0; strings are false when empty,
  /// "false" or "0" (any case for "false"), numeric strings follow their number; arrays and
  /// objects are true unless empty; unavailable is kUnknown.
  Truth truth() const;

  /// A number when the value is one or reads as one ("12.5", true=1, false=0); else false.
  bool toNumber(double& out) const;

  /// Text for concatenation and string functions: numbers in their shortest form (integral
  /// values without a decimal point), booleans "true"/"false", unavailable "UNAVAILABLE",
  /// arrays and objects as JSON.
  std::string toText() const;

  /// The field `name` of an object, or nullptr.
  const ScriptValue* field(std::string_view name) const;

  /// Structural equality, used to detect changes: 1 and 1.0 are equal, "1" and 1 are not.
  friend bool operator==(const ScriptValue& a, const ScriptValue& b);

  const char* typeName() const;

 private:
  Type m_type = Type::kUnavailable;
  union {
    bool b;
    double n;
  } m_scalar{.n = 0};
  std::shared_ptr<const void> m_heap;
};

const char* typeName(ScriptValue::Type type);

/// Loose equality of the expression language: numbers compare with numbers, booleans and
/// numeric strings; otherwise values of different types are unequal.
bool looselyEqual(const ScriptValue& a, const ScriptValue& b);

/// Shortest text of a number: 3 -> "3", 2.5 -> "2.5", 1e21 -> "1e+21".
std::string formatNumber(double n);

/// An observation value as a script sees it. Conditions become objects with level, code,
/// severity, qualifier and text; messages objects with code and text; time series and
/// three-space vectors arrays of numbers; data sets objects of strings (table rows objects
/// of objects); assets objects with id and type. Numbers become doubles.
ScriptValue fromModel(const model::Value& value);

/// A script value as an observation value: integral numbers within +-2^53 become int64,
/// other numbers double; arrays of numbers become vector<double>; other arrays and objects
/// become their JSON text.
model::Value toModel(const ScriptValue& value);

}  // namespace spindle::transform
