#pragma once
/// The view and attribute services (Part 4, 5.8 and 5.10): Browse, BrowseNext,
/// TranslateBrowsePathsToNodeIds, Read and Write.

#include "opcua/services_common.hpp"

namespace spindle::opcua {

struct ViewDescription {
  NodeId viewId;  ///< null = the whole address space
  DateTime timestamp;
  std::uint32_t viewVersion = 0;
  friend bool operator==(const ViewDescription&, const ViewDescription&) = default;
};

struct BrowseDescription {
  NodeId nodeId;
  BrowseDirection browseDirection = BrowseDirection::kForward;
  NodeId referenceTypeId;  ///< null = all references
  bool includeSubtypes = true;
  std::uint32_t nodeClassMask = 0;  ///< 0 = all node classes
  std::uint32_t resultMask = 63;    ///< which ReferenceDescription fields to fill (63 = all)
  friend bool operator==(const BrowseDescription&, const BrowseDescription&) = default;
};

struct ReferenceDescription {
  NodeId referenceTypeId;
  bool isForward = true;
  ExpandedNodeId nodeId;
  QualifiedName browseName;
  LocalizedText displayName;
  NodeClass nodeClass = NodeClass::kUnspecified;
  ExpandedNodeId typeDefinition;
  friend bool operator==(const ReferenceDescription&, const ReferenceDescription&) = default;
};

struct BrowseResult {
  StatusCode statusCode;
  ByteString continuationPoint;  ///< non-empty: call BrowseNext for the rest
  Array<ReferenceDescription> references;
  friend bool operator==(const BrowseResult&, const BrowseResult&) = default;
};

struct BrowseRequest {
  static constexpr std::uint32_t kTypeId = 527;
  RequestHeader requestHeader;
  ViewDescription view;
  std::uint32_t requestedMaxReferencesPerNode = 0;  ///< 0 = server's choice
  Array<BrowseDescription> nodesToBrowse;
  friend bool operator==(const BrowseRequest&, const BrowseRequest&) = default;
};

struct BrowseResponse {
  static constexpr std::uint32_t kTypeId = 530;
  ResponseHeader responseHeader;
  Array<BrowseResult> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const BrowseResponse&, const BrowseResponse&) = default;
};

struct BrowseNextRequest {
  static constexpr std::uint32_t kTypeId = 533;
  RequestHeader requestHeader;
  bool releaseContinuationPoints = false;
  Array<ByteString> continuationPoints;
  friend bool operator==(const BrowseNextRequest&, const BrowseNextRequest&) = default;
};

struct BrowseNextResponse {
  static constexpr std::uint32_t kTypeId = 536;
  ResponseHeader responseHeader;
  Array<BrowseResult> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const BrowseNextResponse&, const BrowseNextResponse&) = default;
};

struct RelativePathElement {
  NodeId referenceTypeId;
  bool isInverse = false;
  bool includeSubtypes = true;
  QualifiedName targetName;
  friend bool operator==(const RelativePathElement&, const RelativePathElement&) = default;
};

struct RelativePath {
  Array<RelativePathElement> elements;
  friend bool operator==(const RelativePath&, const RelativePath&) = default;
};

struct BrowsePath {
  NodeId startingNode;
  RelativePath relativePath;
  friend bool operator==(const BrowsePath&, const BrowsePath&) = default;
};

struct BrowsePathTarget {
  ExpandedNodeId targetId;
  std::uint32_t remainingPathIndex = 0xFFFFFFFF;  ///< UInt32 max = the whole path was followed
  friend bool operator==(const BrowsePathTarget&, const BrowsePathTarget&) = default;
};

struct BrowsePathResult {
  StatusCode statusCode;
  Array<BrowsePathTarget> targets;
  friend bool operator==(const BrowsePathResult&, const BrowsePathResult&) = default;
};

struct TranslateBrowsePathsToNodeIdsRequest {
  static constexpr std::uint32_t kTypeId = 554;
  RequestHeader requestHeader;
  Array<BrowsePath> browsePaths;
  friend bool operator==(const TranslateBrowsePathsToNodeIdsRequest&,
                         const TranslateBrowsePathsToNodeIdsRequest&) = default;
};

struct TranslateBrowsePathsToNodeIdsResponse {
  static constexpr std::uint32_t kTypeId = 557;
  ResponseHeader responseHeader;
  Array<BrowsePathResult> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const TranslateBrowsePathsToNodeIdsResponse&,
                         const TranslateBrowsePathsToNodeIdsResponse&) = default;
};

struct ReadValueId {
  NodeId nodeId;
  std::uint32_t attributeId = attribute::kValue;
  String indexRange;
  QualifiedName dataEncoding;
  friend bool operator==(const ReadValueId&, const ReadValueId&) = default;
};

struct ReadRequest {
  static constexpr std::uint32_t kTypeId = 631;
  RequestHeader requestHeader;
  double maxAge = 0;  ///< ms
  TimestampsToReturn timestampsToReturn = TimestampsToReturn::kBoth;
  Array<ReadValueId> nodesToRead;
  friend bool operator==(const ReadRequest&, const ReadRequest&) = default;
};

struct ReadResponse {
  static constexpr std::uint32_t kTypeId = 634;
  ResponseHeader responseHeader;
  Array<DataValue> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const ReadResponse&, const ReadResponse&) = default;
};

struct WriteValue {
  NodeId nodeId;
  std::uint32_t attributeId = attribute::kValue;
  String indexRange;
  DataValue value;
  friend bool operator==(const WriteValue&, const WriteValue&) = default;
};

struct WriteRequest {
  static constexpr std::uint32_t kTypeId = 673;
  RequestHeader requestHeader;
  Array<WriteValue> nodesToWrite;
  friend bool operator==(const WriteRequest&, const WriteRequest&) = default;
};

struct WriteResponse {
  static constexpr std::uint32_t kTypeId = 676;
  ResponseHeader responseHeader;
  Array<StatusCode> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const WriteResponse&, const WriteResponse&) = default;
};

SPINDLE_OPCUA_CODEC(ViewDescription);
SPINDLE_OPCUA_CODEC(BrowseDescription);
SPINDLE_OPCUA_CODEC(ReferenceDescription);
SPINDLE_OPCUA_CODEC(BrowseResult);
SPINDLE_OPCUA_CODEC(BrowseRequest);
SPINDLE_OPCUA_CODEC(BrowseResponse);
SPINDLE_OPCUA_CODEC(BrowseNextRequest);
SPINDLE_OPCUA_CODEC(BrowseNextResponse);
SPINDLE_OPCUA_CODEC(RelativePathElement);
SPINDLE_OPCUA_CODEC(RelativePath);
SPINDLE_OPCUA_CODEC(BrowsePath);
SPINDLE_OPCUA_CODEC(BrowsePathTarget);
SPINDLE_OPCUA_CODEC(BrowsePathResult);
SPINDLE_OPCUA_CODEC(TranslateBrowsePathsToNodeIdsRequest);
SPINDLE_OPCUA_CODEC(TranslateBrowsePathsToNodeIdsResponse);
SPINDLE_OPCUA_CODEC(ReadValueId);
SPINDLE_OPCUA_CODEC(ReadRequest);
SPINDLE_OPCUA_CODEC(ReadResponse);
SPINDLE_OPCUA_CODEC(WriteValue);
SPINDLE_OPCUA_CODEC(WriteRequest);
SPINDLE_OPCUA_CODEC(WriteResponse);

}  // namespace spindle::opcua
