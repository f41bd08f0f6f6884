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
    const double unit = static_cast<double>(m_rng() >> 11) / static_cast<double>(1ULL << 53);
    const double factor = 1.0 + m_jitter * (2.0 * unit - 1.0);
    return Duration(static_cast<std::int64_t>(static_cast<double>(base.count()) * factor));
  }

  /// Called after a connection proved healthy.
  void reset() { m_current = Duration::zero(); }

 private:
  Duration m_initial;
  Duration m_max;
  double m_jitter;
  Duration m_current{0};
  std::mt19937_64 m_rng;
};

}  // namespace spindle::collectors
