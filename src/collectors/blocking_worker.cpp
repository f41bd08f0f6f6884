#include "collectors/blocking_worker.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace spindle::collectors {

using SteadyTime = std::chrono::steady_clock::time_point;

namespace {

struct Job {
  BlockingWorker::Call call;
  BlockingWorker::Done done;
  SteadyTime deadline;
  bool answered = false;  ///< under Shared::mutex
};

}  // namespace

struct BlockingWorker::Shared {
  std::mutex mutex;
  std::condition_variable work;      ///< the worker waits here
  std::condition_variable watch;     ///< the watchdog waits here
  std::condition_variable finished;  ///< the worker thread ended
  std::deque<std::shared_ptr<Job>> queue;
  std::vector<std::shared_ptr<Job>> open;  ///< queued or running, not answered
  bool stopping = false;
  bool workerDone = false;

  std::mutex callbackMutex;  ///< held while a `done` runs, so stop() can wait for it
  bool callbacksOff = false;

  /// Answers `job` unless it was answered already.
  void answer(const std::shared_ptr<Job>& job, Status status) {
    {
      std::lock_guard lock(mutex);
      if (job->answered) return;
      job->answered = true;
      std::erase(open, job);
    }
    std::lock_guard lock(callbackMutex);
    if (!callbacksOff) job->done(std::move(status));
  }

  void runWorker() {
    while (true) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex);
        work.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping) break;
        job = std::move(queue.front());
        queue.pop_front();
        if (job->answered) continue;  // timed out while it waited: never run
      }
      Status status = job->call();
      answer(job, std::move(status));
    }
    std::lock_guard lock(mutex);
    workerDone = true;
    finished.notify_all();
  }

  void runWatchdog() {
    std::unique_lock lock(mutex);
    while (!stopping) {
      const auto now = std::chrono::steady_clock::now();
      std::vector<std::shared_ptr<Job>> expired;
      SteadyTime next = SteadyTime::max();
      for (const auto& job : open) {
        if (job->deadline <= now) {
          expired.push_back(job);
        } else {
          next = std::min(next, job->deadline);
        }
      }
      if (!expired.empty()) {
        lock.unlock();
        for (const auto& job : expired) {
          answer(job, Error(ErrorCode::kTimeout, "the call did not return in time"));
        }
        lock.lock();
        continue;
      }
      if (next == SteadyTime::max()) {
        watch.wait(lock);
      } else {
        watch.wait_until(lock, next);
      }
    }
  }
};

BlockingWorker::BlockingWorker(Options options)
    : m_shared(std::make_shared<Shared>()), m_options(options) {
  // Each thread holds the shared state: one left behind by stop() keeps it alive.
  std::thread([shared = m_shared] { shared->runWorker(); }).detach();
  std::thread([shared = m_shared] { shared->runWatchdog(); }).detach();
}

BlockingWorker::~BlockingWorker() { stop(); }

Status BlockingWorker::submit(Call call, Duration timeout, Done done) {
  auto job = std::make_shared<Job>();
  job->call = std::move(call);
  job->done = std::move(done);
  job->deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
  {
    std::lock_guard lock(m_shared->mutex);
    if (m_shared->stopping) return Error(ErrorCode::kUnavailable, "the worker is stopped");
    if (m_shared->queue.size() >= m_options.queueLimit) {
      return Error(
          ErrorCode::kUnavailable,
          "the worker's queue is full (" + std::to_string(m_options.queueLimit) + " calls wait)");
    }
    m_shared->queue.push_back(job);
    m_shared->open.push_back(job);
  }
  m_shared->work.notify_one();
  m_shared->watch.notify_one();
  return okStatus();
}

std::size_t BlockingWorker::pending() const {
  std::lock_guard lock(m_shared->mutex);
  return m_shared->open.size();
}

void BlockingWorker::stop() {
  {
    std::lock_guard lock(m_shared->callbackMutex);  // waits for a `done` that runs
    m_shared->callbacksOff = true;
  }
  std::unique_lock lock(m_shared->mutex);
  if (!m_shared->stopping) {
    m_shared->stopping = true;
    m_shared->queue.clear();
    m_shared->open.clear();
    m_shared->work.notify_all();
    m_shared->watch.notify_all();
  }
  // A call that blocks past the grace keeps its (detached) thread; nothing here waits longer.
  m_shared->finished.wait_for(lock, m_options.stopGrace, [&] { return m_shared->workerDone; });
}

}  // namespace spindle::collectors
