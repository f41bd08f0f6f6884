#pragma once
/// Rng: the simulator's source of randomness. std::mt19937_64 is fully specified by the C++
/// standard, and the helpers below are plain arithmetic, so the same seed gives the same numbers
/// with every standard library (std distributions do not promise that).

#include <cstdint>
#include <random>

namespace spindle::sim {

class Rng {
 public:
  /// Mixes `seed` and `stream` (the machine index) so neighbouring machines get unrelated
  /// sequences even for seeds 1, 2, 3.
  Rng(std::uint64_t seed, std::uint64_t stream) : m_engine(mix(mix(seed) ^ mix(stream + 1))) {}

  /// Uniform in [0, 1), 53 random bits.
  double unit() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }

  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }

  /// Uniform integer in [lo, hi]; the modulo bias is negligible for the small ranges used here.
  int between(int lo, int hi) {
    const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
    return lo + static_cast<int>(m_engine() % span);
  }

  /// True with probability p.
  bool chance(double p) { return unit() < p; }

  /// Roughly bell-shaped noise in [-1, 1] (mean of three uniforms, rescaled). One draw per
  /// statement: the order operands of + are evaluated in is unspecified.
  double noise() {
    double sum = unit();
    sum += unit();
    sum += unit();
    return sum * (2.0 / 3.0) - 1.0;
  }

 private:
  /// SplitMix64 finaliser: spreads every input bit over the whole word.
  static std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }

  std::mt19937_64 m_engine;
};

}  // namespace spindle::sim
