#include "opcua/tree_browse.hpp"

#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/time.hpp"
#include "opcua/status_codes.hpp"

namespace spindle::opcua {

namespace {

constexpr std::uint32_t kHierarchicalReferences = 33;
constexpr std::uint32_t kServerObject = 2253;
constexpr std::size_t kReadBatch = 200;  ///< ReadValueIds per Read (two per variable)
constexpr std::size_t kShownElements = 20;

/// One node waiting to be listed and walked.
struct Pending {
  NodeId id;
  int depth = -1;  ///< -1: the root (walked, not listed)
  std::optional<BrowsedNode> node;
};

class Walk : public std::enable_shared_from_this<Walk> {
 public:
  Walk(std::shared_ptr<ClientSession> session, TreeBrowseOptions options,
       std::function<void(Result<TreeBrowseResult>)> done)
      : m_session(std::move(session)), m_options(std::move(options)), m_done(std::move(done)) {}

  void start() {
    m_session->readNamespaceArray([self = shared_from_this()](Result<std::vector<std::string>> r) {
      if (!r) return self->m_done(std::move(r).error().with("reading the namespace array"));
      self->m_result.namespaces = std::move(*r);
      self->m_stack.push_back(Pending{self->m_options.root, -1, std::nullopt});
      self->m_seen.insert(self->m_options.root.toString());
      self->next();
    });
  }

 private:
  void next() {
    while (!m_stack.empty()) {
      Pending p = std::move(m_stack.back());
      m_stack.pop_back();
      if (p.node) {
        if (m_result.nodes.size() >= m_options.maxNodes) {
          m_result.truncated = true;
          m_stack.clear();
          break;
        }
        m_result.nodes.push_back(std::move(*p.node));
      }
      const bool deeper = p.depth + 1 < m_options.maxDepth;
      // The Server object is listed, not walked: its diagnostics are hundreds of nodes.
      const bool server = p.depth >= 0 && p.id == NodeId(0, kServerObject);
      if (deeper && !server) return walk(std::move(p));
    }
    readValues(0);
  }

  void walk(Pending parent) {
    BrowseDescription d;
    d.nodeId = parent.id;
    d.referenceTypeId = NodeId(0, kHierarchicalReferences);
    d.includeSubtypes = true;
    m_session->browse(
        d, [self = shared_from_this(), parent](Result<std::vector<ReferenceDescription>> refs) {
          if (!refs) {
            if (parent.depth < 0) {
              return self->m_done(
                  std::move(refs).error().with("browsing " + self->m_options.root.toString()));
            }
            return self->next();  // one node that cannot be browsed does not end the walk
          }
          // Pushed in reverse: the first child is listed first.
          for (auto it = refs->rbegin(); it != refs->rend(); ++it) self->add(*it, parent.depth + 1);
          self->next();
        });
  }

  void add(const ReferenceDescription& ref, int depth) {
    if (ref.nodeId.serverIndex != 0) return;  // on another server
    NodeId id = ref.nodeId.nodeId;
    if (ref.nodeId.namespaceUri) {
      const auto index = m_session->namespaceIndex(*ref.nodeId.namespaceUri);
      if (!index) return;
      id.namespaceIndex = *index;
    }
    if (!m_seen.insert(id.toString()).second) return;
    BrowsedNode node;
    node.depth = depth;
    node.nodeId = id;
    if (id.namespaceIndex < m_result.namespaces.size())
      node.namespaceUri = m_result.namespaces[id.namespaceIndex];
    node.browseName = ref.browseName.name.value_or("");
    node.displayName = ref.displayName.text.value_or(node.browseName);
    node.nodeClass = ref.nodeClass;
    m_stack.push_back(Pending{std::move(id), depth, std::move(node)});
  }

  /// Value and DataType of the variables from node `from` on, a batch at a time.
  void readValues(std::size_t from) {
    if (!m_options.readValues) return finish();
    std::vector<ReadValueId> ids;
    std::vector<std::size_t> which;
    std::size_t i = from;
    for (; i < m_result.nodes.size() && ids.size() < kReadBatch; ++i) {
      if (m_result.nodes[i].nodeClass != NodeClass::kVariable) continue;
      ids.push_back(ReadValueId{m_result.nodes[i].nodeId, attribute::kValue, std::nullopt, {}});
      ids.push_back(ReadValueId{m_result.nodes[i].nodeId, attribute::kDataType, std::nullopt, {}});
      which.push_back(i);
    }
    if (ids.empty()) return finish();
    m_session->read(std::move(ids),
                    [self = shared_from_this(), which, i](Result<std::vector<DataValue>> values) {
                      if (!values)
                        return self->m_done(std::move(values).error().with("reading the values"));
                      for (std::size_t k = 0; k < which.size() && 2 * k + 1 < values->size(); ++k) {
                        BrowsedNode& node = self->m_result.nodes[which[k]];
                        node.value = std::move((*values)[2 * k]);
                        const DataValue& type = (*values)[2 * k + 1];
                        if (type.value) {
                          if (const auto* id = std::get_if<NodeId>(&type.value->value))
                            node.dataType = *id;
                        }
                      }
                      self->readValues(i);
                    });
  }

  void finish() { m_done(std::move(m_result)); }

  std::shared_ptr<ClientSession> m_session;
  TreeBrowseOptions m_options;
  std::function<void(Result<TreeBrowseResult>)> m_done;
  TreeBrowseResult m_result;
  std::vector<Pending> m_stack;
  std::set<std::string> m_seen;
};

std::string quoted(const String& s) { return s ? "\"" + *s + "\"" : "null"; }

template <typename T>
std::string scalarText(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::uint8_t>) {
    return std::to_string(static_cast<int>(v));
  } else if constexpr (std::is_arithmetic_v<T>) {
    return fmt::format("{}", v);
  } else if constexpr (std::is_same_v<T, String>) {
    return quoted(v);
  } else if constexpr (std::is_same_v<T, LocalizedText>) {
    return quoted(v.text);
  } else if constexpr (std::is_same_v<T, QualifiedName>) {
    return quoted(v.name);
  } else if constexpr (std::is_same_v<T, NodeId> || std::is_same_v<T, ExpandedNodeId> ||
                       std::is_same_v<T, Guid>) {
    return v.toString();
  } else if constexpr (std::is_same_v<T, StatusCode>) {
    return describe(v);
  } else if constexpr (std::is_same_v<T, DateTime>) {
    return formatTimestamp(v.toUnixNanos());
  } else if constexpr (std::is_same_v<T, ExtensionObject>) {
    return "structure " + v.typeId.toString() + " (" + std::to_string(v.body.size()) + " bytes)";
  } else if constexpr (std::is_same_v<T, ByteString>) {
    return v ? std::to_string(v->size()) + " bytes" : "null";
  } else {
    return "(" + std::string(typeid(T).name()) + ")";
  }
}

}  // namespace

std::string BrowsedNode::portableId() const {
  if (namespaceUri.empty() || nodeId.namespaceIndex == 0) return nodeId.toString();
  std::string text = nodeId.toString();  // "ns=2;s=X"
  const auto semicolon = text.find(';');
  return "nsu=" + namespaceUri + ";" + text.substr(semicolon + 1);
}

void browseTree(std::shared_ptr<ClientSession> session, TreeBrowseOptions options,
                std::function<void(Result<TreeBrowseResult>)> done) {
  std::make_shared<Walk>(std::move(session), std::move(options), std::move(done))->start();
}

std::string valueText(const DataValue& dv) {
  if (dv.status && dv.status->isBad()) return describe(*dv.status);
  if (!dv.value) return "(no value)";
  const Variant& v = *dv.value;
  std::string out = std::visit(
      [&](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return "null";
        } else if constexpr (std::is_same_v<T, Box<DataValue>> || std::is_same_v<T, Box<Variant>> ||
                             std::is_same_v<T, DiagnosticInfo> || std::is_same_v<T, XmlElement>) {
          return "(nested)";
        } else if constexpr (requires {
                               x.size();
                               x.begin();
                             } &&
                             !std::is_same_v<T, std::vector<std::uint8_t>>) {
          std::ostringstream s;
          s << "[";
          std::size_t n = 0;
          for (const auto& e : x) {
            if (n == kShownElements) {
              s << ", ... " << x.size() << " in all";
              break;
            }
            using E = std::decay_t<decltype(e)>;
            if (n++ != 0) s << ", ";
            if constexpr (std::is_same_v<T, std::vector<bool>>) {
              s << (e ? "true" : "false");
            } else if constexpr (std::is_same_v<E, DataValue> || std::is_same_v<E, Variant> ||
                                 std::is_same_v<E, DiagnosticInfo> ||
                                 std::is_same_v<E, XmlElement>) {
              s << "(nested)";
            } else {
              s << scalarText(e);
            }
          }
          s << "]";
          return s.str();
        } else if constexpr (std::is_same_v<T, std::vector<std::uint8_t>>) {
          return std::to_string(x.size()) + " bytes";
        } else {
          return scalarText(x);
        }
      },
      v.value);
  if (v.dimensions.size() > 1) {
    out += " dimensions";
    for (std::size_t i = 0; i < v.dimensions.size(); ++i)
      out += (i == 0 ? " " : "x") + std::to_string(v.dimensions[i]);
  }
  if (dv.status && dv.status->isUncertain()) out += " (" + describe(*dv.status) + ")";
  return out;
}

std::string dataTypeName(const NodeId& id) {
  static const char* const kNames[] = {
      nullptr,         "Boolean",       "SByte",     "Byte",           "Int16",
      "UInt16",        "Int32",         "UInt32",    "Int64",          "UInt64",
      "Float",         "Double",        "String",    "DateTime",       "Guid",
      "ByteString",    "XmlElement",    "NodeId",    "ExpandedNodeId", "StatusCode",
      "QualifiedName", "LocalizedText", "Structure", "DataValue",      "BaseDataType",
      "DiagnosticInfo"};
  if (const auto n = id.ns0Numeric(); n && *n >= 1 && *n <= 25) return kNames[*n];
  if (id.ns0Numeric() == 884u) return "Range";
  if (id.ns0Numeric() == 887u) return "EUInformation";
  return id.toString();
}

const char* toString(NodeClass c) {
  switch (c) {
    case NodeClass::kObject:
      return "Object";
    case NodeClass::kVariable:
      return "Variable";
    case NodeClass::kMethod:
      return "Method";
    case NodeClass::kObjectType:
      return "ObjectType";
    case NodeClass::kVariableType:
      return "VariableType";
    case NodeClass::kReferenceType:
      return "ReferenceType";
    case NodeClass::kDataType:
      return "DataType";
    case NodeClass::kView:
      return "View";
    default:
      return "Unspecified";
  }
}

}  // namespace spindle::opcua
