#include "opcua/services_view.hpp"

#include "opcua/fields.hpp"

namespace spindle::opcua {

SPINDLE_OPCUA_FIELDS(ViewDescription, x.viewId, x.timestamp, x.viewVersion)
SPINDLE_OPCUA_FIELDS(BrowseDescription, x.nodeId, x.browseDirection, x.referenceTypeId,
                     x.includeSubtypes, x.nodeClassMask, x.resultMask)
SPINDLE_OPCUA_FIELDS(ReferenceDescription, x.referenceTypeId, x.isForward, x.nodeId, x.browseName,
                     x.displayName, x.nodeClass, x.typeDefinition)
SPINDLE_OPCUA_FIELDS(BrowseResult, x.statusCode, x.continuationPoint, x.references)
SPINDLE_OPCUA_FIELDS(BrowseRequest, x.requestHeader, x.view, x.requestedMaxReferencesPerNode,
                     x.nodesToBrowse)
SPINDLE_OPCUA_FIELDS(BrowseResponse, x.responseHeader, x.results, x.diagnosticInfos)
SPINDLE_OPCUA_FIELDS(BrowseNextRequest, x.requestHeader, x.releaseContinuationPoints,
                     x.continuationPoints)
SPINDLE_OPCUA_FIELDS(BrowseNextResponse, x.responseHeader, x.results, x.diagnosticInfos)

SPINDLE_OPCUA_FIELDS(RelativePathElement, x.referenceTypeId, x.isInverse, x.includeSubtypes,
                     x.targetName)
SPINDLE_OPCUA_FIELDS(RelativePath, x.elements)
SPINDLE_OPCUA_FIELDS(BrowsePath, x.startingNode, x.relativePath)
SPINDLE_OPCUA_FIELDS(BrowsePathTarget, x.targetId, x.remainingPathIndex)
SPINDLE_OPCUA_FIELDS(BrowsePathResult, x.statusCode, x.targets)
SPINDLE_OPCUA_FIELDS(TranslateBrowsePathsToNodeIdsRequest, x.requestHeader, x.browsePaths)
SPINDLE_OPCUA_FIELDS(TranslateBrowsePathsToNodeIdsResponse, x.responseHeader, x.results,
                     x.diagnosticInfos)

SPINDLE_OPCUA_FIELDS(ReadValueId, x.nodeId, x.attributeId, x.indexRange, x.dataEncoding)
SPINDLE_OPCUA_FIELDS(ReadRequest, x.requestHeader, x.maxAge, x.timestampsToReturn, x.nodesToRead)
SPINDLE_OPCUA_FIELDS(ReadResponse, x.responseHeader, x.results, x.diagnosticInfos)
SPINDLE_OPCUA_FIELDS(WriteValue, x.nodeId, x.attributeId, x.indexRange, x.value)
SPINDLE_OPCUA_FIELDS(WriteRequest, x.requestHeader, x.nodesToWrite)
SPINDLE_OPCUA_FIELDS(WriteResponse, x.responseHeader, x.results, x.diagnosticInfos)

}  // namespace spindle::opcua
