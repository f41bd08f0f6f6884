#include "app/pipeline.hpp"

#include <gtest/gtest.h>

namespace spindle::app {
namespace {

/// An uplink that fails a given number of times, then records what it receives.
class FakeUplink final : public uplinks::Uplink {
 public:
  explicit FakeUplink(int failures) : m_failures(failures) {}
  const std::string& name() const override { return m_name; }
  Status start() override { return okStatus(); }
  uplinks::SendResult send(const model::Batch& batch) override {
    if (m_failures > 0) {
      --m_failures;
      return uplinks::SendResult::kRetry;
    }
    received += batch.size();
    return uplinks::SendResult::kOk;
  }
  void stop() override {}
  std::atomic<std::size_t> received{0};

 private:
  std::string m_name = "fake";
  int m_failures;
};

model::Batch batchOf(std::size_t n) {
  model::Batch b;
  for (std::size_t i = 0; i < n; ++i) {
    b.push_back(model::Observation{0, 0, 0, model::Kind::kSample, 0, std::int64_t(i)});
  }
  return b;
}

TEST(Pipeline, BoundedQueueRefusesWhenFullAndKeepsTheBatch) {
  state::StateStore state(16);
  FakeUplink uplink(0);
  Pipeline pipeline(10, state, {&uplink});  // not started: nothing drains
  auto a = batchOf(8);
  EXPECT_TRUE(pipeline.tryPush(a));
  EXPECT_TRUE(a.empty());
  auto b = batchOf(5);
  EXPECT_FALSE(pipeline.tryPush(b));
  EXPECT_EQ(b.size(), 5u);  // untouched: the collector keeps it
  EXPECT_EQ(pipeline.stats().refused, 1u);
  pipeline.start();
  pipeline.stop();
  EXPECT_EQ(uplink.received, 8u);
}

TEST(Pipeline, RetriesAnUplinkUntilItAccepts) {
  state::StateStore state(16);
  FakeUplink uplink(2);
  Pipeline pipeline(100, state, {&uplink});
  pipeline.start();
  auto a = batchOf(3);
  ASSERT_TRUE(pipeline.tryPush(a));
  for (int i = 0; i < 200 && uplink.received < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pipeline.stop();
  EXPECT_EQ(uplink.received, 3u);
  EXPECT_EQ(state.nextSequence(), 4u);
  EXPECT_EQ(pipeline.stats().delivered, 3u);
}

}  // namespace
}  // namespace spindle::app
