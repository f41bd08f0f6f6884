#pragma once
/// The nodes an opcua machine reads, as its script's `tags` name them (docs/collectors/
/// opcua.md, "Naming nodes"). Pure: no I/O.
///
/// A tag is either
///   - a NodeId in its text form: "ns=2;s=Channel1.Speed", "i=2258", "ns=1;g=<guid>",
///     "ns=1;b=<base64>", or with the namespace by URI (the portable form `spindle opcua browse`
///     prints): "nsu=http://spindle.test/cnc;s=CNC1.SpindleSpeed";
///   - or a browse path from the Objects folder, in the text form of OPC UA Part 4 Annex A.2:
///     "/cnc:CNC1/cnc:SpindleSpeed", "/2:Robot1.2:Mode". Each element is preceded by '/'
///     (follow hierarchical references, i=33, subtypes included) or '.' (aggregates, i=44:
///     components and properties). A name may carry a namespace prefix "<p>:" where <p> is a
///     namespace index (digits) or an alias declared in the machine's `namespaces` option
///     (alias: URI); without a prefix the name is in namespace 0. '&' escapes the next
///     character ('&/', '&.', '&:', '&&') so names may contain them.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "opcua/services_view.hpp"
#include "opcua/types.hpp"

namespace spindle::collectors::opcua {

namespace ua = spindle::opcua;

struct PathElement {
  bool aggregate = false;  ///< '.': aggregates (i=44); '/': hierarchical references (i=33)
  std::string prefix;      ///< "" (namespace 0), digits (an index) or an alias
  std::string name;        ///< unescaped
  friend bool operator==(const PathElement&, const PathElement&) = default;
};

struct TagNode {
  std::string text;                      ///< as written in the script
  std::optional<ua::ExpandedNodeId> id;  ///< a node id (nsu= kept as the URI)
  std::vector<PathElement> path;         ///< a browse path (when id is empty)
  bool isPath() const { return !id.has_value(); }
};

/// Parses a tag; kInvalidArgument saying what is wrong and showing the accepted forms. An
/// empty path, an empty element name, a trailing '&', a prefix that is neither digits nor a
/// name ([A-Za-z_][A-Za-z0-9_-]*), or a text over 4096 bytes are errors.
Result<TagNode> parseTag(std::string_view text);

/// Checks that every alias a path uses is declared: the error names the tag and the alias.
Status checkAliases(const TagNode& tag, const std::map<std::string, std::string>& aliases);

/// The namespace index of a URI on the server (from its NamespaceArray), nullopt when absent.
using NamespaceLookup = std::function<std::optional<std::uint16_t>(std::string_view uri)>;

/// The NodeId of an id tag on this server: an nsu= URI through `lookup` (kNotFound naming the
/// URI when the server does not have it). Not for path tags (kInvalidArgument).
Result<ua::NodeId> resolveId(const TagNode& tag, const NamespaceLookup& lookup);

/// The TranslateBrowsePathsToNodeIds request of a path tag from the Objects folder (i=85):
/// aliases through `aliases` then `lookup`, digits as the index itself. kNotFound naming the
/// URI when the server lacks a namespace; kInvalidArgument for id tags or unknown aliases.
Result<ua::BrowsePath> browsePath(const TagNode& tag,
                                  const std::map<std::string, std::string>& aliases,
                                  const NamespaceLookup& lookup);

}  // namespace spindle::collectors::opcua
