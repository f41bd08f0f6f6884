#include "transform/store/script_ref.hpp"

namespace spindle::transform::store {
namespace {

constexpr std::size_t kMaxNameLength = 64;
constexpr std::size_t kMaxVersionParts = 4;
constexpr std::size_t kMaxPartDigits = 9;

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

Result<StoreVersion> StoreVersion::parse(std::string_view text) {
  StoreVersion v;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const std::string_view part =
        text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || part.size() > kMaxPartDigits) {
      return invalid("version '" + std::string(text) +
                     "' must be 1 to 4 dot-separated numbers of 1 to 9 digits (3, 3.1)");
    }
    std::uint32_t value = 0;
    for (char c : part) {
      if (!isDigit(c)) {
        return invalid("version '" + std::string(text) + "' may hold only digits and dots");
      }
      value = value * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (part.size() > 1 && part[0] == '0') {
      return invalid("version '" + std::string(text) + "' has a number with a leading zero");
    }
    v.parts.push_back(value);
    if (v.parts.size() > kMaxVersionParts) {
      return invalid("version '" + std::string(text) + "' has more than 4 numbers");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return v;
}

std::string StoreVersion::text() const {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(parts[i]);
  }
  return out;
}

std::string ScriptRef::text() const {
  return std::string(kStorePrefix) + name + (version ? "@" + version->text() : "");
}

bool namesStoreScript(std::string_view scriptValue) {
  return scriptValue.substr(0, kStorePrefix.size()) == kStorePrefix;
}

bool validScriptName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !isAlnum(name[0])) return false;
  for (char c : name) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

Result<ScriptRef> parseScriptRef(std::string_view text) {
  if (!namesStoreScript(text))
    return invalid("'" + std::string(text) + "' does not start with store:");
  const std::string_view rest = text.substr(kStorePrefix.size());
  const std::size_t at = rest.find('@');
  ScriptRef ref;
  ref.name = std::string(rest.substr(0, at));
  if (!validScriptName(ref.name)) {
    return invalid("'" + std::string(text) +
                   "': the script name must be 1-64 letters, digits, '-', '_' or '.', starting "
                   "with a letter or digit");
  }
  if (at != std::string_view::npos) {
    auto version = StoreVersion::parse(rest.substr(at + 1));
    if (!version) return std::move(version).error().with("'" + std::string(text) + "'");
    ref.version = std::move(*version);
  }
  return ref;
}

}  // namespace spindle::transform::store
