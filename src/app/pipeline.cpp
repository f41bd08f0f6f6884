#include "app/pipeline.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace spindle::app {

Pipeline::Pipeline(std::size_t capacity, state::StateStore& state,
                   std::vector<uplinks::Uplink*> uplinks)
    : m_capacity(std::max<std::size_t>(1, capacity)),
      m_state(state),
      m_uplinks(std::move(uplinks)),
      m_log(makeLogger("pipeline")) {}

Pipeline::~Pipeline() { stop(); }

bool Pipeline::tryPush(model::Batch& batch) {
  if (batch.empty()) return true;
  {
    std::lock_guard lock(m_mutex);
    // An empty queue takes any batch, so one oversized batch can never wedge a collector.
    if (m_stopping || (m_queued > 0 && m_queued + batch.size() > m_capacity)) {
      m_refused.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    m_queued += batch.size();
    m_accepted.fetch_add(batch.size(), std::memory_order_relaxed);
    m_queue.push_back(std::move(batch));
  }
  batch.clear();
  m_wake.notify_one();
  return true;
}

void Pipeline::start() {
  if (m_worker.joinable()) return;
  m_worker = std::thread([this] { run(); });
}

void Pipeline::stop() {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping && !m_worker.joinable()) return;
    m_stopping = true;
  }
  m_wake.notify_all();
  if (m_worker.joinable()) m_worker.join();
}

void Pipeline::run() {
  while (true) {
    model::Batch batch;
    {
      std::unique_lock lock(m_mutex);
      m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
      if (m_queue.empty()) return;  // stopping and drained
      batch = std::move(m_queue.front());
      m_queue.pop_front();
    }
    m_state.apply(batch);
    deliver(batch);
    std::lock_guard lock(m_mutex);
    m_queued -= batch.size();
  }
}

void Pipeline::deliver(const model::Batch& batch) {
  for (auto* uplink : m_uplinks) {
    auto delay = std::chrono::milliseconds(100);
    while (true) {
      const auto result = uplink->send(batch);
      if (result == uplinks::SendResult::kOk) {
        m_delivered.fetch_add(batch.size(), std::memory_order_relaxed);
        break;
      }
      if (result == uplinks::SendResult::kReject) {
        m_rejected.fetch_add(batch.size(), std::memory_order_relaxed);
        m_log->error("uplink {} rejected a batch of {} observations", uplink->name(), batch.size());
        break;
      }
      // Retry: the queue fills meanwhile and collectors slow down; nothing grows unbounded.
      std::unique_lock lock(m_mutex);
      if (m_stopping) {
        m_log->error("stopping while uplink {} still fails: {} observations not delivered",
                     uplink->name(), batch.size());
        return;
      }
      m_wake.wait_for(lock, delay, [this] { return m_stopping; });
      delay = std::min(delay * 2, std::chrono::milliseconds(5000));
    }
  }
}

PipelineStats Pipeline::stats() const {
  PipelineStats s;
  s.accepted = m_accepted.load();
  s.delivered = m_delivered.load();
  s.rejected = m_rejected.load();
  s.refused = m_refused.load();
  std::lock_guard lock(m_mutex);
  s.queued = m_queued;
  return s;
}

}  // namespace spindle::app
