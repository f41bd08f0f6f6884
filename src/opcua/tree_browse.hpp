#pragma once
/// Walking a server's address space for a person setting up a machine: from a node (the
/// Objects folder by default) down its hierarchical references, depth first, each node once,
/// with the current value and data type of every variable. `spindle opcua browse` prints it;
/// the management page will serve it as JSON. Nodes are named by namespace URI as well as by
/// index, since an adapter script names them by URI (indexes may change between servers and
/// restarts).
///
/// Thread: call on the session's strand; `done` runs there, exactly once.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "opcua/client_session.hpp"

namespace spindle::opcua {

struct BrowsedNode {
  int depth = 0;  ///< 0 for the start node's children
  NodeId nodeId;
  std::string namespaceUri;  ///< of nodeId's namespace, "" when the server did not list it
  std::string browseName;    ///< without its namespace index
  std::string displayName;
  NodeClass nodeClass = NodeClass::kUnspecified;
  /// Variables only (when values are read): the value as read, and its data type.
  std::optional<DataValue> value;
  std::optional<NodeId> dataType;

  /// "nsu=<uri>;s=CNC1.Speed" (the form an adapter script takes), or the NodeId's own form
  /// when the namespace URI is unknown or the node is in namespace 0.
  std::string portableId() const;
};

struct TreeBrowseOptions {
  NodeId root = NodeId(0, 85u);  ///< ObjectsFolder
  int maxDepth = 6;              ///< levels below the root (1: its children only)
  std::size_t maxNodes = 5000;   ///< the walk stops there (the result says so)
  bool readValues = true;        ///< read Value and DataType of each variable
};

struct TreeBrowseResult {
  std::vector<BrowsedNode> nodes;  ///< in tree order (a node, then its children)
  std::vector<std::string> namespaces;
  bool truncated = false;  ///< maxNodes was reached
};

void browseTree(std::shared_ptr<ClientSession> session, TreeBrowseOptions options,
                std::function<void(Result<TreeBrowseResult>)> done);

/// A value as a person reads it: numbers, text in quotes, arrays in brackets (the first 20
/// elements), a matrix with its dimensions, structures by their type id, a Bad status by name.
std::string valueText(const DataValue& value);
/// The common data types by name ("Double", "String"), others by NodeId.
std::string dataTypeName(const NodeId& id);
const char* toString(NodeClass nodeClass);

}  // namespace spindle::opcua
