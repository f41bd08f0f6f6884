#include "web/mtconnect/compact_window.hpp"

#include <bit>
#include <cmath>
#include <iostream>
#include <limits>

#include <gtest/gtest.h>

namespace spindle::web::mtconnect {
namespace {

/// Equal as stored: doubles bit for bit (NaN, -0.0), everything else by value.
bool sameBits(const model::Value& a, const model::Value& b) {
  if (a.index() != b.index()) return false;
  if (const auto* d = std::get_if<double>(&a)) {
    return std::bit_cast<std::uint64_t>(*d) == std::bit_cast<std::uint64_t>(std::get<double>(b));
  }
  return a == b;
}

void expectSame(const Entry& want, const Entry& got) {
  EXPECT_EQ(got.sequence, want.sequence);
  EXPECT_EQ(got.observation.machine, want.observation.machine);
  EXPECT_EQ(got.observation.item, want.observation.item);
  EXPECT_EQ(got.observation.timestamp, want.observation.timestamp);
  EXPECT_EQ(got.observation.kind, want.observation.kind);
  EXPECT_EQ(got.observation.flags, want.observation.flags);
  EXPECT_TRUE(sameBits(got.observation.value, want.observation.value))
      << "entry " << want.sequence << " value form " << want.observation.value.index();
}

/// Every form a value can take, with the doubles that test each packed form's edge.
std::vector<Entry> everyForm() {
  const std::vector<model::Value> values = {
      model::Unavailable{},
      true,
      false,
      std::int64_t{0},
      std::int64_t{-1},
      std::numeric_limits<std::int64_t>::min(),
      std::numeric_limits<std::int64_t>::max(),
      0.0,
      -0.0,
      1.0,
      -42.0,
      0.1,
      100.001,
      -3.14159,
      1234.567891,
      0.0000001,
      1e300,
      -1e-300,
      1.5f,
      1e18,
      9.5e18,
      -9.3e18,
      4.9e-324,
      std::numeric_limits<double>::infinity(),
      -std::numeric_limits<double>::infinity(),
      std::numeric_limits<double>::quiet_NaN(),
      123456789.123456,
      0.30000000000000004,
      std::string(),
      std::string("ACTIVE"),
      std::string(300, 'p'),
      std::vector<double>{},
      std::vector<double>{1.5, -2.25, 1e-9},
      std::shared_ptr<const model::Condition>(std::make_shared<model::Condition>(
          model::Condition{model::Level::kFault, "2041", "", "HIGH", "Spindle overload"})),
      std::shared_ptr<const model::Message>(
          std::make_shared<model::Message>(model::Message{"M1", "Door open"}))};
  std::vector<Entry> out;
  std::uint64_t seq = 7;
  TimestampNs t = 1'700'000'000'000'000'000;
  for (std::size_t i = 0; i < values.size(); ++i) {
    seq += i % 5 == 4 ? 1000 : 1;                  // gaps where observations were missed
    t += i % 3 == 0 ? -250'000'000 : 100'000'000;  // timestamps go back too
    out.push_back(Entry{
        seq,
        model::Observation{static_cast<model::MachineId>(i % 4),
                           static_cast<model::ItemId>(i * 977), t, static_cast<model::Kind>(i % 8),
                           static_cast<std::uint8_t>(i % 2 ? 5 : 0), values[i]}});
  }
  out.push_back(Entry{seq + 1, model::Observation{0, 0xFFFFFFF0u, 0, model::Kind::kEvent, 0,
                                                  model::Unavailable{}}});
  return out;
}

TEST(CompactWindow, EveryValueReadsBackExactly) {
  CompactWindow window;
  const auto entries = everyForm();
  for (const auto& e : entries) window.push(e);
  ASSERT_EQ(window.size(), entries.size());
  EXPECT_EQ(window.firstSequence(), entries.front().sequence);
  EXPECT_EQ(window.lastSequence(), entries.back().sequence);
  std::size_t i = 0;
  window.forEachFrom(0, [&](const Entry& e) {
    expectSame(entries.at(i++), e);
    return true;
  });
  EXPECT_EQ(i, entries.size());
  for (const auto& want : entries) expectSame(want, window.pop());
  EXPECT_TRUE(window.empty());
  EXPECT_EQ(window.bytes(), 0u);
}

TEST(CompactWindow, ReadsFromAnySequenceBothWaysAcrossBlocks) {
  CompactWindow window;
  std::vector<Entry> entries;
  for (std::uint64_t s = 1; s <= 20'000; ++s) {
    const std::uint64_t seq = s * 2;  // only even sequences exist
    entries.push_back(Entry{
        seq, model::Observation{
                 1, static_cast<model::ItemId>(s % 20), static_cast<TimestampNs>(s * 1'000'000),
                 model::Kind::kSample, 0,
                 s % 7 == 0 ? model::Value{std::string(s % 500, 'x')} : model::Value{s * 0.25}}});
    window.push(entries.back());
  }
  // Pop the first hundred: reading starts where the window starts now.
  for (int i = 0; i < 100; ++i) window.pop();
  EXPECT_EQ(window.firstSequence(), 202u);
  for (const std::uint64_t from : {0ull, 201ull, 202ull, 203ull, 20'001ull, 39'999ull, 40'000ull}) {
    std::vector<std::uint64_t> got;
    window.forEachFrom(from, [&](const Entry& e) {
      got.push_back(e.sequence);
      return got.size() < 3;
    });
    const std::uint64_t first = std::max<std::uint64_t>(202, (from + 1) / 2 * 2);
    ASSERT_FALSE(got.empty()) << from;
    EXPECT_EQ(got.front(), first) << from;
    if (got.size() > 1) {
      EXPECT_EQ(got[1], first + 2);
    }
  }
  std::size_t seen = 0;
  window.forEachFrom(40'001, [&](const Entry&) { return ++seen, true; });
  EXPECT_EQ(seen, 0u);
  for (const std::uint64_t last : {202ull, 203ull, 20'001ull, 40'000ull, 99'999ull}) {
    std::vector<std::uint64_t> got;
    window.forEachBackFrom(last, [&](const Entry& e) {
      expectSame(entries[e.sequence / 2 - 1], e);
      got.push_back(e.sequence);
      return got.size() < 600;  // crosses a block boundary
    });
    const std::uint64_t newest = std::min<std::uint64_t>(40'000, last / 2 * 2);
    ASSERT_FALSE(got.empty()) << last;
    EXPECT_EQ(got.front(), newest);
    for (std::size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i], got[i - 1] - 2);
  }
  seen = 0;
  window.forEachBackFrom(201, [&](const Entry&) { return ++seen, true; });
  EXPECT_EQ(seen, 0u);
}

TEST(CompactWindow, PopBlockTakesTheOldestBlockWhole) {
  CompactWindow window;
  const auto entries = everyForm();
  for (int round = 0; round < 200; ++round) {
    for (auto e : entries) {
      e.sequence += static_cast<std::uint64_t>(round) * 100'000;
      window.push(e);
    }
  }
  ASSERT_GT(window.blocks(), 2u);
  const std::size_t before = window.size();
  const std::size_t bytes = window.bytes();
  std::vector<Entry> taken;
  const std::size_t n = window.popBlock([&](const Entry& e) { taken.push_back(e); });
  ASSERT_EQ(n, taken.size());
  EXPECT_EQ(window.size(), before - n);
  EXPECT_LT(window.bytes(), bytes);
  for (std::size_t i = 0; i < n; ++i) {
    Entry want = entries[i % entries.size()];
    want.sequence += i / entries.size() * 100'000;
    expectSame(want, taken[i]);
  }
  EXPECT_GT(window.firstSequence(), taken.back().sequence);
  // After one pop, the rest of that block goes whole too.
  window.pop();
  const std::size_t left = window.size();
  window.popBlock([](const Entry&) {});
  EXPECT_LT(window.size(), left);
  while (!window.empty()) window.popBlock([](const Entry&) {});
  EXPECT_EQ(window.bytes(), 0u);
}

TEST(CompactWindow, SharedPayloadsGoWhenTheirEntryGoes) {
  CompactWindow window;
  auto message = std::make_shared<model::Message>(model::Message{"M", std::string(1000, 'm')});
  window.push(Entry{1, model::Observation{0, 1, 0, model::Kind::kMessage, 0,
                                          std::shared_ptr<const model::Message>(message)}});
  window.push(Entry{2, model::Observation{0, 2, 0, model::Kind::kSample, 0, 1.0}});
  const std::size_t withMessage = window.bytes();
  EXPECT_GE(withMessage, 1000u);
  EXPECT_EQ(message.use_count(), 2);
  window.pop();
  EXPECT_EQ(message.use_count(), 1);  // the window no longer holds it
  EXPECT_LE(window.bytes(), withMessage - 1000);
}

TEST(CompactWindow, MachineSamplesTakeAFewBytesEach) {
  // Twenty machines' positions, loads and speeds written with up to four decimals, counts,
  // and a state, interleaved as a fleet's batches arrive (timestamps 1 ms apart).
  CompactWindow window;
  constexpr int kEntries = 100'000;
  for (int i = 0; i < kEntries; ++i) {
    model::Value v;
    if (i % 10 < 6) {
      v = std::round((100.0 + i * 0.37) * 1e4) / 1e4;
    } else if (i % 10 < 8) {
      v = std::int64_t{i};
    } else {
      v = std::string("ACTIVE");
    }
    window.push(Entry{static_cast<std::uint64_t>(i + 1),
                      model::Observation{static_cast<model::MachineId>(i % 20),
                                         static_cast<model::ItemId>(i % 400),
                                         1'700'000'000'000'000'000 + i * 1'000'000LL,
                                         model::Kind::kSample, 0, std::move(v)}});
  }
  const double perEntry = static_cast<double>(window.bytes()) / kEntries;
  std::cout << "compact window: " << perEntry << " bytes per entry\n";
  EXPECT_LT(perEntry, 16.0);
}

}  // namespace
}  // namespace spindle::web::mtconnect
