#include "collectors/emitter.hpp"

#include <boost/asio/post.hpp>

namespace spindle::collectors {

Emitter::Emitter(CollectorContext& ctx, Strand strand, InputLimits limits)
    : m_ctx(ctx),
      m_strand(std::move(strand)),
      m_connectionItem(ctx.catalog().intern(ctx.machine(), kConnectionKey)),
      m_guard(ctx, limits) {}

Emitter::~Emitter() { stop(); }

void Emitter::start(std::weak_ptr<void> owner, std::function<void()> onResume) {
  m_owner = owner;
  m_onResume = std::move(onResume);
  {
    std::lock_guard lock(m_mutex);
    if (m_stopped) return;
    m_started = true;
  }
  // Runs on the pipeline's thread: only hop onto the strand, where the owner is checked.
  m_ctx.setRoomListener([strand = m_strand, owner = std::move(owner), this] {
    boost::asio::post(strand, [owner, this] {
      if (auto keep = owner.lock()) onRoom();
    });
  });
}

void Emitter::stop() {
  bool registered = false;
  {
    std::lock_guard lock(m_mutex);
    if (m_stopped) return;
    m_stopped = true;
    registered = m_started;
  }
  if (registered) m_ctx.setRoomListener({});
}

bool Emitter::stopped() const {
  std::lock_guard lock(m_mutex);
  return m_stopped;
}

void Emitter::append(model::Batch& batch, std::uint64_t itemsRefused) {
  m_guard.filter(batch, itemsRefused);
  if (m_pending.empty()) {
    m_pending.swap(batch);
  } else {
    std::move(batch.begin(), batch.end(), std::back_inserter(m_pending));
  }
  batch.clear();
}

// Queues connection_status (nothing when the catalog refused the item).
void Emitter::pushStatus(const char* status) {
  if (!m_connectionItem.ok()) return;
  m_pending.push_back(model::Observation{m_ctx.machine(), *m_connectionItem, m_ctx.clock().now(),
                                         model::Kind::kEvent, model::kFlagArrivalTime,
                                         std::string(status)});
}

void Emitter::connected() { pushStatus("ESTABLISHED"); }

void Emitter::disconnected(const std::vector<std::pair<model::ItemId, model::Kind>>& knownItems) {
  m_guard.forgetConditions();
  const TimestampNs now = m_ctx.clock().now();
  for (const auto& [id, kind] : knownItems) {
    if (kind == model::Kind::kAsset) continue;  // an asset stays what it was
    m_pending.push_back(model::Observation{m_ctx.machine(), id, now, kind, model::kFlagArrivalTime,
                                           model::Unavailable{}});
  }
  pushStatus("CLOSED");
}

bool Emitter::flush() {
  std::lock_guard lock(m_mutex);
  if (m_stopped) return false;
  if (m_pending.empty() || m_ctx.tryEmit(m_pending)) return true;
  // The pipeline noted the refusal under its lock, so its call back cannot be missed; it runs
  // on this strand, after this returns.
  m_paused = true;
  return false;
}

void Emitter::onRoom() {
  if (!m_paused) return;
  if (!flush()) return;  // still full (the batch grew): the pipeline calls again
  m_paused = false;
  if (m_onResume) m_onResume();
}

}  // namespace spindle::collectors
