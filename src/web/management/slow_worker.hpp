#pragma once
/// SlowWorker: one thread for the management server's slow jobs (scrypt at login, the network
/// check, verifying the journal), so they never hold an io thread. Its queue is bounded: a job
/// beyond it is refused (the caller answers 503), never queued without end.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace spindle::web::management {

/// Thread: post() from any thread; stop() from the owner.
class SlowWorker {
 public:
  explicit SlowWorker(std::size_t maxQueued = 16) : m_maxQueued(maxQueued) {}
  ~SlowWorker() { stop(); }
  SlowWorker(const SlowWorker&) = delete;
  SlowWorker& operator=(const SlowWorker&) = delete;

  /// Queues `job`; false (and the job is dropped) when the queue is full or stopped. The
  /// thread starts with the first job.
  bool post(std::function<void()> job) {
    std::lock_guard lock(m_mutex);
    if (m_stopping || m_jobs.size() >= m_maxQueued) return false;
    m_jobs.push_back(std::move(job));
    if (!m_thread.joinable()) m_thread = std::thread([this] { run(); });
    m_wake.notify_one();
    return true;
  }

  /// Lets the running job finish, drops the others and joins. Idempotent.
  void stop() {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
      m_jobs.clear();
      m_wake.notify_one();
    }
    if (m_thread.joinable()) m_thread.join();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
        if (m_stopping) return;
        job = std::move(m_jobs.front());
        m_jobs.pop_front();
      }
      job();
    }
  }

  std::size_t m_maxQueued;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<std::function<void()>> m_jobs;
  bool m_stopping = false;
  std::thread m_thread;
};

}  // namespace spindle::web::management
