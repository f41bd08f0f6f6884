#include "collectors/emitter.hpp"

#include <future>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "collectors/testing/fake_context.hpp"

namespace spindle::collectors {
namespace {

namespace asio = boost::asio;

/// What a collector's connection is to its emitter: the owner, on a strand.
struct Owner {
  explicit Owner(testing::FakeContext& ctx)
      : strand(asio::make_strand(ctx.io())), emitter(ctx, strand, InputLimits{}) {}
  Emitter::Strand strand;
  Emitter emitter;
  std::atomic<int> resumed{0};
};

/// Runs `f` on the strand and waits for it.
template <typename F>
auto onStrand(Emitter::Strand& strand, F f) {
  std::packaged_task<decltype(f())()> task(std::move(f));
  auto result = task.get_future();
  asio::post(strand, [&task] { task(); });
  return result.get();
}

model::Batch batchOf(testing::FakeContext& ctx, const std::string& key, int n) {
  model::Batch b;
  const auto item = ctx.catalog().intern(ctx.machine(), key).value();
  for (int i = 0; i < n; ++i) {
    b.push_back(
        model::Observation{ctx.machine(), item, 0, model::Kind::kSample, 0, std::int64_t(i)});
  }
  return b;
}

TEST(Emitter, APausedEmitterResumesWhenThePipelineCallsBack) {
  testing::FakeContext ctx;
  auto owner = std::make_shared<Owner>(ctx);
  owner->emitter.start(owner, [&o = *owner] { ++o.resumed; });
  ctx.setFull(true);
  const bool flushed = onStrand(owner->strand, [&] {
    auto b = batchOf(ctx, "x", 3);
    owner->emitter.append(b, 0);
    return owner->emitter.flush();
  });
  EXPECT_FALSE(flushed);
  EXPECT_EQ(owner->emitter.pendingSize(), 3u);
  EXPECT_EQ(ctx.offers(), 1u);  // refused once, offered again only when called back
  ctx.setFull(false);           // the pipeline has room: it calls the listener
  ASSERT_TRUE(ctx.waitFor([](const model::Batch& got) { return got.size() == 3; }));
  onStrand(owner->strand, [] { return 0; });  // the resume ran before this
  EXPECT_EQ(owner->resumed.load(), 1);
  EXPECT_EQ(ctx.offers(), 2u);
  owner->emitter.stop();
}

TEST(Emitter, AfterStopNothingIsEmittedAndTheListenerIsGone) {
  testing::FakeContext ctx;
  auto owner = std::make_shared<Owner>(ctx);
  owner->emitter.start(owner, [&o = *owner] { ++o.resumed; });
  EXPECT_TRUE(ctx.hasRoomListener());
  owner->emitter.stop();
  owner->emitter.stop();  // idempotent
  EXPECT_FALSE(ctx.hasRoomListener());
  EXPECT_TRUE(owner->emitter.stopped());
  EXPECT_FALSE(onStrand(owner->strand, [&] {
    owner->emitter.connected();
    return owner->emitter.flush();
  }));
  EXPECT_EQ(ctx.offers(), 0u);
}

TEST(Emitter, AResumeThatFindsItsOwnerGoneDoesNothing) {
  testing::FakeContext ctx;
  auto owner = std::make_shared<Owner>(ctx);
  std::atomic<int> resumed{0};
  // The owner (a collector's connection) holds the emitter, the emitter only a weak owner.
  auto token = std::make_shared<int>(0);
  owner->emitter.start(token, [&] { ++resumed; });
  ctx.setFull(true);
  EXPECT_FALSE(onStrand(owner->strand, [&] {
    owner->emitter.connected();
    return owner->emitter.flush();
  }));
  token.reset();
  ctx.setFull(false);  // posts the resume onto the strand
  onStrand(owner->strand, [] { return 0; });
  EXPECT_EQ(resumed.load(), 0);
  EXPECT_EQ(ctx.offers(), 1u);
  owner->emitter.stop();
}

TEST(Emitter, DisconnectedMarksItemsUnavailableButAssetsThenClosed) {
  testing::FakeContext ctx;
  auto owner = std::make_shared<Owner>(ctx);
  owner->emitter.start(owner, [] {});
  const auto load = ctx.catalog().intern(ctx.machine(), "load").value();
  const auto tool = ctx.catalog().intern(ctx.machine(), "tool").value();
  EXPECT_TRUE(onStrand(owner->strand, [&] {
    owner->emitter.connected();
    owner->emitter.disconnected({{load, model::Kind::kSample}, {tool, model::Kind::kAsset}});
    return owner->emitter.flush();
  }));
  EXPECT_EQ(ctx.countOf("connection_status", "ESTABLISHED"), 1u);
  EXPECT_EQ(ctx.countOf("load", "UNAVAILABLE"), 1u);
  EXPECT_EQ(ctx.countOf("tool", "UNAVAILABLE"), 0u);
  EXPECT_EQ(ctx.latestText("connection_status"), "CLOSED");
  owner->emitter.stop();
}

TEST(Emitter, RejectionsAreCounted) {
  testing::FakeContext ctx;
  Owner owner(ctx);
  for (int i = 0; i < 30; ++i) owner.emitter.reject("bad line {}", i);
  EXPECT_EQ(owner.emitter.rejected(), 30u);
}

}  // namespace
}  // namespace spindle::collectors
