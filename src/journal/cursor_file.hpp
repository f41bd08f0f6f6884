#pragma once
/// A consumer's cursor on disk: the next sequence it has not acknowledged (the watermark) and
/// the ranges above it already acknowledged out of order. Two slots, written alternately with
/// a generation number and a CRC32C, so a write torn by a crash spoils at most the slot being
/// written and the previous cursor survives in the other. Version 1 files (32-byte slots,
/// no ranges) are read; every store writes version 2 (4 KiB slots).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "journal/file_io.hpp"

namespace spindle::journal {

constexpr std::size_t kCursorSlotSizeV1 = 32;
constexpr std::size_t kCursorSlotSize = 4096;
/// Acknowledged ranges a cursor keeps at most; the lowest are kept (a range left out is only
/// delivered again).
constexpr std::size_t kCursorMaxRanges = 254;

using SequenceRange = std::pair<std::uint64_t, std::uint64_t>;  ///< [begin, end)

struct CursorState {
  std::uint64_t next = 0;            ///< next sequence to deliver
  std::uint64_t generation = 0;      ///< how many times it was stored
  std::vector<SequenceRange> acked;  ///< acknowledged ranges above `next`, ascending
};

/// Reads a cursor file without opening it for writing. nullopt when the file is missing or
/// both slots are damaged; `problem` then says which.
std::optional<CursorState> readCursorFile(const std::string& path, std::string* problem = nullptr);

/// Thread safety: one thread at a time.
class CursorFile {
 public:
  /// Opens (creating if needed) the cursor at `path` and loads it. `loaded` is nullopt for a
  /// new file or one whose slots are both damaged (`problem` says so).
  static Result<CursorFile> open(const std::string& path, std::shared_ptr<FileIo> io);
  CursorFile(CursorFile&& other) noexcept;
  CursorFile& operator=(CursorFile&& other) noexcept;
  ~CursorFile();

  const std::optional<CursorState>& loaded() const { return m_loaded; }
  const std::string& problem() const { return m_problem; }
  /// True when there was no cursor file at all (a new consumer), not a damaged one.
  bool wasMissing() const { return m_missing; }

  /// Stores `next` and the ranges above it (one write into the older slot); `sync` also
  /// makes it durable.
  Status store(std::uint64_t next, bool sync, const std::vector<SequenceRange>& acked = {});

 private:
  CursorFile() = default;

  std::shared_ptr<FileIo> m_io;
  std::string m_path;
  int m_fd = -1;
  std::uint64_t m_generation = 0;
  std::optional<CursorState> m_loaded;
  std::string m_problem;
  bool m_missing = false;
};

}  // namespace spindle::journal
