#include "state/batch_feed.hpp"

#include <algorithm>

namespace spindle::state {

BatchSubscription::BatchSubscription(std::string name, QueueLimit limit,
                                     std::function<void(BatchSubscription&)> onReady)
    : m_name(std::move(name)),
      m_limit(std::max<std::size_t>(limit.observations, 1), std::max<std::size_t>(limit.bytes, 1)),
      m_onReady(std::move(onReady)) {}

bool BatchSubscription::offer(const AppliedBatch& batch) {
  bool notify = false;
  {
    std::lock_guard lock(m_mutex);
    if (m_closed) return false;
    m_queue.push_back(batch);
    m_queued += batch.batch->size();
    m_queuedBytes += batch.bytes;
    ++m_stats.batches;
    // The oldest go first; the newest batch stays whatever its size.
    while ((m_queued > m_limit.observations || m_queuedBytes > m_limit.bytes) &&
           m_queue.size() > 1) {
      const std::size_t n = m_queue.front().batch->size();
      m_queued -= n;
      m_queuedBytes -= m_queue.front().bytes;
      ++m_stats.dropped;
      m_stats.droppedObservations += n;
      m_queue.pop_front();
    }
    notify = !m_signalled;
    m_signalled = true;
  }
  if (notify) {
    std::lock_guard lock(m_notifyMutex);
    if (!m_closed && m_onReady) m_onReady(*this);
  }
  return true;
}

std::size_t BatchSubscription::take(std::vector<AppliedBatch>& out) {
  std::lock_guard lock(m_mutex);
  const std::size_t n = m_queue.size();
  for (auto& b : m_queue) out.push_back(std::move(b));
  m_queue.clear();
  m_queued = 0;
  m_queuedBytes = 0;
  m_signalled = false;
  return n;
}

void BatchSubscription::close() {
  std::lock_guard notifyLock(m_notifyMutex);  // waits for a running onReady
  std::lock_guard lock(m_mutex);
  m_closed = true;
  m_onReady = nullptr;
  m_queue.clear();
  m_queued = 0;
  m_queuedBytes = 0;
}

bool BatchSubscription::closed() const {
  std::lock_guard lock(m_mutex);
  return m_closed;
}

SubscriptionStats BatchSubscription::stats() const {
  std::lock_guard lock(m_mutex);
  SubscriptionStats s = m_stats;
  s.queued = m_queued;
  s.queuedBytes = m_queuedBytes;
  return s;
}

std::shared_ptr<BatchSubscription> BatchFanout::subscribe(
    std::string name, QueueLimit limit, std::function<void(BatchSubscription&)> onReady) {
  auto sub = std::make_shared<BatchSubscription>(std::move(name), limit, std::move(onReady));
  std::lock_guard lock(m_mutex);
  auto next = std::make_shared<Subscribers>(*m_subscribers);
  next->push_back(sub);
  m_subscribers = std::move(next);
  return sub;
}

bool BatchFanout::empty() const {
  std::lock_guard lock(m_mutex);
  return m_subscribers->empty();
}

std::vector<std::pair<std::string, SubscriptionStats>> BatchFanout::stats() const {
  std::shared_ptr<const Subscribers> subscribers;
  {
    std::lock_guard lock(m_mutex);
    subscribers = m_subscribers;
  }
  std::vector<std::pair<std::string, SubscriptionStats>> out;
  for (const auto& sub : *subscribers) {
    if (!sub->closed()) out.emplace_back(sub->name(), sub->stats());
  }
  return out;
}

void BatchFanout::publish(std::uint64_t firstSequence, std::shared_ptr<const model::Batch> batch) {
  std::shared_ptr<const Subscribers> subscribers;
  {
    std::lock_guard lock(m_mutex);
    if (m_subscribers->empty()) return;
    subscribers = m_subscribers;
  }
  const std::size_t bytes = model::heldBytes(*batch);
  const AppliedBatch applied{firstSequence, std::move(batch), bytes};
  bool anyClosed = false;
  for (const auto& sub : *subscribers) anyClosed |= !sub->offer(applied);
  if (anyClosed) {
    std::lock_guard lock(m_mutex);
    auto next = std::make_shared<Subscribers>(*m_subscribers);
    std::erase_if(*next, [](const auto& s) { return s->closed(); });
    m_subscribers = std::move(next);
  }
}

void BatchFanout::publish(std::uint64_t firstSequence, const model::Batch& batch) {
  publish(firstSequence, std::make_shared<const model::Batch>(batch));
}

}  // namespace spindle::state
