#pragma once
/// The glue between a collector's session and the pipeline, the same for every protocol: the
/// batch waiting to be emitted, pause and resume when the pipeline is full (the pipeline calls
/// back when it has room: no timer, no polling), the machine's input limits, the
/// connection_status item, UNAVAILABLE for every item when the source is gone, and
/// rate-limited logs of rejected input with their count.
///
/// Thread: one per collector connection, used on the collector's strand only, except stop()
/// (any thread). Owned by the collector's connection object (held in a shared_ptr).

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "base/log_limiter.hpp"
#include "collectors/collector.hpp"
#include "collectors/guarded_input.hpp"

namespace spindle::collectors {

/// Name of the item every collector reports its connection on (MTConnect CONNECTION_STATUS
/// values: ESTABLISHED, CLOSED).
inline constexpr std::string_view kConnectionKey = "connection_status";

class Emitter {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  /// Interns the connection_status item of the context's machine. No I/O, nothing registered.
  Emitter(CollectorContext& ctx, Strand strand, InputLimits limits);
  ~Emitter();
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  /// Registers with the pipeline. When a flush() was refused, `onResume` runs on the strand
  /// after the pipeline took the pending batch (the collector resumes reading or sends what
  /// waited). `owner` is the object holding this emitter: a resume that finds it gone does
  /// nothing, so no callback reaches a destroyed collector.
  void start(std::weak_ptr<void> owner, std::function<void()> onResume);
  /// No emit happens after it returns; the pipeline's callback is removed (it waits for one
  /// running). Idempotent; any thread.
  void stop();
  bool stopped() const;

  /// Filters `batch` by the machine's input limits (`itemsRefused`: the codec's own count of
  /// refused new items) and moves what is left to the pending batch.
  void append(model::Batch& batch, std::uint64_t itemsRefused);
  /// Adds one observation the collector makes itself (not filtered by the input limits).
  void push(model::Observation observation) { m_pending.push_back(std::move(observation)); }
  /// Adds connection_status = ESTABLISHED.
  void connected();
  /// The source is gone: every known item (but assets) UNAVAILABLE, then connection_status =
  /// CLOSED. Conditions are forgotten by the input limits.
  void disconnected(const std::vector<std::pair<model::ItemId, model::Kind>>& knownItems);

  /// Offers the pending batch to the pipeline. True when it was taken (or nothing waits);
  /// false when stopped, or when the pipeline is full: then the collector stops reading and
  /// `onResume` follows once the batch is taken.
  bool flush();

  /// Logs rejected input (the caller escapes network text with printable()), at most a burst
  /// per minute, and counts it.
  template <typename... Args>
  void reject(spdlog::format_string_t<Args...> format, Args&&... args) {
    ++m_rejected;
    m_rejectLog.log(*m_ctx.logger(), spdlog::level::warn, format, std::forward<Args>(args)...);
  }
  /// Rejections since the start.
  std::uint64_t rejected() const { return m_rejected; }
  /// Observations waiting for the pipeline.
  std::size_t pendingSize() const { return m_pending.size(); }

 private:
  void pushStatus(const char* status);
  /// The pipeline has room (strand).
  void onRoom();

  CollectorContext& m_ctx;
  Strand m_strand;
  Result<model::ItemId> m_connectionItem;  ///< refused only when the catalog is full
  GuardedInput m_guard;
  model::Batch m_pending;
  std::weak_ptr<void> m_owner;
  std::function<void()> m_onResume;
  mutable std::mutex m_mutex;  ///< orders flush() against stop()
  bool m_stopped = false;
  bool m_started = false;
  bool m_paused = false;  ///< a flush was refused; resume once the batch is taken
  std::uint64_t m_rejected = 0;
  LogLimiter m_rejectLog;
};

}  // namespace spindle::collectors
