#pragma once
/// Following the stream: the batches the pipeline applies to the state store, offered to any
/// number of subscribers (the NATS high-frequency channel, the MTConnect interface, later the
/// page's live view). Each subscriber has its own bounded queue: one that falls behind loses
/// its oldest batches, counted, and never blocks the pipeline nor grows memory.
///
/// A subscriber is told when its queue gains a batch after being empty (onReady) and takes
/// what is queued on its own thread (take). The batch is shared, not copied, between the
/// subscribers; it is immutable once offered.

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/observation.hpp"

namespace spindle::state {

/// One batch as the state store applied it: its observations have the sequence numbers
/// firstSequence, firstSequence + 1, ... (StateStore::apply numbers them in order).
struct AppliedBatch {
  std::uint64_t firstSequence = 0;
  std::shared_ptr<const model::Batch> batch;  ///< never null
  std::size_t bytes = 0;                      ///< model::heldBytes(*batch)
};

/// What a subscriber's queue may hold: observations, and the bytes they hold
/// (model::heldBytes, so a source of long texts cannot fill memory through it).
struct QueueLimit {
  QueueLimit(std::size_t count,  // NOLINT: a count alone bounds observations only
             std::size_t memory = std::numeric_limits<std::size_t>::max())
      : observations(count), bytes(memory) {}
  std::size_t observations;
  std::size_t bytes;
};

struct SubscriptionStats {
  std::uint64_t batches = 0;  ///< batches offered to this subscriber
  std::uint64_t dropped = 0;  ///< batches dropped, oldest first, because the queue was full
  std::uint64_t droppedObservations = 0;  ///< their observations
  std::size_t queued = 0;                 ///< observations waiting now
  std::size_t queuedBytes = 0;            ///< the bytes they hold
};

/// One subscriber's bounded queue. Created by BatchFeed::subscribe; shared by the feed (which
/// offers) and the subscriber (which takes). All methods: any thread.
class BatchSubscription {
 public:
  /// `limit` bounds the observations waiting and their bytes (the newest batch is always
  /// kept, however large). `onReady(*this)` runs on the publisher's thread when the queue gains a
  /// batch after being empty (or after take emptied it): it must not block nor call close() or
  /// BatchFeed::subscribe; it may take() (when what it does with the batches is as quick as
  /// a copy) or post to the subscriber's own thread. Empty: no call, poll take().
  BatchSubscription(std::string name, QueueLimit limit,
                    std::function<void(BatchSubscription&)> onReady);

  /// Moves the queued batches, oldest first, to the end of `out`; the next offer calls
  /// onReady again. Returns how many it moved.
  std::size_t take(std::vector<AppliedBatch>& out);

  /// Ends the subscription: after close() returns, onReady is not running and never runs
  /// again, and the feed offers nothing more (it forgets the subscription on its next
  /// offer). Idempotent. Must not be called from onReady.
  void close();
  bool closed() const;

  SubscriptionStats stats() const;
  const std::string& name() const { return m_name; }

  /// The publisher's side (BatchFanout): queues `batch`, dropping the oldest beyond the
  /// capacity, and calls onReady when the queue was empty. False when closed.
  bool offer(const AppliedBatch& batch);

 private:
  const std::string m_name;
  const QueueLimit m_limit;
  mutable std::mutex m_mutex;  ///< guards the queue and the figures
  std::deque<AppliedBatch> m_queue;
  std::size_t m_queued = 0;
  std::size_t m_queuedBytes = 0;
  bool m_signalled = false;  ///< onReady ran and take has not run since
  SubscriptionStats m_stats;
  std::mutex m_notifyMutex;  ///< held while onReady runs, so close() waits for it
  std::function<void(BatchSubscription&)> m_onReady;  ///< under m_notifyMutex
  bool m_closed = false;                              ///< under m_notifyMutex and m_mutex
};

/// Where subscribers follow the applied batches (app::Pipeline implements it).
class BatchFeed {
 public:
  virtual ~BatchFeed() = default;
  /// A new subscriber that sees every batch applied from now on (see BatchSubscription for
  /// `limit` and `onReady`). The caller closes it to stop following; the feed holds only
  /// a share, so either may go first. Any thread, also while batches flow.
  virtual std::shared_ptr<BatchSubscription> subscribe(
      std::string name, QueueLimit limit, std::function<void(BatchSubscription&)> onReady) = 0;
};

/// The publisher's side of a BatchFeed: the subscribers and the offer to each of them.
class BatchFanout : public BatchFeed {
 public:
  std::shared_ptr<BatchSubscription> subscribe(
      std::string name, QueueLimit limit, std::function<void(BatchSubscription&)> onReady) override;
  /// True when someone subscribes (so the publisher can skip sharing a copy). Any thread.
  bool empty() const;
  /// Each open subscriber's name and figures (drops included), in the order they subscribed.
  /// Any thread.
  std::vector<std::pair<std::string, SubscriptionStats>> stats() const;
  /// Offers `batch` to every open subscriber, forgetting the closed ones. One publisher
  /// thread at a time; it never waits for a subscriber, only for the short queue locks.
  /// The subscribers share the batch (never null): nobody may change it from now on.
  void publish(std::uint64_t firstSequence, std::shared_ptr<const model::Batch> batch);
  /// Offers a copy of `batch`.
  void publish(std::uint64_t firstSequence, const model::Batch& batch);

 private:
  using Subscribers = std::vector<std::shared_ptr<BatchSubscription>>;
  mutable std::mutex m_mutex;
  /// Replaced, never changed in place, so a publish takes the list without copying it.
  std::shared_ptr<const Subscribers> m_subscribers = std::make_shared<const Subscribers>();
};

}  // namespace spindle::state
