#include "app/pipeline.hpp"

#include <algorithm>

#include "base/grow.hpp"
#include "base/log.hpp"
#include "base/thread_name.hpp"
#include "model/same_value.hpp"

namespace spindle::app {

namespace {
constexpr Duration kMaxRetryWait = std::chrono::milliseconds(50);
/// A busy worker's nap: the most a batch waits before the worker looks again.
constexpr Duration kNap = std::chrono::milliseconds(5);
}  // namespace

Pipeline::Pipeline(state::QueueLimit limit, state::StateStore& state, journal::Journal& journal,
                   const model::ItemCatalog& catalog, const Clock& clock)
    : m_limit{std::max<std::size_t>(1, limit.observations), std::max<std::size_t>(1, limit.bytes)},
      m_state(state),
      m_journal(journal),
      m_catalog(catalog),
      m_clock(clock),
      m_log(makeLogger("pipeline")) {}

Pipeline::~Pipeline() { stop(); }

bool Pipeline::tryPush(model::Batch& batch) {
  if (batch.empty()) return true;
  const model::MachineId machine = batch.front().machine;
  const Load load = loadOf(batch);
  bool wake = false;
  {
    std::lock_guard lock(m_mutex);
    MachineQueue& q = queueOf(machine);
    // A machine with nothing queued always gets one batch in (so one oversized batch can
    // never wedge a collector, and a flood elsewhere never shuts a machine out); one with
    // batches waiting is held to the bound and to its share of it.
    if (m_stopping || refuses(q, load, m_queued, m_busyMachines)) {
      m_refused.fetch_add(1, std::memory_order_relaxed);
      if (!m_stopping) {
        if (q.waitingFor.observations == 0) m_waiters.push_back(machine);
        q.waitingFor = load;
      }
      return false;
    }
    if (q.queued.observations == 0) ++m_busyMachines;
    if (q.batches.empty()) m_turns.push_back(machine);
    q.queued += load;
    m_queued += load;
    m_accepted.fetch_add(batch.size(), std::memory_order_relaxed);
    q.batches.push_back({std::move(batch), load.bytes});
    wake = m_sleeping || urgent();
  }
  batch.clear();
  if (wake) m_wake.notify_one();
  return true;
}

std::size_t Pipeline::queued(model::MachineId machine) const {
  std::lock_guard lock(m_mutex);
  return machine < m_queues.size() ? m_queues[machine].queued.observations : 0;
}

bool Pipeline::refuses(const MachineQueue& q, const Load& add, const Load& total,
                       std::size_t busy) const {
  if (q.queued.observations == 0) return false;
  // `busy` counts `q` already: it has batches waiting.
  const Load share{std::max<std::size_t>(1, m_limit.observations / busy),
                   std::max<std::size_t>(1, m_limit.bytes / busy)};
  return q.queued.observations + add.observations > share.observations ||
         q.queued.bytes + add.bytes > share.bytes ||
         total.observations + add.observations > m_limit.observations ||
         total.bytes + add.bytes > m_limit.bytes;
}

Pipeline::MachineQueue& Pipeline::queueOf(model::MachineId machine) {
  if (machine >= m_queues.size()) m_queues.resize(machine + std::size_t{1});
  return m_queues[machine];
}

void Pipeline::BatchRing::push_back(Entry&& entry) {
  if (m_count == m_slots.size()) {
    std::vector<Entry> grown(std::max<std::size_t>(2, m_slots.size() * 2));
    for (std::size_t i = 0; i < m_count; ++i)
      grown[i] = std::move(m_slots[(m_head + i) % m_slots.size()]);
    m_slots.swap(grown);
    m_head = 0;
  }
  m_slots[(m_head + m_count) % m_slots.size()] = std::move(entry);
  ++m_count;
}

void Pipeline::BatchRing::pop_front() {
  m_slots[m_head] = Entry();  // what was moved out keeps no capacity
  m_head = (m_head + 1) % m_slots.size();
  --m_count;
}

bool Pipeline::takeNext(model::Batch& batch) {
  if (m_turns.empty()) return false;
  const model::MachineId machine = m_turns.front();
  MachineQueue& q = queueOf(machine);
  const bool opening = !m_turnOpen;
  if (opening) {
    m_turnOpen = true;
    m_turnTaken = 0;
  }
  const Load taken{q.batches.front().batch.size(), q.batches.front().bytes};
  batch = std::move(q.batches.front().batch);
  q.batches.pop_front();
  m_turnTaken += batch.size();
  if (opening && !q.batches.empty()) {
    // A turn takes one batch, or more while they add up to no more than the most another
    // machine took on its last turn: a machine that sends many small batches gets as many
    // observations per turn as one that sends one large batch, and never more. Only a machine
    // with more batches waiting needs the figure (the others' turn ends here), so a fleet of
    // machines with a batch each costs no walk over every machine per batch.
    m_turnQuota = 0;
    for (const model::MachineId other : m_turns) {
      if (other != machine) m_turnQuota = std::max(m_turnQuota, queueOf(other).lastTurn);
    }
  }
  if (q.batches.empty() || m_turnTaken + q.batches.front().batch.size() > m_turnQuota) {
    m_turns.pop_front();
    if (!q.batches.empty()) m_turns.push_back(machine);  // its next batch waits for its turn
    q.lastTurn = m_turnTaken;
    m_turnOpen = false;
  }
  m_current = machine;
  m_currentTaken = taken;
  return true;
}

void Pipeline::release(model::MachineId machine, const Load& taken) {
  MachineQueue& q = queueOf(machine);
  const bool had = q.queued.observations > 0;
  q.queued -= taken;
  m_queued -= taken;
  if (q.queued.observations == 0) q.queued = Load{};
  if (had && q.queued.observations == 0) --m_busyMachines;
  collectRoom();
}

void Pipeline::collectRoom() {
  if (m_waiters.empty() || m_stopping) return;
  // The test tryPush makes, against the queue as it will be once the machines already
  // called back have pushed the batch they wait to push.
  Load queued = m_queued;
  std::size_t busyMachines = m_busyMachines;
  for (auto it = m_waiters.begin(); it != m_waiters.end();) {
    MachineQueue& q = queueOf(*it);
    if (refuses(q, q.waitingFor, queued, busyMachines)) {
      ++it;
      continue;
    }
    if (q.queued.observations == 0) ++busyMachines;
    queued += q.waitingFor;
    q.waitingFor = Load{};
    m_roomFor.push_back(*it);
    it = m_waiters.erase(it);
  }
}

void Pipeline::notifyRoom() {
  if (m_roomFor.empty()) return;
  {
    std::lock_guard lock(m_listenerMutex);
    for (const model::MachineId machine : m_roomFor) {
      const auto it = m_roomListeners.find(machine);
      if (it != m_roomListeners.end()) it->second();
    }
  }
  m_roomFor.clear();
}

void Pipeline::setRoomListener(model::MachineId machine, std::function<void()> onRoom) {
  std::lock_guard lock(m_listenerMutex);
  if (onRoom) {
    m_roomListeners[machine] = std::move(onRoom);
  } else {
    m_roomListeners.erase(machine);
  }
}

void Pipeline::setScript(model::MachineId machine,
                         std::unique_ptr<transform::ScriptRunner> runner) {
  {
    std::lock_guard lock(m_mutex);
    m_pendingScripts.emplace_back(machine, std::move(runner));
  }
  m_wake.notify_one();
}

std::optional<transform::ScriptStats> Pipeline::scriptStats(model::MachineId machine) const {
  std::lock_guard lock(m_scriptsMutex);
  const auto it = m_scripts.find(machine);
  if (it == m_scripts.end()) return std::nullopt;
  return it->second->statsSnapshot();
}

void Pipeline::start() {
  if (m_worker.joinable()) return;
  m_worker = std::thread([this] {
    nameThisThread("pipeline");
    run();
  });
}

void Pipeline::stop(Duration drainFor) {
  {
    std::lock_guard lock(m_mutex);
    if (m_stopping && !m_worker.joinable()) return;
    m_stopping = true;
    m_stopDeadline = std::chrono::steady_clock::now() + drainFor;
  }
  m_wake.notify_all();
  if (m_worker.joinable()) m_worker.join();
}

void Pipeline::run() {
  while (true) {
    applyScriptChanges();
    // Group commit, retention and retries happen here, between batches, and so do the
    // scripts' timers (delays, dwell times, generators).
    const Duration wait = std::min({m_journal.poll(), tickScripts(), beatIfDue()});
    model::Batch batch;
    {
      std::unique_lock lock(m_mutex);
      auto ready = [this] { return m_stopping || !m_turns.empty() || !m_pendingScripts.empty(); };
      if (!ready() && m_napping) {
        // Busy: a fleet's batches arrive tens of microseconds apart, and a wake for each
        // (a futex call on both sides) cost more than the batch. A short nap gathers them;
        // a push that must not wait (a stalled sender, a filling queue) still wakes it.
        m_wake.wait_for(lock, std::min<Duration>(wait, kNap),
                        [this] { return m_stopping || !m_pendingScripts.empty() || urgent(); });
        m_napping = !m_turns.empty();
      }
      if (!ready()) {
        m_sleeping = true;
        m_wake.wait_for(lock, wait, ready);
        m_sleeping = false;
        m_napping = !m_turns.empty();
      }
      // A machine's new script comes before its batches (it was set before they were pushed).
      if (!m_pendingScripts.empty()) continue;
      if (!takeNext(batch)) {
        if (m_stopping) break;
        continue;
      }
    }
    process(batch);
    {
      std::lock_guard lock(m_mutex);
      release(m_current, m_currentTaken);
      m_currentTaken = Load{};
    }
    notifyRoom();
  }
  // The last commit may meet a failing disk too: retry it until the drain deadline.
  while (true) {
    auto s = m_journal.commit();
    if (s) break;
    if (std::chrono::steady_clock::now() >= m_stopDeadline) {
      m_log->error("final commit: {}", s.error().describe());
      break;
    }
    const Duration wait = std::min(m_journal.poll(), kMaxRetryWait);
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, wait);
  }
}

void Pipeline::applyScriptChanges() {
  std::vector<std::pair<model::MachineId, std::unique_ptr<transform::ScriptRunner>>> changes;
  {
    std::lock_guard lock(m_mutex);
    if (m_pendingScripts.empty()) return;
    changes.swap(m_pendingScripts);
  }
  std::lock_guard lock(m_scriptsMutex);
  m_scriptsDue = 0;  // a new script starts with a timer
  for (auto& [machine, runner] : changes) {
    if (runner) {
      m_scripts[machine] = std::move(runner);
    } else {
      m_scripts.erase(machine);
    }
  }
}

void Pipeline::watchRaw(model::MachineId machine, Duration span) {
  std::lock_guard lock(m_rawMutex);
  RawTap& tap = m_rawTaps[machine];
  tap.until = std::max(tap.until, m_clock.now() + span.count());
  m_rawWatched.store(true, std::memory_order_relaxed);
}

std::vector<model::Observation> Pipeline::rawValues(model::MachineId machine) const {
  std::vector<model::Observation> out;
  std::lock_guard lock(m_rawMutex);
  if (const auto it = m_rawTaps.find(machine); it != m_rawTaps.end()) {
    for (const auto& [item, obs] : it->second.latest) out.push_back(obs);
  }
  return out;
}

void Pipeline::captureRaw(const model::Batch& batch) {
  const TimestampNs now = m_clock.now();
  std::lock_guard lock(m_rawMutex);
  std::erase_if(m_rawTaps, [now](const auto& entry) { return entry.second.until < now; });
  if (m_rawTaps.empty()) {
    m_rawWatched.store(false, std::memory_order_relaxed);
    return;
  }
  RawTap* tap = nullptr;
  model::MachineId machine = 0;
  for (const auto& obs : batch) {
    if (tap == nullptr || obs.machine != machine) {
      machine = obs.machine;
      const auto it = m_rawTaps.find(machine);
      tap = it == m_rawTaps.end() ? nullptr : &it->second;
      if (tap == nullptr) continue;
    }
    tap->latest.insert_or_assign(obs.item, obs);
  }
}

bool Pipeline::process(model::Batch& batch, bool runScript) {
  if (runScript && m_rawWatched.load(std::memory_order_relaxed)) captureRaw(batch);
  if (runScript && !m_scripts.empty() && !batch.empty()) {
    const auto it = m_scripts.find(batch.front().machine);
    if (it != m_scripts.end()) {
      m_scriptOut.clear();
      it->second->process(batch, m_scriptOut);
      m_scriptsDue = std::min(m_scriptsDue, it->second->nextDeadline());
      if (it->second->hasWrites()) handOverWrites(it->first, *it->second);
      batch.swap(m_scriptOut);
    }
  }
  if (m_filterDuplicates) dropDuplicates(batch);
  if (batch.empty()) return true;
  if (m_flags) {
    if (const std::uint8_t flags = m_flags(); flags != 0) {
      for (auto& obs : batch) obs.flags |= flags;
    }
  }
  const std::uint64_t first = m_state.nextSequence();  // the worker is the store's writer
  m_state.apply(batch);
  // The subscribers share the batch the journal encodes: moved, not copied.
  const auto shared = std::make_shared<const model::Batch>(std::move(batch));
  m_fanout.publish(first, shared);
  return append(*shared);
}

// Samples and events only: a condition's repeat may be a new activation of another code, and
// messages, data sets and assets are events of their own.
void Pipeline::dropDuplicates(model::Batch& batch) {
  const std::size_t before = batch.size();
  std::erase_if(batch, [this](const model::Observation& o) {
    if (o.kind != model::Kind::kSample && o.kind != model::Kind::kEvent) return false;
    if (o.item >= m_lastValues.size()) growTo(m_lastValues, o.item + std::size_t{1});
    std::optional<model::Value>& last = m_lastValues[o.item];
    if (last && model::sameValue(*last, o.value)) return true;
    last = o.value;
    return false;
  });
  m_duplicates.fetch_add(before - batch.size(), std::memory_order_relaxed);
}

void Pipeline::handOverWrites(model::MachineId machine, transform::ScriptRunner& runner) {
  auto writes = runner.takeWrites();
  if (m_writeSink) m_writeSink(machine, std::move(writes));
}

Duration Pipeline::beatIfDue() {
  if (!m_beat) return std::chrono::hours(1);
  const auto now = std::chrono::steady_clock::now();
  if (now >= m_nextBeat) {
    m_beat();
    m_nextBeat = now + m_beatEvery;
  }
  return m_nextBeat - now;
}

Duration Pipeline::tickScripts() {
  Duration wait = std::chrono::hours(1);
  if (m_scripts.empty()) return wait;
  const TimestampNs now = m_clock.now();
  if (now < m_scriptsDue)
    return std::min<Duration>(wait, std::chrono::nanoseconds(m_scriptsDue - now));
  TimestampNs earliest = transform::kNever;
  for (auto& [machine, runner] : m_scripts) {
    if (runner->nextDeadline() <= now) {
      model::Batch out;
      runner->tick(out);
      if (runner->hasWrites()) handOverWrites(machine, *runner);
      if (!out.empty()) process(out, false);  // already the script's outputs
    }
    earliest = std::min(earliest, runner->nextDeadline());
  }
  m_scriptsDue = earliest;
  if (earliest == transform::kNever) return wait;
  return std::min<Duration>(wait,
                            std::chrono::nanoseconds(std::max<TimestampNs>(0, earliest - now)));
}

// Appends, holding the batch while the journal refuses it. False when stop came first.
bool Pipeline::append(const model::Batch& batch) {
  bool logged = false;
  while (true) {
    auto result = m_journal.append(batch, m_catalog);
    if (result) {
      m_journaled.fetch_add(batch.size(), std::memory_order_relaxed);
      if (logged) m_log->info("the journal takes batches again; collection resumes");
      m_holding = false;
      return true;
    }
    if (!logged) {
      m_log->warn(
          "journal refuses a batch ({}); holding it, collectors pause while the queue "
          "is full",
          result.error().describe());
      logged = true;
    }
    m_holding = true;
    beatIfDue();  // holding is not wedged: a full disk is no reason to restart
    const Duration wait = std::min(m_journal.poll(), kMaxRetryWait);
    std::unique_lock lock(m_mutex);
    if (m_stopping && std::chrono::steady_clock::now() >= m_stopDeadline) {
      m_lost.fetch_add(m_queued.observations, std::memory_order_relaxed);
      m_log->error("stopping while the journal refuses batches: {} observations not journaled",
                   m_queued.observations);
      m_queues.clear();
      m_turns.clear();
      m_busyMachines = 0;
      m_waiters.clear();
      m_turnOpen = false;
      m_queued = Load{};
      if (m_currentTaken.observations > 0) {  // run() releases the batch at hand
        queueOf(m_current).queued = m_currentTaken;
        m_queued = m_currentTaken;
        m_busyMachines = 1;
      }
      return false;
    }
    if (m_stopping) {
      m_wake.wait_for(lock, wait);
    } else {
      m_wake.wait_for(lock, wait, [this] { return m_stopping; });
    }
  }
}

PipelineStats Pipeline::stats() const {
  PipelineStats s;
  s.accepted = m_accepted.load();
  s.journaled = m_journaled.load();
  s.refused = m_refused.load();
  s.lost = m_lost.load();
  s.duplicates = m_duplicates.load();
  s.holding = m_holding.load();
  std::lock_guard lock(m_mutex);
  s.queued = m_queued.observations;
  s.queuedBytes = m_queued.bytes;
  return s;
}

}  // namespace spindle::app
