#pragma once
/// Sequential reading of one segment file: records in order, each checked (header checksum,
/// payload checksum), and damaged stretches reported as such instead of stopping the read.
/// Used by recovery, the consumers' readers and `spindle journal`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "journal/format.hpp"

namespace spindle::journal {

struct SegmentEntry {
  enum class Kind {
    kRecord,   ///< a sound record: header and payload
    kCorrupt,  ///< bytes that are not a sound record; reading resumes after them
    kEnd,      ///< nothing more up to the limit
  };
  Kind kind = Kind::kEnd;
  std::uint64_t offset = 0;  ///< where the record or damaged stretch starts in the file
  std::uint64_t length = 0;  ///< its size in bytes
  /// kRecord; kCorrupt when `headerValid` (the payload checksum failed or the payload runs
  /// past the limit).
  RecordHeader header;
  bool headerValid = false;
  std::string_view payload;  ///< kRecord: the stored payload, valid until the next call
  std::string reason;        ///< kCorrupt: what is wrong
};

/// Opens `path` read-only if it is a regular file (never blocking on a FIFO): the descriptor,
/// -EINVAL when it is not a regular file, or -errno.
int openRegularFile(const std::string& path);

/// Thread safety: one thread at a time. Reads through its own descriptor, so it may run while
/// the journal's writer appends to the same file.
/// True when [offset, offset+length) of `path` is shorter than a block and all zero: the
/// padding a direct write leaves past the logical end, not a torn record.
bool isBlockPadding(const std::string& path, std::uint64_t offset, std::uint64_t length);

class SegmentReader {
 public:
  SegmentReader() = default;
  ~SegmentReader();
  SegmentReader(SegmentReader&& other) noexcept;
  SegmentReader& operator=(SegmentReader&& other) noexcept;

  /// Opens `path` read-only, positioned after the segment header, limit = file size now.
  static Result<SegmentReader> open(const std::string& path);

  /// The segment header, or nullopt when it is damaged or the file is shorter than one.
  std::optional<SegmentHeader> header();
  std::uint64_t fileSize() const;
  const std::string& path() const { return m_path; }

  /// Records ending past `limit` are not read (the writer's published end, or the file size).
  void setLimit(std::uint64_t limit) { m_limit = limit; }
  std::uint64_t limit() const { return m_limit; }
  void seek(std::uint64_t offset) { m_pos = offset; }
  std::uint64_t position() const { return m_pos; }

  /// The next record or damaged stretch at position(); position() moves past it.
  /// `verifyPayload` false skips the payload checksum (for scans that only need headers).
  SegmentEntry next(bool verifyPayload = true);

  /// A read error (not damage: the file could not be read at all), if one happened.
  const std::optional<Error>& ioError() const { return m_ioError; }

 private:
  bool ensure(std::uint64_t offset, std::size_t size);
  std::uint64_t resync(std::uint64_t from);

  int m_fd = -1;
  std::string m_path;
  std::uint64_t m_limit = 0;
  std::uint64_t m_pos = kSegmentHeaderSize;
  std::vector<unsigned char> m_buf;
  std::uint64_t m_bufStart = 0;
  std::size_t m_bufSize = 0;
  std::optional<Error> m_ioError;
};

}  // namespace spindle::journal
