#pragma once
/// Reconnect delays: exponential from `initial` to `max`, with +-jitter so a plant full of
/// machines that dropped together does not reconnect in lockstep.

#include <algorithm>
#include <cstdint>
#include <random>

#include "base/units.hpp"

namespace spindle::collectors {

class Backoff {
 public:
  /// `jitter` is the fraction of each delay that is randomized (0.2 = +-20%).
  Backoff(Duration initial, Duration max, double jitter = 0.2,
          std::uint64_t seed = std::random_device{}())
      : m_initial(initial), m_max(std::max(max, initial)), m_jitter(jitter), m_rng(seed) {}

  /// The next delay to wait; doubles each call up to the cap.
  Duration next() {
    const Duration base = m_current.count() == 0 ? m_initial : std::min(m_current * 2, m_max);
    m_current = base;
    const double unit = static_cast<double>(nextRandom() >> 11) / static_cast<double>(1ULL << 53);
    const double factor = 1.0 + m_jitter * (2.0 * unit - 1.0);
    return Duration(static_cast<std::int64_t>(static_cast<double>(base.count()) * factor));
  }

  /// Called after a connection proved healthy.
  void reset() { m_current = Duration::zero(); }

 private:
  // splitmix64: 8 bytes of state for a jitter, where std::mt19937_64 would hold 2.5 KB in
  // every collector session of a fleet of thousands.
  std::uint64_t nextRandom() {
    std::uint64_t z = (m_rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  Duration m_initial;
  Duration m_max;
  double m_jitter;
  Duration m_current{0};
  std::uint64_t m_rng;
};

}  // namespace spindle::collectors
