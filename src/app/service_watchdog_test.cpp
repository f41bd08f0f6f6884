// The service watchdog's ping comes from the pipeline's worker (Pipeline::setHeartbeat): it beats
// while the worker goes round, idle or busy, and stops while the worker is stuck, which is what
// lets systemd's WatchdogSec restart a wedged edge.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "app/pipeline.hpp"

namespace spindle::app {
namespace {

namespace fs = std::filesystem;

/// Beats counted, and waited for without sleeping.
class BeatCounter {
 public:
  void beat() {
    {
      std::lock_guard lock(m_mutex);
      ++m_beats;
    }
    m_changed.notify_all();
  }
  int beats() const {
    std::lock_guard lock(m_mutex);
    return m_beats;
  }
  /// True once there are more than `than` beats, within 10 s.
  bool waitForMore(int than) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, std::chrono::seconds(10), [&] { return m_beats > than; });
  }

 private:
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  int m_beats = 0;
};

/// A gate the worker stops at (the flag source runs on the worker for every batch).
class Gate {
 public:
  void stopHere() {
    std::unique_lock lock(m_mutex);
    m_waiting = true;
    m_changed.notify_all();
    m_changed.wait(lock, [&] { return m_open; });
  }
  bool waitUntilStopped() {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, std::chrono::seconds(10), [&] { return m_waiting; });
  }
  void open() {
    {
      std::lock_guard lock(m_mutex);
      m_open = true;
    }
    m_changed.notify_all();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_waiting = false;
  bool m_open = false;
};

class ServiceWatchdog : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("spindle_watchdog_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    journal::Settings s;
    s.dir = m_dir.string();
    s.sync = journal::SyncPolicy{journal::SyncMode::kNever, {}};
    auto opened = journal::Journal::open(s, m_clock);
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    m_journal = std::move(*opened);
    m_machine = m_catalog.addMachine("m");
    m_item = m_catalog.intern(m_machine, "x").value();
  }
  void TearDown() override {
    m_journal.reset();
    fs::remove_all(m_dir);
  }

  model::Batch oneObservation() {
    return {model::Observation{m_machine, m_item, 0, model::Kind::kSample, 0, std::int64_t(1)}};
  }

  fs::path m_dir;
  SystemClock m_clock;
  model::ItemCatalog m_catalog;
  std::unique_ptr<journal::Journal> m_journal;
  model::MachineId m_machine = 0;
  model::ItemId m_item = 0;
};

TEST_F(ServiceWatchdog, BeatsWhileIdleAndFromTheWorkerThread) {
  state::StateStore state(16);
  Pipeline pipeline(100, state, *m_journal, m_catalog, m_clock);
  BeatCounter counter;
  std::atomic<bool> otherThread{false};
  std::thread::id worker;
  std::mutex workerMutex;
  pipeline.setHeartbeat(
      [&] {
        {
          std::lock_guard lock(workerMutex);
          if (worker == std::thread::id()) worker = std::this_thread::get_id();
          if (worker != std::this_thread::get_id()) otherThread = true;
        }
        counter.beat();
      },
      std::chrono::milliseconds(10));
  pipeline.start();
  // No batch arrives: the worker must wake for the heartbeat alone, again and again.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(counter.waitForMore(i)) << "beat " << i + 1;
  pipeline.stop();
  EXPECT_FALSE(otherThread);
  EXPECT_NE(worker, std::this_thread::get_id());
}

// Beats come from the worker alone (above), so a worker held inside a batch cannot beat; what
// this pins is that no other path beats for it meanwhile, and that beats resume once it moves.
TEST_F(ServiceWatchdog, NoBeatWhileTheWorkerIsStuckAndBeatsAgainAfter) {
  state::StateStore state(16);
  Pipeline pipeline(100, state, *m_journal, m_catalog, m_clock);
  BeatCounter counter;
  Gate gate;
  std::atomic<bool> first{true};
  std::atomic<bool> stuck{false};
  std::atomic<bool> beatWhileStuck{false};
  pipeline.setFlagSource([&]() -> std::uint8_t {
    if (first.exchange(false)) {
      stuck = true;
      gate.stopHere();
      stuck = false;
    }
    return 0;
  });
  pipeline.setHeartbeat(
      [&] {
        if (stuck) beatWhileStuck = true;
        counter.beat();
      },
      std::chrono::milliseconds(1));
  pipeline.start();
  ASSERT_TRUE(counter.waitForMore(0));

  auto batch = oneObservation();
  ASSERT_TRUE(pipeline.tryPush(batch));
  ASSERT_TRUE(gate.waitUntilStopped());
  const int atStuck = counter.beats();
  gate.open();
  // The worker goes round again: beats follow, and the batch it was stuck in is journaled.
  EXPECT_TRUE(counter.waitForMore(atStuck + 2));
  pipeline.stop();
  EXPECT_FALSE(beatWhileStuck);
  EXPECT_EQ(pipeline.stats().journaled, 1u);
}

}  // namespace
}  // namespace spindle::app
