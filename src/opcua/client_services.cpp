// ClientSession's typed services (client_session.hpp): read, browse, translate, subscriptions.
#include "opcua/client_session.hpp"

namespace spindle::opcua {

namespace {

template <typename T>
std::vector<T> toVector(Array<T>&& a) {
  return std::vector<T>(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()));
}

template <typename T>
Array<T> toArray(std::vector<T>&& v) {
  Array<T> out;
  out.assign(std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
  return out;
}

Error countMismatch(const char* what, std::size_t got, std::size_t want) {
  return Error(ErrorCode::kProtocol, std::string(what) + ": " + std::to_string(got) +
                                         " results for " + std::to_string(want) + " requests");
}

}  // namespace

void ClientSession::read(std::vector<ReadValueId> nodes, Callback<std::vector<DataValue>> done) {
  const std::size_t n = nodes.size();
  ReadRequest req;
  req.timestampsToReturn = TimestampsToReturn::kBoth;
  req.nodesToRead = toArray(std::move(nodes));
  call<ReadResponse>(std::move(req), m_config.requestTimeout,
                     [n, done = std::move(done)](Result<ReadResponse> r) {
                       if (!r) return done(std::move(r).error().with("Read"));
                       if (r->results.size() != n) {
                         return done(countMismatch("Read", r->results.size(), n));
                       }
                       done(toVector(std::move(r->results)));
                     });
}

void ClientSession::read(const std::vector<NodeId>& nodes, std::uint32_t attributeId,
                         Callback<std::vector<DataValue>> done) {
  std::vector<ReadValueId> ids;
  ids.reserve(nodes.size());
  for (const NodeId& n : nodes) {
    ReadValueId id;
    id.nodeId = n;
    id.attributeId = attributeId;
    ids.push_back(std::move(id));
  }
  read(std::move(ids), std::move(done));
}

void ClientSession::browse(BrowseDescription node,
                           Callback<std::vector<ReferenceDescription>> done) {
  BrowseRequest req;
  req.nodesToBrowse.push_back(std::move(node));
  auto acc = std::make_shared<std::vector<ReferenceDescription>>();
  call<BrowseResponse>(
      std::move(req), m_config.requestTimeout,
      [self = shared_from_this(), acc, done = std::move(done)](Result<BrowseResponse> r) mutable {
        if (!r) return done(std::move(r).error().with("Browse"));
        if (r->results.size() != 1) return done(countMismatch("Browse", r->results.size(), 1));
        BrowseResult& result = r->results.front();
        if (result.statusCode.isBad()) {
          return done(errorForStatus(result.statusCode, "Browse"));
        }
        acc->insert(acc->end(), result.references.begin(), result.references.end());
        self->browseRound(acc, std::move(result.continuationPoint), 1, std::move(done));
      });
}

void ClientSession::browseRound(std::shared_ptr<std::vector<ReferenceDescription>> acc,
                                ByteString cp, std::size_t round,
                                Callback<std::vector<ReferenceDescription>> done) {
  if (!cp || cp->empty()) return done(std::move(*acc));
  if (round > m_config.maxBrowseNext) {
    browseNext(std::move(cp), true, [](Result<BrowseResult>) {});  // release it
    return done(Error(ErrorCode::kProtocol, "Browse: still continuing after " +
                                                std::to_string(round - 1) + " BrowseNext rounds (" +
                                                std::to_string(acc->size()) + " references)"));
  }
  browseNext(std::move(cp), false,
             [self = shared_from_this(), acc, round,
              done = std::move(done)](Result<BrowseResult> r) mutable {
               if (!r) return done(std::move(r).error());
               acc->insert(acc->end(), r->references.begin(), r->references.end());
               self->browseRound(acc, std::move(r->continuationPoint), round + 1, std::move(done));
             });
}

void ClientSession::browseNext(ByteString continuationPoint, bool release,
                               Callback<BrowseResult> done) {
  BrowseNextRequest req;
  req.releaseContinuationPoints = release;
  req.continuationPoints.push_back(std::move(continuationPoint));
  call<BrowseNextResponse>(std::move(req), m_config.requestTimeout,
                           [done = std::move(done)](Result<BrowseNextResponse> r) {
                             if (!r) return done(std::move(r).error().with("BrowseNext"));
                             if (r->results.size() != 1) {
                               return done(countMismatch("BrowseNext", r->results.size(), 1));
                             }
                             BrowseResult& result = r->results.front();
                             if (result.statusCode.isBad()) {
                               return done(errorForStatus(result.statusCode, "BrowseNext"));
                             }
                             done(std::move(result));
                           });
}

void ClientSession::translateBrowsePaths(std::vector<BrowsePath> paths,
                                         Callback<std::vector<BrowsePathResult>> done) {
  const std::size_t n = paths.size();
  TranslateBrowsePathsToNodeIdsRequest req;
  req.browsePaths = toArray(std::move(paths));
  call<TranslateBrowsePathsToNodeIdsResponse>(
      std::move(req), m_config.requestTimeout,
      [n, done = std::move(done)](Result<TranslateBrowsePathsToNodeIdsResponse> r) {
        if (!r) return done(std::move(r).error().with("TranslateBrowsePathsToNodeIds"));
        if (r->results.size() != n) {
          return done(countMismatch("TranslateBrowsePathsToNodeIds", r->results.size(), n));
        }
        done(toVector(std::move(r->results)));
      });
}

void ClientSession::readNamespaceArray(Callback<std::vector<std::string>> done) {
  constexpr std::uint32_t kNamespaceArray = 2255;
  read({NodeId(0, kNamespaceArray)}, attribute::kValue,
       [self = shared_from_this(), done = std::move(done)](Result<std::vector<DataValue>> r) {
         if (!r) return done(std::move(r).error().with("reading the NamespaceArray"));
         const DataValue& v = r->front();
         if (v.status && v.status->isBad()) {
           return done(errorForStatus(*v.status, "reading the NamespaceArray"));
         }
         const auto* uris = v.value ? std::get_if<std::vector<String>>(&v.value->value) : nullptr;
         if (uris == nullptr) {
           return done(Error(ErrorCode::kProtocol, "the NamespaceArray is not a String array"));
         }
         std::vector<std::string> out;
         for (const String& s : *uris) out.push_back(s.value_or(""));
         self->m_namespaces = out;
         done(std::move(out));
       });
}

std::optional<std::uint16_t> ClientSession::namespaceIndex(std::string_view uri) const {
  for (std::size_t i = 0; i < m_namespaces.size() && i <= 0xFFFF; ++i) {
    if (m_namespaces[i] == uri) return static_cast<std::uint16_t>(i);
  }
  return std::nullopt;
}

void ClientSession::createSubscription(CreateSubscriptionRequest request,
                                       Callback<CreateSubscriptionResponse> done) {
  call<CreateSubscriptionResponse>(std::move(request), m_config.requestTimeout,
                                   [done = std::move(done)](Result<CreateSubscriptionResponse> r) {
                                     if (!r)
                                       return done(std::move(r).error().with("CreateSubscription"));
                                     done(std::move(r));
                                   });
}

void ClientSession::createMonitoredItems(std::uint32_t subscriptionId,
                                         std::vector<MonitoredItemCreateRequest> items,
                                         Callback<CreateMonitoredItemsResponse> done) {
  const std::size_t n = items.size();
  CreateMonitoredItemsRequest req;
  req.subscriptionId = subscriptionId;
  req.timestampsToReturn = TimestampsToReturn::kBoth;
  req.itemsToCreate = toArray(std::move(items));
  call<CreateMonitoredItemsResponse>(
      std::move(req), m_config.requestTimeout,
      [n, done = std::move(done)](Result<CreateMonitoredItemsResponse> r) {
        if (!r) return done(std::move(r).error().with("CreateMonitoredItems"));
        if (r->results.size() != n) {
          return done(countMismatch("CreateMonitoredItems", r->results.size(), n));
        }
        done(std::move(r));
      });
}

ExtensionObject ClientSession::dataChangeFilter(DataChangeTrigger trigger,
                                                std::uint32_t deadbandType, double deadbandValue) {
  DataChangeFilter f;
  f.trigger = trigger;
  f.deadbandType = deadbandType;
  f.deadbandValue = deadbandValue;
  return toExtensionObject(f);
}

void ClientSession::deleteSubscriptions(std::vector<std::uint32_t> ids,
                                        Callback<DeleteSubscriptionsResponse> done) {
  DeleteSubscriptionsRequest req;
  req.subscriptionIds = toArray(std::move(ids));
  call<DeleteSubscriptionsResponse>(std::move(req), m_config.requestTimeout, std::move(done));
}

void ClientSession::publish(std::vector<SubscriptionAcknowledgement> acks, Duration timeout,
                            Callback<PublishResponse> done) {
  PublishRequest req;
  req.subscriptionAcknowledgements = toArray(std::move(acks));
  call<PublishResponse>(std::move(req), timeout, std::move(done));
}

void ClientSession::republish(std::uint32_t subscriptionId, std::uint32_t sequenceNumber,
                              Callback<NotificationMessage> done) {
  RepublishRequest req;
  req.subscriptionId = subscriptionId;
  req.retransmitSequenceNumber = sequenceNumber;
  call<RepublishResponse>(std::move(req), m_config.requestTimeout,
                          [done = std::move(done)](Result<RepublishResponse> r) {
                            if (!r) return done(std::move(r).error().with("Republish"));
                            done(std::move(r->notificationMessage));
                          });
}

void ClientSession::transferSubscriptions(std::vector<std::uint32_t> ids, bool sendInitialValues,
                                          Callback<TransferSubscriptionsResponse> done) {
  TransferSubscriptionsRequest req;
  req.subscriptionIds = toArray(std::move(ids));
  req.sendInitialValues = sendInitialValues;
  call<TransferSubscriptionsResponse>(std::move(req), m_config.requestTimeout, std::move(done));
}

}  // namespace spindle::opcua
