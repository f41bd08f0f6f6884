#pragma once
/// Runs the calls of a blocking vendor library (libmodbus, FANUC's FOCAS) off the io threads:
/// one worker thread per collector connection, a bounded queue, a deadline per call and a stop
/// that never waits longer than its grace period.
///
/// A blocking call cannot be interrupted. When one overruns its deadline, its caller is answered
/// kTimeout at once (by a watchdog thread) and its late result is dropped; calls queued behind
/// it time out in turn unless it returns. A call still waiting when its deadline passes is not
/// run at all (a stale read or write is worse than none).
///
/// Callbacks: `done` runs on the worker's threads (worker or watchdog), once per accepted call,
/// and never after stop() returned (calls still queued then are dropped unanswered). It must not
/// block nor call stop(): post to the collector's strand. A call must own what it touches (capture
/// shared_ptrs): after a stop whose grace ran out, the thread that still runs it is left behind and
/// finishes on its own.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "base/error.hpp"
#include "base/units.hpp"

namespace spindle::collectors {

class BlockingWorker {
 public:
  struct Options {
    std::size_t queueLimit = 16;                   ///< calls waiting; more are refused
    Duration stopGrace = std::chrono::seconds(2);  ///< how long stop() waits for a running call
  };
  using Call = std::function<Status()>;
  using Done = std::function<void(Status)>;

  /// Starts the worker and watchdog threads.
  explicit BlockingWorker(Options options);
  /// stop().
  ~BlockingWorker();
  BlockingWorker(const BlockingWorker&) = delete;
  BlockingWorker& operator=(const BlockingWorker&) = delete;

  /// Queues `call`; `done` gets its status, or kTimeout when it did not finish within
  /// `timeout` of this submit. Refused (kUnavailable, `done` not called) when the queue is full
  /// or the worker stopped. Any thread.
  Status submit(Call call, Duration timeout, Done done);

  /// Calls queued or running now.
  std::size_t pending() const;

  /// No `done` runs after it returns (it waits for one that runs). Queued calls are dropped;
  /// a running call gets `stopGrace` to return, then its thread is left to finish alone.
  /// Idempotent; any thread but a `done` callback's.
  void stop();

  struct Shared;  ///< the state the threads share (they outlive this object if a call hangs)

 private:
  std::shared_ptr<Shared> m_shared;
  Options m_options;
};

}  // namespace spindle::collectors
