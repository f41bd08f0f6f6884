#pragma once
/// The pipeline stage between collectors and the journal: a bounded queue of batches and one
/// worker thread, the journal's writer, that runs each machine's adapter script over its
/// batches (transform/), updates the state store and appends the result to the journal. Uplinks
/// read from the journal through their consumers (journal/consumer). When the journal cannot take a
/// batch (policy block and full, or writes failing), the worker holds it and retries; the queue
/// fills and collectors pause reading (tryPush false).
///
/// Fair share: each machine has its own queue inside the bound, and the worker takes one batch
/// per machine in turn (more small ones while they add up to no more than another machine's
/// last turn took, so many small batches are not served slower than one large one). A machine with
/// nothing queued may always queue one batch; a machine with batches waiting may hold at most
/// capacity / (machines with batches waiting). The same holds for memory: the queue holds at
/// most `memory` bytes of batches (model::heldBytes: long texts and assets count for what
/// they hold), a machine with batches waiting its share of it. So a flooding machine is paused (its
/// tryPush fails) while the others keep their place, and a healthy machine's batch waits for at
/// most one batch of each other machine.
///
/// Pause and resume: a machine whose tryPush was refused is told when its share has room for
/// the batch it offered (setRoomListener), as Fluent Bit resumes a paused input: nobody polls.
///
/// Wake-ups: a push wakes the worker only when it sleeps. A worker that has just found batches
/// waiting naps a few milliseconds when the queue runs dry instead of sleeping, and takes what
/// arrived meanwhile in one go: a fleet of thousands pushes a batch every few microseconds, and
/// one wake per batch cost more than the batch. A stalled sender or a queue a quarter full
/// wakes it from the nap.

#include <algorithm>
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
#include "state/batch_feed.hpp"
#include "state/state_store.hpp"
#include "transform/script_runner.hpp"

namespace spindle::app {

struct PipelineStats {
  std::uint64_t accepted = 0;     ///< observations taken from collectors
  std::uint64_t journaled = 0;    ///< observations appended to the journal
  std::uint64_t refused = 0;      ///< tryPush calls refused because the queue was full
  std::uint64_t queued = 0;       ///< observations waiting now
  std::uint64_t queuedBytes = 0;  ///< the memory they hold (model::heldBytes)
  std::uint64_t lost = 0;         ///< observations that could not be journaled before stop
  std::uint64_t duplicates = 0;   ///< left out by the duplicate filter
  bool holding = false;           ///< the journal refuses the batch at hand (full or failing)
};

class Pipeline : public state::BatchFeed {
 public:
  /// `limit` bounds the observations waiting in the queue and the bytes they hold
  /// (state.queue_size, state.queue_memory). The journal and catalog must outlive the
  /// pipeline; this pipeline's worker is the journal's only writer.
  Pipeline(state::QueueLimit limit, state::StateStore& state, journal::Journal& journal,
           const model::ItemCatalog& catalog, const Clock& clock);
  ~Pipeline() override;

  /// Runs `runner` over every batch of `machine` (a batch holds one machine's observations,
  /// as a collector emits them); null runs none. Any thread, also while running: the worker
  /// takes the change before its next batch, so call it before the machine's collector starts.
  void setScript(model::MachineId machine, std::unique_ptr<transform::ScriptRunner> runner);
  /// Flags ORed into every observation as it passes (the untrusted-clock flag while the clock
  /// check says so). Call before start().
  void setFlagSource(std::function<std::uint8_t()> flags) { m_flags = std::move(flags); }
  /// Receives, on the worker thread, the writes a machine's script asks for (its `writes`
  /// section), in order; it must not block (post to the collector). Without one they are
  /// dropped. Call before start().
  using WriteSink =
      std::function<void(model::MachineId machine, std::vector<transform::WriteRequest> writes)>;
  void setWriteSink(WriteSink sink) { m_writeSink = std::move(sink); }
  /// Leaves out samples and events equal to their item's latest value before anything sees
  /// them (journal.filter_duplicates). Call before start().
  void setDuplicateFilter(bool on) { m_filterDuplicates = on; }
  /// Calls `beat` on the worker thread at least every `every` while the worker goes round
  /// (between batches, while it waits for one, while it holds one the journal refuses), and
  /// never while it is stuck: the service watchdog's ping, so a wedged pipeline gets the
  /// process restarted. It must be quick and must not call into this pipeline. Call before
  /// start().
  void setHeartbeat(std::function<void()> beat, Duration every) {
    m_beat = std::move(beat);
    m_beatEvery = std::max<Duration>(every, std::chrono::milliseconds(1));
  }

  /// Takes the batch (leaving it empty) unless the queue, or the machine's share of it, is
  /// full. A batch holds one machine's observations (its first names the machine). Any thread.
  bool tryPush(model::Batch& batch);
  /// Observations of `machine` waiting now. Any thread.
  std::size_t queued(model::MachineId machine) const;

  /// Calls `onRoom` on the worker thread once a batch of `machine` that tryPush refused would
  /// fit (once per refusal; never after stop began). It must not block nor call back into
  /// this pipeline's listener methods: post to the collector's own executor. Replaces the
  /// previous listener; an empty function removes it. Any thread; after it returns the
  /// previous listener is not running and never runs again (stop-safe).
  void setRoomListener(model::MachineId machine, std::function<void()> onRoom);

  void start();
  /// Journals what is queued (waiting at most `drainFor` for a journal that refuses), commits,
  /// then joins the worker. Idempotent.
  void stop(Duration drainFor = std::chrono::seconds(2));

  PipelineStats stats() const;
  /// The script statistics of `machine`; nullopt when it runs no script. Any thread.
  std::optional<transform::ScriptStats> scriptStats(model::MachineId machine) const;

  /// The machine's observations as its collector sent them, before its script: the latest
  /// per key, captured while someone watches (the machine's page lists a machine's raw keys).
  /// watchRaw() starts the capture, or extends it, for `span`; rawValues() gives what it
  /// caught so far, by key (nothing before the collector sends again). Unwatched, the worker
  /// pays one relaxed load per batch. Bounded by the machine's key limit. Any thread.
  void watchRaw(model::MachineId machine, Duration span);
  std::vector<model::Observation> rawValues(model::MachineId machine) const;

  /// Follows every batch once it is applied to the state, before the journal has it (the
  /// NATS high-frequency channel, the MTConnect interface). Each subscriber has its own
  /// bounded queue (state/batch_feed.hpp); the worker offers and never waits for one. Any
  /// thread, also while running.
  std::shared_ptr<state::BatchSubscription> subscribe(
      std::string name, state::QueueLimit limit,
      std::function<void(state::BatchSubscription&)> onReady) override {
    return m_fanout.subscribe(std::move(name), limit, std::move(onReady));
  }
  /// Every open subscription's figures (batches dropped for a slow subscriber). Any thread.
  std::vector<std::pair<std::string, state::SubscriptionStats>> subscriptions() const {
    return m_fanout.stats();
  }

 private:
  void run();
  /// Script (unless the batch is already a script's output), flags, state, subscribers,
  /// journal for one batch; takes the batch (left empty). False when stop came first.
  bool process(model::Batch& batch, bool runScript = true);
  /// Installs the scripts setScript() handed over. Worker thread.
  void applyScriptChanges();
  /// Runs the scripts' due timers; returns how long until the next one.
  Duration tickScripts();
  void handOverWrites(model::MachineId machine, transform::ScriptRunner& runner);
  /// Calls the heartbeat when it is due; returns how long until the next one.
  Duration beatIfDue();
  void dropDuplicates(model::Batch& batch);
  bool append(const model::Batch& batch);
  /// Keeps the latest raw observation of each watched machine's keys. Worker thread.
  void captureRaw(const model::Batch& batch);

  /// Observations and the bytes they hold (model::heldBytes), counted together.
  struct Load {
    std::size_t observations = 0;
    std::size_t bytes = 0;
    Load& operator+=(const Load& o) {
      observations += o.observations;
      bytes += o.bytes;
      return *this;
    }
    /// Takes `o` away, never below zero.
    Load& operator-=(const Load& o) {
      observations -= std::min(o.observations, observations);
      bytes -= std::min(o.bytes, bytes);
      return *this;
    }
  };
  static Load loadOf(const model::Batch& batch) {
    return Load{batch.size(), model::heldBytes(batch)};
  }

  const Load m_limit;  ///< the queue's bound: queue_size and queue_memory
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
  WriteSink m_writeSink;
  bool m_filterDuplicates = false;
  std::function<void()> m_beat;
  Duration m_beatEvery{};
  std::chrono::steady_clock::time_point m_nextBeat{};     ///< worker's
  std::vector<std::optional<model::Value>> m_lastValues;  ///< worker's: by item, when filtering
  model::Batch m_scriptOut;
  /// Worker's: no script timer is due before this (the earliest deadline seen, lowered as
  /// batches move a script's deadline; 0: look at every script). Without it every batch
  /// would visit every machine's script: quadratic in a fleet.
  TimestampNs m_scriptsDue = 0;

  /// A machine's batches waiting, oldest first: a ring that grows by doubling (a std::deque
  /// allocates about 600 bytes up front, for every machine of a fleet).
  class BatchRing {
   public:
    struct Entry {
      model::Batch batch;
      std::size_t bytes = 0;  ///< model::heldBytes(batch) when it was queued
    };
    bool empty() const { return m_count == 0; }
    Entry& front() { return m_slots[m_head]; }
    void push_back(Entry&& entry);
    void pop_front();

   private:
    std::vector<Entry> m_slots;
    std::size_t m_head = 0;
    std::size_t m_count = 0;
  };
  struct MachineQueue {
    BatchRing batches;
    Load queued;               ///< counting the batch the worker has at hand
    Load waitingFor;           ///< the batch tryPush refused; no observations: not waiting
    std::size_t lastTurn = 0;  ///< observations taken on its last turn
  };
  /// The queue of `machine`, made on first use. Under m_mutex.
  MachineQueue& queueOf(model::MachineId machine);
  /// A stalled sender or a filling queue: the worker must not nap through it. Under m_mutex.
  bool urgent() const {
    return !m_waiters.empty() || m_queued.observations > m_limit.observations / 4 ||
           m_queued.bytes > m_limit.bytes / 4;
  }
  /// Whether a machine's queue `q` must refuse `add` while the whole queue holds `total` and
  /// `busy` machines (with `q`'s) have batches waiting: never when `q` holds none. Under m_mutex.
  bool refuses(const MachineQueue& q, const Load& add, const Load& total, std::size_t busy) const;
  /// The next batch in turn, or false when none waits. Under m_mutex.
  bool takeNext(model::Batch& batch);
  /// The worker is done with `taken` observations of `machine`. Under m_mutex.
  void release(model::MachineId machine, const Load& taken);
  /// Moves the waiting machines whose refused batch now fits into m_roomFor, oldest refusal
  /// first, counting each one's batch as taken (no herd: one release wakes only as many
  /// senders as it makes room for). Under m_mutex.
  void collectRoom();
  /// Calls the room listeners of m_roomFor. Worker thread, not under m_mutex.
  void notifyRoom();

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::vector<MachineQueue> m_queues;  ///< by MachineId (dense, from the catalog)
  /// The worker waits for a push (tryPush wakes it). While it naps, busy, it is not woken
  /// per batch: it takes what arrived when the nap ends (see run()).
  bool m_sleeping = false;
  bool m_napping = false;                ///< worker's: the last wait ended with batches waiting
  std::deque<model::MachineId> m_turns;  ///< machines with batches waiting, in turn order
  std::size_t m_busyMachines = 0;        ///< machines with queued > 0
  Load m_queued;
  std::deque<model::MachineId> m_waiters;   ///< machines with waitingFor > 0, oldest first
  std::vector<model::MachineId> m_roomFor;  ///< worker's: listeners to call
  bool m_turnOpen = false;                  ///< the front machine's turn goes on (takeNext)
  std::size_t m_turnTaken = 0;              ///< observations taken in the open turn
  std::size_t m_turnQuota = 0;     ///< what the open turn may take in all, beyond its first batch
  model::MachineId m_current = 0;  ///< machine of the batch at hand (worker)
  Load m_currentTaken;             ///< its load when taken; none for a script timer's output
  bool m_stopping = false;
  std::chrono::steady_clock::time_point m_stopDeadline{};
  std::thread m_worker;
  std::atomic<std::uint64_t> m_accepted{0}, m_journaled{0}, m_refused{0}, m_lost{0};
  std::atomic<std::uint64_t> m_duplicates{0};
  std::atomic<bool> m_holding{false};
  std::mutex m_listenerMutex;  ///< held while listeners run, so removing one waits for it
  std::map<model::MachineId, std::function<void()>> m_roomListeners;
  state::BatchFanout m_fanout;

  struct RawTap {
    TimestampNs until = 0;  ///< m_clock time the capture ends
    std::map<model::ItemId, model::Observation> latest;
  };
  mutable std::mutex m_rawMutex;
  std::map<model::MachineId, RawTap> m_rawTaps;  ///< under m_rawMutex
  std::atomic<bool> m_rawWatched{false};         ///< some tap is open
};

}  // namespace spindle::app
