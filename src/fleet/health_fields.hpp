#pragma once
/// Reading fields of a heartbeat (spindle.health.v1) the way its consumers must: a field that
/// is missing, null or of another type than expected is "unknown", never an exception, and
/// fields this version does not know are ignored (docs/cloud-protocol.md, Versioning).

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace spindle::fleet {

/// `object[key]` when `object` is an object holding a number there.
inline std::optional<double> numberAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

/// `object[key]` when it is a string; "" otherwise.
inline std::string textAt(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

/// `object[key]` when it is a boolean; `otherwise` when not.
inline bool flagAt(const nlohmann::json& object, const char* key, bool otherwise) {
  if (!object.is_object()) return otherwise;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return otherwise;
  return it->get<bool>();
}

/// `object[key]`, or a null value when `object` is not an object or has no such key.
inline const nlohmann::json& memberAt(const nlohmann::json& object, const char* key) {
  static const nlohmann::json kNull;
  if (!object.is_object()) return kNull;
  const auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

}  // namespace spindle::fleet
