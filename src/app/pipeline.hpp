#pragma once
/// The pipeline stage between collectors and the journal: a bounded queue of batches and one
/// worker thread, the journal's writer, that runs each machine's adapter script over its
/// batches (transform/), updates the state store and appends the result to the journal. Uplinks
/// read from the journal through their consumers (journal/consumer). When the journal cannot take a
/// batch (policy block and full, or writes failing), the worker holds it and retries; the queue
/// fills and collectors pause reading (tryPush false).

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

#include "journal/journal.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"
#include "state/state_store.hpp"
#include "transform/script_runner.hpp"

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
           const model::ItemCatalog& catalog, const Clock& clock);
  ~Pipeline();

  /// Runs `runner` over every batch of `machine` (a batch holds one machine's observations,
  /// as a collector emits them); null runs none. Any thread, also while running: the worker
  /// takes the change before its next batch, so call it before the machine's collector starts.
  void setScript(model::MachineId machine, std::unique_ptr<transform::ScriptRunner> runner);
  /// Flags ORed into every observation as it passes (the untrusted-clock flag while the clock
  /// check says so). Call before start().
  void setFlagSource(std::function<std::uint8_t()> flags) { m_flags = std::move(flags); }

  /// Takes the batch (leaving it empty) unless the queue is full. Any thread.
  bool tryPush(model::Batch& batch);

  void start();
  /// Journals what is queued (waiting at most `drainFor` for a journal that refuses), commits,
  /// then joins the worker. Idempotent.
  void stop(Duration drainFor = std::chrono::seconds(2));

  PipelineStats stats() const;
  /// The script statistics of `machine`; nullopt when it runs no script. Any thread.
  std::optional<transform::ScriptStats> scriptStats(model::MachineId machine) const;

  /// Sees every batch once it is applied to the state (the NATS high-frequency channel, which
  /// does not wait for the journal). It runs on the worker and must not block. Any thread;
  /// after setTap({}) returns, the previous tap is not running and never runs again.
  void setTap(std::function<void(const model::Batch&)> tap);

 private:
  void run();
  /// Script (unless the batch is already a script's output), flags, state, journal for one
  /// batch, in place. False when stop came first.
  bool process(model::Batch& batch, bool runScript = true);
  /// Installs the scripts setScript() handed over. Worker thread.
  void applyScriptChanges();
  /// Runs the scripts' due timers; returns how long until the next one.
  Duration tickScripts();
  bool append(const model::Batch& batch);

  std::size_t m_capacity;
  state::StateStore& m_state;
  journal::Journal& m_journal;
  const model::ItemCatalog& m_catalog;
  const Clock& m_clock;
  std::shared_ptr<spdlog::logger> m_log;
  std::map<model::MachineId, std::unique_ptr<transform::ScriptRunner>> m_scripts;  ///< worker's
  mutable std::mutex m_scriptsMutex;  ///< held by the worker to change m_scripts; by readers
  std::vector<std::pair<model::MachineId, std::unique_ptr<transform::ScriptRunner>>>
      m_pendingScripts;  ///< under m_mutex
  std::function<std::uint8_t()> m_flags;
  model::Batch m_scriptOut;

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
