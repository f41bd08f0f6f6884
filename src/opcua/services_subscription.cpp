#include "opcua/services_subscription.hpp"

#include "opcua/fields.hpp"

namespace spindle::opcua {

SPINDLE_OPCUA_FIELDS(CreateSubscriptionRequest, x.requestHeader, x.requestedPublishingInterval,
                     x.requestedLifetimeCount, x.requestedMaxKeepAliveCount,
                     x.maxNotificationsPerPublish, x.publishingEnabled, x.priority)
SPINDLE_OPCUA_FIELDS(CreateSubscriptionResponse, x.responseHeader, x.subscriptionId,
                     x.revisedPublishingInterval, x.revisedLifetimeCount,
                     x.revisedMaxKeepAliveCount)
SPINDLE_OPCUA_FIELDS(ModifySubscriptionRequest, x.requestHeader, x.subscriptionId,
                     x.requestedPublishingInterval, x.requestedLifetimeCount,
                     x.requestedMaxKeepAliveCount, x.maxNotificationsPerPublish, x.priority)
SPINDLE_OPCUA_FIELDS(ModifySubscriptionResponse, x.responseHeader, x.revisedPublishingInterval,
                     x.revisedLifetimeCount, x.revisedMaxKeepAliveCount)
SPINDLE_OPCUA_FIELDS(DeleteSubscriptionsRequest, x.requestHeader, x.subscriptionIds)
SPINDLE_OPCUA_FIELDS(DeleteSubscriptionsResponse, x.responseHeader, x.results, x.diagnosticInfos)
SPINDLE_OPCUA_FIELDS(SetPublishingModeRequest, x.requestHeader, x.publishingEnabled,
                     x.subscriptionIds)
SPINDLE_OPCUA_FIELDS(SetPublishingModeResponse, x.responseHeader, x.results, x.diagnosticInfos)

SPINDLE_OPCUA_FIELDS(DataChangeFilter, x.trigger, x.deadbandType, x.deadbandValue)
SPINDLE_OPCUA_FIELDS(MonitoringParameters, x.clientHandle, x.samplingInterval, x.filter,
                     x.queueSize, x.discardOldest)
SPINDLE_OPCUA_FIELDS(MonitoredItemCreateRequest, x.itemToMonitor, x.monitoringMode,
                     x.requestedParameters)
SPINDLE_OPCUA_FIELDS(MonitoredItemCreateResult, x.statusCode, x.monitoredItemId,
                     x.revisedSamplingInterval, x.revisedQueueSize, x.filterResult)
SPINDLE_OPCUA_FIELDS(CreateMonitoredItemsRequest, x.requestHeader, x.subscriptionId,
                     x.timestampsToReturn, x.itemsToCreate)
SPINDLE_OPCUA_FIELDS(CreateMonitoredItemsResponse, x.responseHeader, x.results, x.diagnosticInfos)
SPINDLE_OPCUA_FIELDS(DeleteMonitoredItemsRequest, x.requestHeader, x.subscriptionId,
                     x.monitoredItemIds)
SPINDLE_OPCUA_FIELDS(DeleteMonitoredItemsResponse, x.responseHeader, x.results, x.diagnosticInfos)

SPINDLE_OPCUA_FIELDS(SubscriptionAcknowledgement, x.subscriptionId, x.sequenceNumber)
SPINDLE_OPCUA_FIELDS(NotificationMessage, x.sequenceNumber, x.publishTime, x.notificationData)
SPINDLE_OPCUA_FIELDS(MonitoredItemNotification, x.clientHandle, x.value)
SPINDLE_OPCUA_FIELDS(DataChangeNotification, x.monitoredItems, x.diagnosticInfos)
SPINDLE_OPCUA_FIELDS(StatusChangeNotification, x.status, x.diagnosticInfo)
SPINDLE_OPCUA_FIELDS(PublishRequest, x.requestHeader, x.subscriptionAcknowledgements)
SPINDLE_OPCUA_FIELDS(PublishResponse, x.responseHeader, x.subscriptionId,
                     x.availableSequenceNumbers, x.moreNotifications, x.notificationMessage,
                     x.results, x.diagnosticInfos)
SPINDLE_OPCUA_FIELDS(RepublishRequest, x.requestHeader, x.subscriptionId,
                     x.retransmitSequenceNumber)
SPINDLE_OPCUA_FIELDS(RepublishResponse, x.responseHeader, x.notificationMessage)
SPINDLE_OPCUA_FIELDS(TransferResult, x.statusCode, x.availableSequenceNumbers)
SPINDLE_OPCUA_FIELDS(TransferSubscriptionsRequest, x.requestHeader, x.subscriptionIds,
                     x.sendInitialValues)
SPINDLE_OPCUA_FIELDS(TransferSubscriptionsResponse, x.responseHeader, x.results, x.diagnosticInfos)

}  // namespace spindle::opcua
