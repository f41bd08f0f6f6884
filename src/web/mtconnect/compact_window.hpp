#pragma once
/// CompactWindow: the MTConnect interface's window of recent entries, packed into 4 KiB
/// blocks. An entry costs what it says rather than an Observation's 72 bytes: a header byte,
/// varint deltas of sequence and timestamp, the machine and item as varints, and the value in
/// its smallest exact form (a number as written with up to six decimals takes its digits, an
/// integer its varint, text its bytes). Shared payloads (conditions, messages, time series,
/// data sets, assets) stay shared: the block keeps the pointer. A machine's typical sample
/// takes 12 to 16 bytes, so a byte budget holds five to seven times the history it did.
///
/// Reading decodes: forward from a sequence (a binary search finds the block), backward from
/// one (a block at a time). Every value reads back exactly as it was pushed.
///
/// Thread: not synchronized; the ObservationIndex holds its mutex around every call.

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "model/observation.hpp"

namespace spindle::web::mtconnect {

struct Entry {
  std::uint64_t sequence = 0;
  model::Observation observation;
};

class CompactWindow {
 public:
  /// Bytes of a block's packed entries (4 KiB with the allocator's header).
  static constexpr std::size_t kBlockBytes = 4096 - 16;

  /// Appends `e` after the newest entry; its sequence must be above the newest's.
  void push(const Entry& e);
  /// Removes the oldest entry and returns it. Precondition: !empty().
  Entry pop();
  /// Removes the oldest block's entries, calling `f` with each, oldest first; returns how
  /// many. A byte bound frees memory a block at a time, so this is its eviction: one decode
  /// per entry. Precondition: !empty().
  std::size_t popBlock(const std::function<void(const Entry&)>& f);

  bool empty() const { return m_count == 0; }
  std::size_t size() const { return m_count; }
  std::size_t blocks() const { return m_blocks.size(); }
  /// Sequence of the oldest and the newest entry. Precondition: !empty().
  std::uint64_t firstSequence() const { return m_blocks.front().firstSeq; }
  std::uint64_t lastSequence() const { return m_blocks.back().lastSeq; }
  /// Memory the window holds: the blocks' buffers and bookkeeping, and the shared payloads.
  std::size_t bytes() const { return m_bytes; }

  /// Calls `f` with each entry of sequence >= `from`, oldest first, while it returns true.
  void forEachFrom(std::uint64_t from, const std::function<bool(const Entry&)>& f) const;
  /// Calls `f` with each entry of sequence <= `last`, newest first, while it returns true.
  void forEachBackFrom(std::uint64_t last, const std::function<bool(const Entry&)>& f) const;

 private:
  struct Block {
    std::vector<std::uint8_t> bytes;
    std::vector<model::Value> heavy;  ///< shared payloads, by the index an entry names
    std::size_t heavyBytes = 0;       ///< payloadBytes of what `heavy` still holds
    std::size_t begin = 0;            ///< offset of the oldest entry still held
    std::size_t heavyBegin = 0;       ///< its first shared payload (entries take them in order)
    std::uint64_t baseSeq = 0;        ///< the delta bases of the entry at `begin`
    TimestampNs baseTime = 0;
    std::uint64_t firstSeq = 0;  ///< sequence of the entry at `begin`
    std::uint64_t lastSeq = 0;   ///< sequence of the last entry
    TimestampNs lastTime = 0;    ///< timestamp of the last entry (the next one's base)
    std::size_t count = 0;       ///< entries from `begin` on
  };
  /// Where the next entry's deltas start: the newest entry's sequence and time.
  struct Base {
    std::uint64_t seq = 0;
    TimestampNs time = 0;
  };
  /// A reading position: a block, an offset in it and the delta bases there.
  struct Cursor {
    std::size_t offset;
    std::size_t heavy;
    std::uint64_t seq;
    TimestampNs time;
  };
  static Cursor start(const Block& b) {
    return Cursor{b.begin, b.heavyBegin, b.baseSeq, b.baseTime};
  }
  /// Decodes the entry at `c` and moves `c` past it.
  static void decode(const Block& b, Cursor& c, Entry& out);
  /// Packs `e` into m_scratch with deltas from `base`; true when its value is a shared
  /// payload (the block keeps it beside the bytes).
  bool encode(const Entry& e, Base base);
  static std::size_t footprint(const Block& b);

  std::deque<Block> m_blocks;
  std::size_t m_count = 0;
  std::size_t m_bytes = 0;
  Base m_last;  ///< the newest entry pushed
  std::vector<std::uint8_t> m_scratch;
};

}  // namespace spindle::web::mtconnect
