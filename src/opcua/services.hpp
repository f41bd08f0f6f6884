#pragma once
/// The service messages a client sends and receives, and the framing of one message body:
/// the NodeId of the message's DefaultBinary encoding, then its fields (Part 6, 5.2.2.15
/// and 6.7.2: a message body in a chunk starts with that NodeId).

#include <span>
#include <variant>

#include "opcua/services_common.hpp"
#include "opcua/services_session.hpp"
#include "opcua/services_subscription.hpp"
#include "opcua/services_view.hpp"

namespace spindle::opcua {

/// Every message this stack knows, requests and responses.
using Message = std::variant<
    ServiceFault, OpenSecureChannelRequest, OpenSecureChannelResponse, CloseSecureChannelRequest,
    CloseSecureChannelResponse, GetEndpointsRequest, GetEndpointsResponse, CreateSessionRequest,
    CreateSessionResponse, ActivateSessionRequest, ActivateSessionResponse, CloseSessionRequest,
    CloseSessionResponse, BrowseRequest, BrowseResponse, BrowseNextRequest, BrowseNextResponse,
    TranslateBrowsePathsToNodeIdsRequest, TranslateBrowsePathsToNodeIdsResponse, ReadRequest,
    ReadResponse, WriteRequest, WriteResponse, CreateSubscriptionRequest,
    CreateSubscriptionResponse, ModifySubscriptionRequest, ModifySubscriptionResponse,
    DeleteSubscriptionsRequest, DeleteSubscriptionsResponse, SetPublishingModeRequest,
    SetPublishingModeResponse, CreateMonitoredItemsRequest, CreateMonitoredItemsResponse,
    DeleteMonitoredItemsRequest, DeleteMonitoredItemsResponse, PublishRequest, PublishResponse,
    RepublishRequest, RepublishResponse, TransferSubscriptionsRequest,
    TransferSubscriptionsResponse>;

/// Appends the message's type NodeId and fields to `w` (e.g. straight into a chunk buffer).
template <typename T>
void encodeMessage(Writer& w, const T& message) {
  encode(w, NodeId(0, T::kTypeId));
  encode(w, message);
}

/// The message's type NodeId and fields as a fresh byte vector.
template <typename T>
Bytes encodeMessage(const T& message) {
  Bytes out;
  Writer w(out);
  encodeMessage(w, message);
  return out;
}

/// Encodes whichever message `m` holds.
Bytes encodeMessage(const Message& m);

/// Reads the type NodeId and the message it names from a whole message body. An unknown
/// type id ("unknown message type i=123"), malformed fields or trailing bytes are kProtocol
/// errors with the offset; `baseOffset` is added to offsets (the body's place in a chunk).
Result<Message> decodeMessage(std::span<const std::uint8_t> body, std::size_t baseOffset = 0);

/// The name of the message type ("ReadResponse").
const char* messageName(const Message& m);

/// A structure as an ExtensionObject with a binary body (identity tokens, filters).
template <typename T>
ExtensionObject toExtensionObject(const T& value) {
  ExtensionObject out;
  out.typeId = NodeId(0, T::kTypeId);
  out.encoding = ExtensionObject::Encoding::kBinary;
  Writer w(out.body);
  encode(w, value);
  return out;
}

/// The structure in an ExtensionObject's binary body; kProtocol when the type id is not
/// T's or the body does not decode exactly.
template <typename T>
Result<T> fromExtensionObject(const ExtensionObject& eo) {
  if (eo.typeId != NodeId(0, T::kTypeId) || eo.encoding != ExtensionObject::Encoding::kBinary) {
    return Error(ErrorCode::kProtocol, "ExtensionObject " + eo.typeId.toString() +
                                           " is not the expected i=" + std::to_string(T::kTypeId));
  }
  return decodeAll<T>(eo.body);
}

/// A NotificationMessage entry this client does not decode (EventNotificationList, or a
/// type it does not know): kept as its type id only.
struct SkippedNotification {
  NodeId typeId;
  friend bool operator==(const SkippedNotification&, const SkippedNotification&) = default;
};

using Notification =
    std::variant<DataChangeNotification, StatusChangeNotification, SkippedNotification>;

/// Decodes one NotificationMessage::notificationData entry. Event notifications and unknown
/// types are SkippedNotification (not an error); a known type that does not decode is.
Result<Notification> decodeNotification(const ExtensionObject& eo);

/// Well-known encoding ids of notification bodies not decoded here.
inline constexpr std::uint32_t kEventNotificationListTypeId = 916;

}  // namespace spindle::opcua
