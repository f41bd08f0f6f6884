#pragma once
/// DenseIndex: numbers the distinct 32-bit ids one owner sees 0, 1, 2... in the order they
/// first appear, so the owner keeps its per-id state in a vector sized by what it sees (a
/// machine's items) instead of by the largest id in the process (every machine's items).
/// Open addressing with linear probing; grows at half full. Not thread-safe.

#include <cstdint>
#include <vector>

namespace spindle {

class DenseIndex {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  /// The dense number of `id`, given the next one (size() before the call) when it is new.
  std::uint32_t intern(std::uint32_t id) {
    if ((m_count + 1) * 2 > m_slots.size()) grow();
    std::size_t i = slot(id);
    while (m_slots[i].index != kNone) {
      if (m_slots[i].id == id) return m_slots[i].index;
      i = (i + 1) & (m_slots.size() - 1);
    }
    m_slots[i] = {id, m_count};
    return m_count++;
  }

  /// The dense number of `id`, or kNone when it was never interned.
  std::uint32_t find(std::uint32_t id) const {
    if (m_slots.empty()) return kNone;
    for (std::size_t i = slot(id);; i = (i + 1) & (m_slots.size() - 1)) {
      if (m_slots[i].index == kNone || m_slots[i].id == id) return m_slots[i].index;
    }
  }

  std::uint32_t size() const { return m_count; }
  /// Bytes held (for memory accounting).
  std::size_t bytes() const { return m_slots.capacity() * sizeof(Slot); }

 private:
  struct Slot {
    std::uint32_t id = 0;
    std::uint32_t index = kNone;
  };

  std::size_t slot(std::uint32_t id) const {
    // Fibonacci hashing: consecutive ids (one machine's items) spread over the table.
    return static_cast<std::size_t>((id * 2654435769u) >> 8) & (m_slots.size() - 1);
  }

  void grow() {
    std::vector<Slot> old = std::move(m_slots);
    m_slots.assign(old.empty() ? 16 : old.size() * 2, Slot{});
    for (const Slot& s : old) {
      if (s.index == kNone) continue;
      std::size_t i = slot(s.id);
      while (m_slots[i].index != kNone) i = (i + 1) & (m_slots.size() - 1);
      m_slots[i] = s;
    }
  }

  std::vector<Slot> m_slots;  ///< size a power of two
  std::uint32_t m_count = 0;
};

}  // namespace spindle
