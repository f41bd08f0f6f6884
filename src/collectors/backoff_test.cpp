#include "collectors/backoff.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, DoublesUpToTheCapWithinJitter) {
  Backoff b(milliseconds(100), milliseconds(1000), 0.2, 42);
  const int expected[] = {100, 200, 400, 800, 1000, 1000};
  for (int base : expected) {
    const auto d = std::chrono::duration_cast<milliseconds>(b.next()).count();
    EXPECT_GE(d, base * 0.8 - 1);
    EXPECT_LE(d, base * 1.2 + 1);
  }
  b.reset();
  EXPECT_LE(b.next(), milliseconds(121));
}

TEST(Backoff, JitterSpreadsMachinesApart) {
  Backoff a(milliseconds(1000), milliseconds(1000), 0.2, 1);
  Backoff b(milliseconds(1000), milliseconds(1000), 0.2, 2);
  EXPECT_NE(a.next(), b.next());
}

}  // namespace
}  // namespace spindle::collectors
