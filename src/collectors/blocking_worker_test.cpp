#include "collectors/blocking_worker.hpp"

#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace spindle::collectors {
namespace {

using namespace std::chrono_literals;

/// A blocking vendor call stand-in: blocks until released; tells when it started.
struct Gate {
  std::promise<void> started;
  std::promise<void> open;
  std::shared_future<void> opened{open.get_future().share()};
};

BlockingWorker::Call blockUntilOpen(const std::shared_ptr<Gate>& gate) {
  return [gate] {
    gate->started.set_value();
    gate->opened.wait();
    return okStatus();
  };
}

TEST(BlockingWorker, RunsCallsOffTheCallersThreadAndAnswersTheirStatus) {
  BlockingWorker worker({});
  std::promise<std::thread::id> ranOn;
  std::promise<Status> answer;
  ASSERT_TRUE(worker.submit(
      [&] {
        ranOn.set_value(std::this_thread::get_id());
        return Status(Error(ErrorCode::kProtocol, "illegal data address"));
      },
      10s, [&](Status s) { answer.set_value(std::move(s)); }));
  EXPECT_NE(ranOn.get_future().get(), std::this_thread::get_id());
  const Status s = answer.get_future().get();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kProtocol);
}

TEST(BlockingWorker, ACallThatOverrunsIsAnsweredTimeoutAndTheNextWaitingOneIsNeverRun) {
  BlockingWorker worker({});
  auto gate = std::make_shared<Gate>();
  std::promise<Status> first;
  ASSERT_TRUE(
      worker.submit(blockUntilOpen(gate), 50ms, [&](Status s) { first.set_value(std::move(s)); }));
  gate->started.get_future().wait();
  auto staleRan = std::make_shared<std::atomic<bool>>(false);
  std::promise<Status> stale;
  ASSERT_TRUE(worker.submit(
      [staleRan] {
        *staleRan = true;
        return okStatus();
      },
      50ms, [&](Status s) { stale.set_value(std::move(s)); }));

  const Status timedOut = first.get_future().get();  // while the call still blocks
  ASSERT_FALSE(timedOut.ok());
  EXPECT_EQ(timedOut.error().code(), ErrorCode::kTimeout);
  const Status staleAnswer = stale.get_future().get();
  ASSERT_FALSE(staleAnswer.ok());
  EXPECT_EQ(staleAnswer.error().code(), ErrorCode::kTimeout);

  gate->open.set_value();
  std::promise<Status> after;
  ASSERT_TRUE(worker.submit([] { return okStatus(); }, 10s,
                            [&](Status s) { after.set_value(std::move(s)); }));
  EXPECT_TRUE(after.get_future().get().ok());  // FIFO: the stale call's turn came before
  EXPECT_FALSE(staleRan->load());
  EXPECT_EQ(worker.pending(), 0u);
}

TEST(BlockingWorker, TheQueueIsBounded) {
  BlockingWorker worker({.queueLimit = 2});
  auto gate = std::make_shared<Gate>();
  ASSERT_TRUE(worker.submit(blockUntilOpen(gate), 10s, [](Status) {}));
  gate->started.get_future().wait();  // running: the queue is empty again
  EXPECT_TRUE(worker.submit([] { return okStatus(); }, 10s, [](Status) {}));
  EXPECT_TRUE(worker.submit([] { return okStatus(); }, 10s, [](Status) {}));
  const Status refused = worker.submit([] { return okStatus(); }, 10s, [](Status) {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(worker.pending(), 3u);
  gate->open.set_value();
}

TEST(BlockingWorker, StopWhileACallBlocksReturnsWithinTheGraceAndAnswersNothing) {
  auto gate = std::make_shared<Gate>();
  auto answered = std::make_shared<std::atomic<int>>(0);
  auto worker = std::make_unique<BlockingWorker>(BlockingWorker::Options{.stopGrace = 100ms});
  ASSERT_TRUE(worker->submit(blockUntilOpen(gate), 1h, [answered](Status) { ++*answered; }));
  ASSERT_TRUE(worker->submit([] { return okStatus(); }, 1h, [answered](Status) { ++*answered; }));
  gate->started.get_future().wait();
  const auto before = std::chrono::steady_clock::now();
  worker->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  EXPECT_FALSE(worker->submit([] { return okStatus(); }, 1s, [](Status) {}).ok());
  worker.reset();          // the collector goes away while its call still blocks
  gate->open.set_value();  // the left-behind thread finishes alone
  EXPECT_EQ(answered->load(), 0);
}

TEST(BlockingWorker, StopWaitsForAnIdleWorkerAndIsIdempotent) {
  BlockingWorker worker({});
  std::promise<void> done;
  ASSERT_TRUE(worker.submit([] { return okStatus(); }, 10s, [&](Status) { done.set_value(); }));
  done.get_future().wait();
  worker.stop();
  worker.stop();
  EXPECT_EQ(worker.pending(), 0u);
}

}  // namespace
}  // namespace spindle::collectors
