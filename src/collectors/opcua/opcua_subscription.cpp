// The subscription side of OpcuaSession (opcua_session.hpp): creating or taking over the
// subscription, the Publish loop with acknowledgements and Republish, the watchdog, polling.

#include <algorithm>
#include <cmath>

#include "collectors/opcua/opcua_session.hpp"
#include "opcua/services.hpp"
#include "opcua/status_codes.hpp"

namespace spindle::collectors::opcua {

namespace {

Duration millis(double ms) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::milli>(ms));
}

/// The longest run of missing sequence numbers asked for again; more is counted as lost.
constexpr std::uint32_t kMaxRepublish = 100;

}  // namespace

Duration OpcuaSession::keepaliveTime() const {
  return millis(m_revisedPublishingMs * std::max<std::uint32_t>(m_revisedKeepalive, 1));
}

void OpcuaSession::transferOrSubscribe(Gen gen) {
  if (m_subscriptionId == 0) return subscribe(gen);
  // A new session: the server may still hold the old one's subscription (the session timed
  // out, the server did not restart). Taking it over keeps its queue.
  const std::uint32_t old = m_subscriptionId;
  m_client->transferSubscriptions(
      {old}, true,
      [self = shared_from_this(), gen, old](Result<ua::TransferSubscriptionsResponse> r) {
        if (self->stale(gen)) return;
        const bool moved = r && !r->results.empty() && r->results.front().statusCode.isGood();
        if (!moved) {
          const std::string why = !r ? r.error().message()
                                  : r->results.empty()
                                      ? std::string("no result")
                                      : ua::describe(r->results.front().statusCode);
          if (auto h = self->m_handler.lock()) {
            h->onNotice(spdlog::level::info, "subscription " + std::to_string(old) +
                                                 " could not be taken over (" + why +
                                                 "): creating a new one");
          }
          self->m_subscriptionId = 0;
          return self->subscribe(gen);
        }
        self->count(&SessionStats::transfers);
        if (auto h = self->m_handler.lock()) {
          h->onNotice(spdlog::level::info,
                      "took subscription " + std::to_string(old) + " over in the new session");
        }
        self->goUp(gen);
        if (self->stale(gen)) return;
        self->m_lastHeard = std::chrono::steady_clock::now();
        self->fillPublish();
        self->armWatchdog();
      });
}

void OpcuaSession::subscribe(Gen gen) {
  ua::CreateSubscriptionRequest req;
  req.requestedPublishingInterval = m_settings.publishingIntervalMs;
  req.requestedMaxKeepAliveCount = m_settings.keepaliveCount;
  // Lifetime: at least 3 keep-alives (Part 4), and long enough to outlive the session, so a
  // subscription can be taken over by the next session.
  const double sessionMs = m_settings.client.sessionTimeoutMs;
  const auto forSession =
      static_cast<std::uint32_t>(std::ceil(sessionMs / m_settings.publishingIntervalMs)) + 1;
  req.requestedLifetimeCount =
      std::min<std::uint32_t>(std::max(3 * m_settings.keepaliveCount, forSession), 1'000'000);
  m_client->createSubscription(req, [self = shared_from_this(),
                                     gen](Result<ua::CreateSubscriptionResponse> r) {
    if (self->stale(gen)) return;
    if (!r) return self->goDown(std::move(r).error().with("creating the subscription"));
    self->count(&SessionStats::subscriptionsCreated);
    self->m_subscriptionId = r->subscriptionId;
    self->m_revisedPublishingMs = r->revisedPublishingInterval;
    self->m_revisedKeepalive = r->revisedMaxKeepAliveCount;
    self->m_lastSequence = 0;
    self->m_acks.clear();
    std::vector<std::size_t> nodes;
    for (std::size_t i = 0; i < self->m_nodes.size(); ++i) {
      if (self->m_nodes[i]) nodes.push_back(i);
    }
    self->createItems(gen, std::move(nodes), 0, self->m_settings.deadbandType != 0, [self, gen] {
      self->goUp(gen);
      if (self->stale(gen)) return;
      self->m_lastHeard = std::chrono::steady_clock::now();
      self->fillPublish();
      self->armWatchdog();
    });
  });
}

void OpcuaSession::createItems(Gen gen, std::vector<std::size_t> nodes, std::size_t from,
                               bool withFilter, std::function<void()> next) {
  if (from >= nodes.size()) return next();
  const std::size_t to = std::min(nodes.size(), from + m_settings.maxNodesPerRequest);
  std::vector<ua::MonitoredItemCreateRequest> items;
  for (std::size_t k = from; k < to; ++k) {
    ua::MonitoredItemCreateRequest item;
    item.itemToMonitor.nodeId = *m_nodes[nodes[k]];
    auto& p = item.requestedParameters;
    p.clientHandle = static_cast<std::uint32_t>(nodes[k]);
    p.samplingInterval = m_settings.samplingIntervalMs;
    p.queueSize = m_settings.queueSize;
    p.discardOldest = true;
    if (withFilter) {
      p.filter = ua::ClientSession::dataChangeFilter(
          ua::DataChangeTrigger::kStatusValue, m_settings.deadbandType, m_settings.deadbandValue);
    }
    items.push_back(std::move(item));
  }
  m_client->createMonitoredItems(
      m_subscriptionId, std::move(items),
      [self = shared_from_this(), gen, nodes = std::move(nodes), from, to, withFilter,
       next = std::move(next)](Result<ua::CreateMonitoredItemsResponse> r) mutable {
        if (self->stale(gen)) return;
        if (!r) return self->goDown(std::move(r).error().with("creating monitored items"));
        auto handler = self->m_handler.lock();
        std::vector<std::size_t> unfiltered;  // nodes that refuse a deadband: without it
        for (std::size_t k = from; k < to; ++k) {
          const std::size_t i = nodes[k];
          const auto* result = k - from < r->results.size() ? &r->results[k - from] : nullptr;
          if (result != nullptr && result->statusCode.isGood()) continue;
          const std::string why =
              result == nullptr ? "the server left it out" : ua::describe(result->statusCode);
          if (withFilter &&
              (why == "BadFilterNotAllowed" || why == "BadMonitoredItemFilterUnsupported" ||
               why == "BadDeadbandFilterInvalid")) {
            unfiltered.push_back(i);
            continue;
          }
          if (handler) handler->onNodeProblem(i, "the server refused to monitor it (" + why + ")");
        }
        auto rest = [self, gen, nodes = std::move(nodes), to, withFilter,
                     next = std::move(next)]() mutable {
          self->createItems(gen, std::move(nodes), to, withFilter, std::move(next));
        };
        if (unfiltered.empty()) return rest();
        // Text, booleans and nodes without a range take no deadband: monitor them without.
        self->createItems(gen, std::move(unfiltered), 0, false, std::move(rest));
      });
}

void OpcuaSession::rebuildSubscription(const std::string& why) {
  if (m_state != State::kUp) return;
  if (auto h = m_handler.lock()) {
    h->onNotice(spdlog::level::warn, why + ": rebuilding the subscription");
  }
  const Gen gen = ++m_gen;  // outstanding Publish callbacks of the old one are dropped
  if (m_subscriptionId != 0) {
    // Best effort: a server that lost it answers BadSubscriptionIdInvalid, which is fine.
    m_client->deleteSubscriptions(
        {m_subscriptionId}, [](const Result<ua::DeleteSubscriptionsResponse>& r) { (void)r; });
  }
  m_subscriptionId = 0;
  m_outstanding = 0;
  m_probing = false;
  m_watchdog.cancel();
  m_state = State::kConnecting;
  subscribe(gen);
}

void OpcuaSession::fillPublish() {
  while (m_state == State::kUp && !m_paused && m_subscriptionId != 0 &&
         m_outstanding < m_publishTarget) {
    auto acks = std::move(m_acks);
    m_acks.clear();
    ++m_outstanding;
    // The server holds a Publish until it has data or a keep-alive is due.
    const Duration timeout = keepaliveTime() + m_settings.requestTimeout;
    m_client->publish(
        acks, timeout,
        [self = shared_from_this(), gen = m_gen, acks](Result<ua::PublishResponse> r) mutable {
          self->onPublish(gen, std::move(r), std::move(acks));
        });
  }
}

void OpcuaSession::onPublish(Gen gen, Result<ua::PublishResponse> r,
                             std::vector<ua::SubscriptionAcknowledgement> acks) {
  if (stale(gen)) return;
  if (m_outstanding > 0) --m_outstanding;
  if (!r) {
    const Error& e = r.error();
    if (e.code() == ErrorCode::kUnavailable && !says(e, "Bad")) return;  // the channel: goDown
    if (says(e, "BadTooManyPublishRequests")) {
      m_publishTarget = std::max<std::size_t>(1, m_outstanding);
      return;
    }
    // The acknowledgements of a failed request were not delivered: send them again.
    m_acks.insert(m_acks.end(), acks.begin(), acks.end());
    if (says(e, "BadSessionIdInvalid") || says(e, "BadSessionClosed")) return goDown(e);
    if (says(e, "BadNoSubscription") || says(e, "BadSubscriptionIdInvalid")) {
      return rebuildSubscription("the server has no subscription for us (" + e.message() + ")");
    }
    // A timeout or another refusal: the watchdog's tick sends the next request.
    return;
  }
  m_lastHeard = std::chrono::steady_clock::now();
  count(&SessionStats::publishes);
  if (r->subscriptionId == m_subscriptionId) {
    const auto& message = r->notificationMessage;
    const std::uint32_t seq = message.sequenceNumber;
    if (message.notificationData.empty()) {
      count(&SessionStats::keepalives);
      // A keep-alive carries the number the next message will have.
      if (m_lastSequence != 0 && seq > m_lastSequence + 1) recoverGap(m_lastSequence + 1, seq);
    } else {
      m_acks.push_back({m_subscriptionId, seq});
      if (m_lastSequence == 0 || seq > m_lastSequence) {
        if (m_lastSequence != 0 && seq > m_lastSequence + 1) recoverGap(m_lastSequence + 1, seq);
        m_lastSequence = seq;
        deliver(message, false);
      }
    }
  }
  fillPublish();
}

void OpcuaSession::recoverGap(std::uint32_t from, std::uint32_t to) {
  if (to - from > kMaxRepublish) {
    count(&SessionStats::lost, to - from - kMaxRepublish);
    from = to - kMaxRepublish;
  }
  m_lastSequence = std::max(m_lastSequence, to - 1);
  for (std::uint32_t seq = from; seq < to; ++seq) {
    m_client->republish(m_subscriptionId, seq,
                        [self = shared_from_this(), gen = m_gen, sub = m_subscriptionId,
                         seq](Result<ua::NotificationMessage> r) {
                          if (self->stale(gen)) return;
                          if (!r) {
                            self->count(&SessionStats::lost);
                            if (auto h = self->m_handler.lock()) {
                              h->onNotice(spdlog::level::warn,
                                          "notification " + std::to_string(seq) + " was lost (" +
                                              r.error().message() + "): values in it are missing");
                            }
                            return;
                          }
                          self->count(&SessionStats::republished);
                          self->m_acks.push_back({sub, seq});
                          self->deliver(*r, true);
                        });
  }
}

void OpcuaSession::deliver(const ua::NotificationMessage& message, bool late) {
  auto handler = m_handler.lock();
  if (!handler) return;
  std::uint64_t values = 0;
  for (const auto& data : message.notificationData) {
    auto n = ua::decodeNotification(data);
    if (!n) {
      handler->onNotice(spdlog::level::warn,
                        "a notification did not decode: " + n.error().describe());
      continue;
    }
    if (const auto* change = std::get_if<ua::DataChangeNotification>(&*n)) {
      for (const auto& item : change->monitoredItems) {
        if (item.clientHandle >= m_tags.size()) continue;  // not ours
        handler->onValue(item.clientHandle, item.value, late);
        ++values;
      }
    } else if (const auto* status = std::get_if<ua::StatusChangeNotification>(&*n)) {
      if (status->status.isBad()) {
        handler->onValuesEnd();
        count(&SessionStats::notifications, values);
        return rebuildSubscription("the subscription ended (" + ua::describe(status->status) + ")");
      }
    }
  }
  count(&SessionStats::notifications, values);
  handler->onValuesEnd();
}

void OpcuaSession::armWatchdog() {
  m_watchdog.expires_after(std::chrono::seconds(1));
  m_watchdog.async_wait([weak = weak_from_this(), gen = m_gen](const auto& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stale(gen)) return;
    self->onWatchdog();
    if (!self->stale(gen)) self->armWatchdog();
  });
}

void OpcuaSession::onWatchdog() {
  if (m_state != State::kUp || m_paused) return;
  fillPublish();
  const Duration silentAfter = 2 * keepaliveTime() + m_settings.requestTimeout;
  if (!m_probing && std::chrono::steady_clock::now() - m_lastHeard > silentAfter) probe(m_gen);
}

void OpcuaSession::probe(Gen gen) {
  m_probing = true;
  count(&SessionStats::reads);
  const Duration silentFor =
      std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - m_lastHeard);
  m_client->read(
      {ua::NodeId(0, 2259u)}, ua::attribute::kValue,
      [self = shared_from_this(), gen, silentFor](Result<std::vector<ua::DataValue>> r) {
        if (self->stale(gen)) return;
        self->m_probing = false;
        const std::string quiet = "no data and no keep-alive for " + formatDuration(silentFor);
        if (!r) {
          return self->goDown(
              Error(ErrorCode::kTimeout, "the server stopped answering (" + quiet +
                                             ", and a read failed: " + r.error().message() + ")"));
        }
        self->count(&SessionStats::silent);
        self->rebuildSubscription("the subscription went silent (" + quiet +
                                  " while the server answers reads)");
      });
}

void OpcuaSession::readAll(Gen gen, std::size_t from, std::function<void()> next) {
  std::vector<ua::ReadValueId> ids;
  std::vector<std::size_t> asked;
  std::size_t at = from;
  for (; at < m_nodes.size() && ids.size() < m_settings.maxNodesPerRequest; ++at) {
    if (!m_nodes[at]) continue;
    ua::ReadValueId id;
    id.nodeId = *m_nodes[at];
    ids.push_back(std::move(id));
    asked.push_back(at);
  }
  if (ids.empty()) return next();
  count(&SessionStats::reads);
  m_client->read(std::move(ids),
                 [self = shared_from_this(), gen, at, asked,
                  next = std::move(next)](Result<std::vector<ua::DataValue>> r) mutable {
                   if (self->stale(gen)) return;
                   if (!r) return self->goDown(std::move(r).error().with("reading the nodes"));
                   if (auto h = self->m_handler.lock()) {
                     for (std::size_t k = 0; k < asked.size() && k < r->size(); ++k) {
                       h->onValue(asked[k], (*r)[k], false);
                     }
                     h->onValuesEnd();
                   }
                   self->readAll(gen, at, std::move(next));
                 });
}

void OpcuaSession::armPoll() {
  m_pollTimer.expires_after(m_settings.pollInterval);
  m_pollTimer.async_wait([weak = weak_from_this(), gen = m_gen](const auto& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stale(gen)) return;
    self->armPoll();
    if (self->m_pollBusy || self->m_paused) return;
    self->m_pollBusy = true;
    self->readAll(gen, 0, [self, gen] {
      if (!self->stale(gen)) self->m_pollBusy = false;
    });
  });
}

}  // namespace spindle::collectors::opcua
