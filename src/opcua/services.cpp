#include "opcua/services.hpp"

#include <utility>

#include "opcua/fields.hpp"

namespace spindle::opcua {

SPINDLE_OPCUA_FIELDS(RequestHeader, x.authenticationToken, x.timestamp, x.requestHandle,
                     x.returnDiagnostics, x.auditEntryId, x.timeoutHint, x.additionalHeader)
SPINDLE_OPCUA_FIELDS(ResponseHeader, x.timestamp, x.requestHandle, x.serviceResult,
                     x.serviceDiagnostics, x.stringTable, x.additionalHeader)
SPINDLE_OPCUA_FIELDS(ServiceFault, x.responseHeader)

namespace {

constexpr const char* kNames[] = {"ServiceFault",
                                  "OpenSecureChannelRequest",
                                  "OpenSecureChannelResponse",
                                  "CloseSecureChannelRequest",
                                  "CloseSecureChannelResponse",
                                  "GetEndpointsRequest",
                                  "GetEndpointsResponse",
                                  "CreateSessionRequest",
                                  "CreateSessionResponse",
                                  "ActivateSessionRequest",
                                  "ActivateSessionResponse",
                                  "CloseSessionRequest",
                                  "CloseSessionResponse",
                                  "BrowseRequest",
                                  "BrowseResponse",
                                  "BrowseNextRequest",
                                  "BrowseNextResponse",
                                  "TranslateBrowsePathsToNodeIdsRequest",
                                  "TranslateBrowsePathsToNodeIdsResponse",
                                  "ReadRequest",
                                  "ReadResponse",
                                  "WriteRequest",
                                  "WriteResponse",
                                  "CreateSubscriptionRequest",
                                  "CreateSubscriptionResponse",
                                  "ModifySubscriptionRequest",
                                  "ModifySubscriptionResponse",
                                  "DeleteSubscriptionsRequest",
                                  "DeleteSubscriptionsResponse",
                                  "SetPublishingModeRequest",
                                  "SetPublishingModeResponse",
                                  "CreateMonitoredItemsRequest",
                                  "CreateMonitoredItemsResponse",
                                  "DeleteMonitoredItemsRequest",
                                  "DeleteMonitoredItemsResponse",
                                  "PublishRequest",
                                  "PublishResponse",
                                  "RepublishRequest",
                                  "RepublishResponse",
                                  "TransferSubscriptionsRequest",
                                  "TransferSubscriptionsResponse"};
static_assert(std::size(kNames) == std::variant_size_v<Message>);

/// Decodes the alternative whose kTypeId is `id` into `out`; false when none has it.
template <std::size_t... I>
bool decodeById(std::uint32_t id, Reader& r, Message& out, std::index_sequence<I...>) {
  return ((id == std::variant_alternative_t<I, Message>::kTypeId
               ? (decode(r, out.emplace<I>()), true)
               : false) ||
          ...);
}

}  // namespace

Bytes encodeMessage(const Message& m) {
  return std::visit([](const auto& x) { return encodeMessage(x); }, m);
}

const char* messageName(const Message& m) { return kNames[m.index()]; }

Result<Message> decodeMessage(std::span<const std::uint8_t> body, std::size_t baseOffset) {
  Reader r(body, baseOffset);
  NodeId type;
  decode(r, type);
  if (!r.ok()) return std::move(r.error()).with("reading the message type NodeId");
  const auto id = type.ns0Numeric();
  Message out;
  if (!id || !decodeById(*id, r, out, std::make_index_sequence<std::variant_size_v<Message>>{})) {
    return Error(ErrorCode::kProtocol, "unknown message type " + type.toString());
  }
  if (r.ok() && !r.atEnd()) {
    r.fail(std::to_string(r.remaining()) + " bytes after the message");
  }
  if (!r.ok()) return std::move(r.error()).with(std::string("decoding ") + messageName(out));
  return out;
}

Result<Notification> decodeNotification(const ExtensionObject& eo) {
  const auto id = eo.typeId.ns0Numeric();
  if (id == DataChangeNotification::kTypeId) {
    auto n = fromExtensionObject<DataChangeNotification>(eo);
    if (!n) return std::move(n).error().with("decoding a DataChangeNotification");
    return Notification(std::move(*n));
  }
  if (id == StatusChangeNotification::kTypeId) {
    auto n = fromExtensionObject<StatusChangeNotification>(eo);
    if (!n) return std::move(n).error().with("decoding a StatusChangeNotification");
    return Notification(std::move(*n));
  }
  return Notification(SkippedNotification{eo.typeId});
}

}  // namespace spindle::opcua
