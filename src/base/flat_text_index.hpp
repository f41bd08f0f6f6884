#pragma once
/// FlatTextIndex: finds a 32-bit id by a key the owner keeps itself (a text, or a text and a
/// machine): open addressing with linear probing over the ids alone, grown at half full, so an
/// entry costs 8 bytes instead of a hash map node (48 to 64 bytes with its bucket). The owner
/// gives the key's hash and says whether an id's key is the one looked for; growing asks it
/// for the hash of each id's key again. Not thread-safe.

#include <algorithm>
#include <cstdint>
#include <vector>

namespace spindle {

class FlatTextIndex {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  /// The id whose key `is(id)` says is the one hashed to `hash`, or kNone.
  template <typename Is>
  std::uint32_t find(std::size_t hash, Is is) const {
    if (m_slots.empty()) return kNone;
    for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
      if (m_slots[i] == kNone || is(m_slots[i])) return m_slots[i];
    }
  }

  /// Adds `id` (not present) under `hash`; `hashOf(id)` gives the hash of any id's key.
  template <typename HashOf>
  void insert(std::size_t hash, std::uint32_t id, HashOf hashOf) {
    if ((m_count + 1) * 2 > m_slots.size()) {
      std::vector<std::uint32_t> old(std::max<std::size_t>(16, m_slots.size() * 2), kNone);
      old.swap(m_slots);
      for (const std::uint32_t o : old) {
        if (o != kNone) place(hashOf(o), o);
      }
    }
    place(hash, id);
    ++m_count;
  }

  std::size_t size() const { return m_count; }
  /// Bytes held (for memory accounting).
  std::size_t bytes() const { return m_slots.capacity() * sizeof(std::uint32_t); }

 private:
  std::size_t mask() const { return m_slots.size() - 1; }
  void place(std::size_t hash, std::uint32_t id) {
    std::size_t i = hash & mask();
    while (m_slots[i] != kNone) i = (i + 1) & mask();
    m_slots[i] = id;
  }

  std::vector<std::uint32_t> m_slots;  ///< a power of two in size, kNone where empty
  std::size_t m_count = 0;
};

}  // namespace spindle
