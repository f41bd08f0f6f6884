#pragma once
/// The pipeline stage between collectors and uplinks: a bounded queue of batches and one
/// worker thread that updates the state store and hands each batch to every uplink.
/// (Transform scripts and the journal slot in here as they land.)

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "model/observation.hpp"
#include "state/state_store.hpp"
#include "uplinks/uplink.hpp"

namespace spindle::app {

struct PipelineStats {
  std::uint64_t accepted = 0;   ///< observations taken from collectors
  std::uint64_t delivered = 0;  ///< observations every uplink answered Ok for
  std::uint64_t rejected = 0;   ///< observations an uplink rejected
  std::uint64_t refused = 0;    ///< tryPush calls refused because the queue was full
  std::uint64_t queued = 0;     ///< observations waiting now
};

class Pipeline {
 public:
  /// `capacity` bounds the observations waiting in the queue.
  Pipeline(std::size_t capacity, state::StateStore& state, std::vector<uplinks::Uplink*> uplinks);
  ~Pipeline();

  /// Takes the batch (leaving it empty) unless the queue is full. Any thread.
  bool tryPush(model::Batch& batch);

  void start();
  /// Processes what is queued (one more attempt per uplink), then joins the worker.
  void stop();

  PipelineStats stats() const;

 private:
  void run();
  void deliver(const model::Batch& batch);

  std::size_t m_capacity;
  state::StateStore& m_state;
  std::vector<uplinks::Uplink*> m_uplinks;
  std::shared_ptr<spdlog::logger> m_log;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<model::Batch> m_queue;
  std::size_t m_queued = 0;
  bool m_stopping = false;
  std::thread m_worker;
  std::atomic<std::uint64_t> m_accepted{0}, m_delivered{0}, m_rejected{0}, m_refused{0};
};

}  // namespace spindle::app
