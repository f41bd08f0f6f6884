#pragma once
/// The pipeline stage between collectors and the journal: a bounded queue of batches and one
/// worker thread, the journal's writer, that updates the state store and appends each batch
/// to the journal. Uplinks read from the journal through their consumers (journal/consumer).
/// When the journal cannot take a batch (policy block and full, or writes failing), the
/// worker holds it and retries; the queue fills and collectors pause reading (tryPush false).

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include <spdlog/logger.h>

#include "journal/journal.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"
#include "state/state_store.hpp"

namespace spindle::app {

struct PipelineStats {
  std::uint64_t accepted = 0;   ///< observations taken from collectors
  std::uint64_t journaled = 0;  ///< observations appended to the journal
  std::uint64_t refused = 0;    ///< tryPush calls refused because the queue was full
  std::uint64_t queued = 0;     ///< observations waiting now
  std::uint64_t lost = 0;       ///< observations that could not be journaled before stop
  bool holding = false;         ///< the journal refuses the batch at hand (full or failing)
};

class Pipeline {
 public:
  /// `capacity` bounds the observations waiting in the queue. The journal and catalog must
  /// outlive the pipeline; this pipeline's worker is the journal's only writer.
  Pipeline(std::size_t capacity, state::StateStore& state, journal::Journal& journal,
           const model::ItemCatalog& catalog);
  ~Pipeline();

  /// Takes the batch (leaving it empty) unless the queue is full. Any thread.
  bool tryPush(model::Batch& batch);

  void start();
  /// Journals what is queued (waiting at most `drainFor` for a journal that refuses), commits,
  /// then joins the worker. Idempotent.
  void stop(Duration drainFor = std::chrono::seconds(2));

  PipelineStats stats() const;

  /// Sees every batch once it is applied to the state (the NATS high-frequency channel, which
  /// does not wait for the journal). It runs on the worker and must not block. Any thread;
  /// after setTap({}) returns, the previous tap is not running and never runs again.
  void setTap(std::function<void(const model::Batch&)> tap);

 private:
  void run();
  bool append(const model::Batch& batch);

  std::size_t m_capacity;
  state::StateStore& m_state;
  journal::Journal& m_journal;
  const model::ItemCatalog& m_catalog;
  std::shared_ptr<spdlog::logger> m_log;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<model::Batch> m_queue;
  std::size_t m_queued = 0;
  bool m_stopping = false;
  std::chrono::steady_clock::time_point m_stopDeadline{};
  std::thread m_worker;
  std::atomic<std::uint64_t> m_accepted{0}, m_journaled{0}, m_refused{0}, m_lost{0};
  std::atomic<bool> m_holding{false};
  std::mutex m_tapMutex;
  std::function<void(const model::Batch&)> m_tap;
};

}  // namespace spindle::app
