#pragma once
/// CongestionWindow: how many records an unordered uplink may have in flight now, below its
/// configured `max_in_flight`. It opens like TCP's congestion control: from a small start it
/// grows by one record per acknowledgement (doubling per round trip) up to a threshold, then by
/// one record per window of acknowledgements. A failed send (a timeout, a lost connection)
/// drops it to one record and halves the threshold.
///
/// Why: a hub that falls behind answers late, the edge's sends time out and the edge sends
/// them again. With a fixed window every edge of a fleet resends its whole window at once and
/// the hub, busier still, answers later still (congestion collapse: on a saturated 3-node
/// cluster, 100 edges x 256 messages queued 175,000 proposals and no edge got an answer for
/// minutes). Shrinking on failure and growing on success keeps the hub's queue short, and
/// a healthy link reaches the full window within a few round trips.
///
/// Not thread-safe: the engine calls it under its own mutex.

#include <algorithm>
#include <cstddef>

namespace spindle::uplinks {

class CongestionWindow {
 public:
  static constexpr double kInitial = 16;

  explicit CongestionWindow(std::size_t max)
      : m_max(static_cast<double>(std::max<std::size_t>(1, max))),
        m_window(std::min(m_max, kInitial)),
        m_threshold(m_max) {}

  /// Records that may be in flight now: at least 1, at most the configured maximum.
  std::size_t size() const { return static_cast<std::size_t>(m_window); }
  /// The configured maximum.
  std::size_t max() const { return static_cast<std::size_t>(m_max); }

  /// A record was delivered.
  void onOk() {
    m_window = std::min(m_max, m_window + (m_window < m_threshold ? 1 : 1 / m_window));
  }

  /// A send failed: call once per failure episode (the engine pauses, lets what is in flight
  /// settle and backs off; the failures of that episode are one congestion signal).
  void onFailure() {
    m_threshold = std::max(2.0, m_window / 2);
    m_window = 1;
  }

 private:
  double m_max;
  double m_window;
  double m_threshold;
};

}  // namespace spindle::uplinks
