#pragma once
/// The subscription and monitored item services (Part 4, 5.12 and 5.13) and the notification
/// structures a PublishResponse carries.

#include "opcua/services_common.hpp"
#include "opcua/services_view.hpp"

namespace spindle::opcua {

struct CreateSubscriptionRequest {
  static constexpr std::uint32_t kTypeId = 787;
  RequestHeader requestHeader;
  double requestedPublishingInterval = 0;    ///< ms
  std::uint32_t requestedLifetimeCount = 0;  ///< >= 3 x the keep-alive count
  std::uint32_t requestedMaxKeepAliveCount = 0;
  std::uint32_t maxNotificationsPerPublish = 0;  ///< 0 = no limit
  bool publishingEnabled = true;
  std::uint8_t priority = 0;
  friend bool operator==(const CreateSubscriptionRequest&,
                         const CreateSubscriptionRequest&) = default;
};

struct CreateSubscriptionResponse {
  static constexpr std::uint32_t kTypeId = 790;
  ResponseHeader responseHeader;
  std::uint32_t subscriptionId = 0;
  double revisedPublishingInterval = 0;
  std::uint32_t revisedLifetimeCount = 0;
  std::uint32_t revisedMaxKeepAliveCount = 0;
  friend bool operator==(const CreateSubscriptionResponse&,
                         const CreateSubscriptionResponse&) = default;
};

struct ModifySubscriptionRequest {
  static constexpr std::uint32_t kTypeId = 793;
  RequestHeader requestHeader;
  std::uint32_t subscriptionId = 0;
  double requestedPublishingInterval = 0;
  std::uint32_t requestedLifetimeCount = 0;
  std::uint32_t requestedMaxKeepAliveCount = 0;
  std::uint32_t maxNotificationsPerPublish = 0;
  std::uint8_t priority = 0;
  friend bool operator==(const ModifySubscriptionRequest&,
                         const ModifySubscriptionRequest&) = default;
};

struct ModifySubscriptionResponse {
  static constexpr std::uint32_t kTypeId = 796;
  ResponseHeader responseHeader;
  double revisedPublishingInterval = 0;
  std::uint32_t revisedLifetimeCount = 0;
  std::uint32_t revisedMaxKeepAliveCount = 0;
  friend bool operator==(const ModifySubscriptionResponse&,
                         const ModifySubscriptionResponse&) = default;
};

struct DeleteSubscriptionsRequest {
  static constexpr std::uint32_t kTypeId = 847;
  RequestHeader requestHeader;
  Array<std::uint32_t> subscriptionIds;
  friend bool operator==(const DeleteSubscriptionsRequest&,
                         const DeleteSubscriptionsRequest&) = default;
};

struct DeleteSubscriptionsResponse {
  static constexpr std::uint32_t kTypeId = 850;
  ResponseHeader responseHeader;
  Array<StatusCode> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const DeleteSubscriptionsResponse&,
                         const DeleteSubscriptionsResponse&) = default;
};

struct SetPublishingModeRequest {
  static constexpr std::uint32_t kTypeId = 799;
  RequestHeader requestHeader;
  bool publishingEnabled = true;
  Array<std::uint32_t> subscriptionIds;
  friend bool operator==(const SetPublishingModeRequest&,
                         const SetPublishingModeRequest&) = default;
};

struct SetPublishingModeResponse {
  static constexpr std::uint32_t kTypeId = 802;
  ResponseHeader responseHeader;
  Array<StatusCode> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const SetPublishingModeResponse&,
                         const SetPublishingModeResponse&) = default;
};

/// The DataChangeFilter a MonitoringParameters::filter may carry (ExtensionObject body).
struct DataChangeFilter {
  static constexpr std::uint32_t kTypeId = 724;
  DataChangeTrigger trigger = DataChangeTrigger::kStatusValue;
  std::uint32_t deadbandType = 0;  ///< 0 none, 1 absolute, 2 percent
  double deadbandValue = 0;
  friend bool operator==(const DataChangeFilter&, const DataChangeFilter&) = default;
};

struct MonitoringParameters {
  std::uint32_t clientHandle = 0;  ///< echoed in every notification of the item
  double samplingInterval = 0;     ///< ms; -1 = the publishing interval
  ExtensionObject filter;
  std::uint32_t queueSize = 1;
  bool discardOldest = true;
  friend bool operator==(const MonitoringParameters&, const MonitoringParameters&) = default;
};

struct MonitoredItemCreateRequest {
  ReadValueId itemToMonitor;
  MonitoringMode monitoringMode = MonitoringMode::kReporting;
  MonitoringParameters requestedParameters;
  friend bool operator==(const MonitoredItemCreateRequest&,
                         const MonitoredItemCreateRequest&) = default;
};

struct MonitoredItemCreateResult {
  StatusCode statusCode;
  std::uint32_t monitoredItemId = 0;
  double revisedSamplingInterval = 0;
  std::uint32_t revisedQueueSize = 0;
  ExtensionObject filterResult;
  friend bool operator==(const MonitoredItemCreateResult&,
                         const MonitoredItemCreateResult&) = default;
};

struct CreateMonitoredItemsRequest {
  static constexpr std::uint32_t kTypeId = 751;
  RequestHeader requestHeader;
  std::uint32_t subscriptionId = 0;
  TimestampsToReturn timestampsToReturn = TimestampsToReturn::kBoth;
  Array<MonitoredItemCreateRequest> itemsToCreate;
  friend bool operator==(const CreateMonitoredItemsRequest&,
                         const CreateMonitoredItemsRequest&) = default;
};

struct CreateMonitoredItemsResponse {
  static constexpr std::uint32_t kTypeId = 754;
  ResponseHeader responseHeader;
  Array<MonitoredItemCreateResult> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const CreateMonitoredItemsResponse&,
                         const CreateMonitoredItemsResponse&) = default;
};

struct DeleteMonitoredItemsRequest {
  static constexpr std::uint32_t kTypeId = 781;
  RequestHeader requestHeader;
  std::uint32_t subscriptionId = 0;
  Array<std::uint32_t> monitoredItemIds;
  friend bool operator==(const DeleteMonitoredItemsRequest&,
                         const DeleteMonitoredItemsRequest&) = default;
};

struct DeleteMonitoredItemsResponse {
  static constexpr std::uint32_t kTypeId = 784;
  ResponseHeader responseHeader;
  Array<StatusCode> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const DeleteMonitoredItemsResponse&,
                         const DeleteMonitoredItemsResponse&) = default;
};

struct SubscriptionAcknowledgement {
  std::uint32_t subscriptionId = 0;
  std::uint32_t sequenceNumber = 0;
  friend bool operator==(const SubscriptionAcknowledgement&,
                         const SubscriptionAcknowledgement&) = default;
};

struct NotificationMessage {
  std::uint32_t sequenceNumber = 0;
  DateTime publishTime;
  /// DataChangeNotification, StatusChangeNotification or EventNotificationList bodies;
  /// services.hpp's decodeNotification reads them. Empty = keep-alive.
  Array<ExtensionObject> notificationData;
  friend bool operator==(const NotificationMessage&, const NotificationMessage&) = default;
};

struct MonitoredItemNotification {
  std::uint32_t clientHandle = 0;
  DataValue value;
  friend bool operator==(const MonitoredItemNotification&,
                         const MonitoredItemNotification&) = default;
};

struct DataChangeNotification {
  static constexpr std::uint32_t kTypeId = 811;
  Array<MonitoredItemNotification> monitoredItems;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const DataChangeNotification&, const DataChangeNotification&) = default;
};

struct StatusChangeNotification {
  static constexpr std::uint32_t kTypeId = 820;
  StatusCode status;  ///< e.g. BadTimeout when the subscription expired
  DiagnosticInfo diagnosticInfo;
  friend bool operator==(const StatusChangeNotification&,
                         const StatusChangeNotification&) = default;
};

struct PublishRequest {
  static constexpr std::uint32_t kTypeId = 826;
  RequestHeader requestHeader;
  Array<SubscriptionAcknowledgement> subscriptionAcknowledgements;
  friend bool operator==(const PublishRequest&, const PublishRequest&) = default;
};

struct PublishResponse {
  static constexpr std::uint32_t kTypeId = 829;
  ResponseHeader responseHeader;
  std::uint32_t subscriptionId = 0;
  Array<std::uint32_t> availableSequenceNumbers;
  bool moreNotifications = false;
  NotificationMessage notificationMessage;
  Array<StatusCode> results;  ///< one per acknowledgement of the request
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const PublishResponse&, const PublishResponse&) = default;
};

struct RepublishRequest {
  static constexpr std::uint32_t kTypeId = 832;
  RequestHeader requestHeader;
  std::uint32_t subscriptionId = 0;
  std::uint32_t retransmitSequenceNumber = 0;
  friend bool operator==(const RepublishRequest&, const RepublishRequest&) = default;
};

struct RepublishResponse {
  static constexpr std::uint32_t kTypeId = 835;
  ResponseHeader responseHeader;
  NotificationMessage notificationMessage;
  friend bool operator==(const RepublishResponse&, const RepublishResponse&) = default;
};

struct TransferResult {
  StatusCode statusCode;
  Array<std::uint32_t> availableSequenceNumbers;
  friend bool operator==(const TransferResult&, const TransferResult&) = default;
};

struct TransferSubscriptionsRequest {
  static constexpr std::uint32_t kTypeId = 841;
  RequestHeader requestHeader;
  Array<std::uint32_t> subscriptionIds;
  bool sendInitialValues = true;
  friend bool operator==(const TransferSubscriptionsRequest&,
                         const TransferSubscriptionsRequest&) = default;
};

struct TransferSubscriptionsResponse {
  static constexpr std::uint32_t kTypeId = 844;
  ResponseHeader responseHeader;
  Array<TransferResult> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const TransferSubscriptionsResponse&,
                         const TransferSubscriptionsResponse&) = default;
};

SPINDLE_OPCUA_CODEC(CreateSubscriptionRequest);
SPINDLE_OPCUA_CODEC(CreateSubscriptionResponse);
SPINDLE_OPCUA_CODEC(ModifySubscriptionRequest);
SPINDLE_OPCUA_CODEC(ModifySubscriptionResponse);
SPINDLE_OPCUA_CODEC(DeleteSubscriptionsRequest);
SPINDLE_OPCUA_CODEC(DeleteSubscriptionsResponse);
SPINDLE_OPCUA_CODEC(SetPublishingModeRequest);
SPINDLE_OPCUA_CODEC(SetPublishingModeResponse);
SPINDLE_OPCUA_CODEC(DataChangeFilter);
SPINDLE_OPCUA_CODEC(MonitoringParameters);
SPINDLE_OPCUA_CODEC(MonitoredItemCreateRequest);
SPINDLE_OPCUA_CODEC(MonitoredItemCreateResult);
SPINDLE_OPCUA_CODEC(CreateMonitoredItemsRequest);
SPINDLE_OPCUA_CODEC(CreateMonitoredItemsResponse);
SPINDLE_OPCUA_CODEC(DeleteMonitoredItemsRequest);
SPINDLE_OPCUA_CODEC(DeleteMonitoredItemsResponse);
SPINDLE_OPCUA_CODEC(SubscriptionAcknowledgement);
SPINDLE_OPCUA_CODEC(NotificationMessage);
SPINDLE_OPCUA_CODEC(MonitoredItemNotification);
SPINDLE_OPCUA_CODEC(DataChangeNotification);
SPINDLE_OPCUA_CODEC(StatusChangeNotification);
SPINDLE_OPCUA_CODEC(PublishRequest);
SPINDLE_OPCUA_CODEC(PublishResponse);
SPINDLE_OPCUA_CODEC(RepublishRequest);
SPINDLE_OPCUA_CODEC(RepublishResponse);
SPINDLE_OPCUA_CODEC(TransferResult);
SPINDLE_OPCUA_CODEC(TransferSubscriptionsRequest);
SPINDLE_OPCUA_CODEC(TransferSubscriptionsResponse);

}  // namespace spindle::opcua
