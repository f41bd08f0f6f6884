#include "collectors/opcua/opcua_tags.hpp"

#include <charconv>

namespace spindle::collectors::opcua {

namespace {

constexpr std::size_t kMaxTagBytes = 4096;
constexpr std::uint32_t kObjectsFolder = 85;
constexpr std::uint32_t kHierarchicalReferences = 33;
constexpr std::uint32_t kAggregates = 44;

constexpr const char* kForms =
    " (a tag is a NodeId such as \"ns=2;s=Channel1.Speed\", \"i=2258\" or "
    "\"nsu=<namespace URI>;s=Name\", or a browse path from the Objects folder such as "
    "\"/2:Robot1/2:Mode\" or \"/cnc:CNC1.cnc:Speed\")";

Error badTag(std::string_view text, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "tag \"" + std::string(text) + "\": " + why + kForms);
}

bool isDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool isAlias(std::string_view s) {
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (s.empty() || !letter(s.front())) return false;
  for (char c : s) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

std::optional<std::uint16_t> indexOf(std::string_view digits) {
  std::uint16_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

/// One element's text after its '/' or '.' (still escaped) into prefix and unescaped name.
Result<PathElement> parseElement(std::string_view tag, std::string_view raw, bool aggregate,
                                 std::size_t number) {
  PathElement e;
  e.aggregate = aggregate;
  const std::string where = "element " + std::to_string(number) + " ";
  bool prefixDone = false;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '&') {
      e.name += raw[++i];  // the splitter has refused a trailing '&'
    } else if (c == ':' && !prefixDone) {
      // The first unescaped ':' ends the prefix; later ones are part of the name.
      e.prefix = std::move(e.name);
      e.name.clear();
      prefixDone = true;
      const std::string_view head = raw.substr(0, i);
      if (head.find('&') != std::string_view::npos || (!isDigits(head) && !isAlias(head))) {
        return badTag(tag, where + "has the namespace prefix \"" + std::string(head) +
                               "\", which is neither an index (digits) nor an alias "
                               "([A-Za-z_][A-Za-z0-9_-]*)");
      }
      if (isDigits(head) && !indexOf(head)) {
        return badTag(tag,
                      where + "has the namespace index " + std::string(head) + ", above 65535");
      }
    } else {
      e.name += c;
    }
  }
  if (e.name.empty()) return badTag(tag, where + "has an empty name");
  return e;
}

Result<TagNode> parsePath(std::string_view text) {
  TagNode tag;
  tag.text = std::string(text);
  std::size_t start = 0;  // the separator opening the current element
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '&') {
      if (i + 1 == text.size()) return badTag(text, "ends with '&', which escapes nothing");
      ++i;
      continue;
    }
    if (i < text.size() && text[i] != '/' && text[i] != '.') continue;
    auto e = parseElement(text, text.substr(start + 1, i - start - 1), text[start] == '.',
                          tag.path.size() + 1);
    if (!e) return std::move(e).error();
    tag.path.push_back(std::move(*e));
    start = i;
  }
  return tag;
}

/// The namespace index a path element names.
Result<std::uint16_t> namespaceOf(const TagNode& tag, const PathElement& e,
                                  const std::map<std::string, std::string>& aliases,
                                  const NamespaceLookup& lookup) {
  if (e.prefix.empty()) return std::uint16_t{0};
  if (isDigits(e.prefix)) {
    if (const auto n = indexOf(e.prefix)) return *n;
    return Error(ErrorCode::kInvalidArgument,
                 "tag \"" + tag.text + "\": namespace index " + e.prefix + " is above 65535");
  }
  const auto alias = aliases.find(e.prefix);
  if (alias == aliases.end()) {
    return Error(ErrorCode::kInvalidArgument, "tag \"" + tag.text +
                                                  "\" uses the namespace alias \"" + e.prefix +
                                                  "\", which `namespaces` does not declare");
  }
  const auto index = lookup ? lookup(alias->second) : std::nullopt;
  if (!index) {
    return Error(ErrorCode::kNotFound, "tag \"" + tag.text + "\": the server has no namespace \"" +
                                           alias->second + "\" (alias " + e.prefix + ")");
  }
  return *index;
}

}  // namespace

Result<TagNode> parseTag(std::string_view text) {
  if (text.size() > kMaxTagBytes) {
    return Error(ErrorCode::kInvalidArgument, "a tag of " + std::to_string(text.size()) +
                                                  " bytes is over the " +
                                                  std::to_string(kMaxTagBytes) + "-byte limit");
  }
  if (text.empty()) return badTag(text, "empty");
  if (text.front() == '/' || text.front() == '.') return parsePath(text);
  auto id = ua::ExpandedNodeId::parse(text);
  if (!id) return badTag(text, id.error().message());
  if (id->serverIndex != 0) {
    return badTag(text, "names a node on another server (svr=" + std::to_string(id->serverIndex) +
                            "), which cannot be read here");
  }
  TagNode tag;
  tag.text = std::string(text);
  tag.id = std::move(*id);
  return tag;
}

Status checkAliases(const TagNode& tag, const std::map<std::string, std::string>& aliases) {
  for (const PathElement& e : tag.path) {
    if (e.prefix.empty() || isDigits(e.prefix) || aliases.contains(e.prefix)) continue;
    return Error(ErrorCode::kInvalidArgument, "tag \"" + tag.text +
                                                  "\" uses the namespace alias \"" + e.prefix +
                                                  "\", which `namespaces` does not declare");
  }
  return okStatus();
}

Result<ua::NodeId> resolveId(const TagNode& tag, const NamespaceLookup& lookup) {
  if (tag.isPath()) {
    return Error(ErrorCode::kInvalidArgument,
                 "tag \"" + tag.text + "\" is a browse path, not a NodeId");
  }
  if (tag.id->serverIndex != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "tag \"" + tag.text + "\" names a node on another server");
  }
  ua::NodeId id = tag.id->nodeId;
  if (tag.id->namespaceUri) {
    const auto index = lookup ? lookup(*tag.id->namespaceUri) : std::nullopt;
    if (!index) {
      return Error(ErrorCode::kNotFound, "tag \"" + tag.text +
                                             "\": the server has no namespace \"" +
                                             *tag.id->namespaceUri + "\"");
    }
    id.namespaceIndex = *index;
  }
  return id;
}

Result<ua::BrowsePath> browsePath(const TagNode& tag,
                                  const std::map<std::string, std::string>& aliases,
                                  const NamespaceLookup& lookup) {
  if (!tag.isPath()) {
    return Error(ErrorCode::kInvalidArgument,
                 "tag \"" + tag.text + "\" is a NodeId, not a browse path");
  }
  ua::BrowsePath out;
  out.startingNode = ua::NodeId(0, kObjectsFolder);
  for (const PathElement& e : tag.path) {
    auto ns = namespaceOf(tag, e, aliases, lookup);
    if (!ns) return std::move(ns).error();
    ua::RelativePathElement r;
    r.referenceTypeId = ua::NodeId(0, e.aggregate ? kAggregates : kHierarchicalReferences);
    r.isInverse = false;
    r.includeSubtypes = true;
    r.targetName = ua::QualifiedName{*ns, e.name};
    out.relativePath.elements.push_back(std::move(r));
  }
  return out;
}

}  // namespace spindle::collectors::opcua
