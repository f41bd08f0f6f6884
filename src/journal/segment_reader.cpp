#include "journal/segment_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/crc32c.hpp"
#include "journal/file_io.hpp"

namespace spindle::journal {
namespace {
constexpr std::size_t kChunk = 1 << 20;  ///< read-ahead: one pread per MiB when streaming
}

int openRegularFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO named like a journal file must not hang.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return -errno;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return -EINVAL;
  }
  return fd;
}

bool isBlockPadding(const std::string& path, std::uint64_t offset, std::uint64_t length) {
  if (length == 0 || length >= 4096) return false;
  unsigned char bytes[4096];
  const int fd = openRegularFile(path);
  if (fd < 0) return false;
  const ssize_t n = ::pread(fd, bytes, length, static_cast<off_t>(offset));
  ::close(fd);
  if (n != static_cast<ssize_t>(length)) return false;
  return std::all_of(bytes, bytes + length, [](unsigned char b) { return b == 0; });
}

SegmentReader::~SegmentReader() {
  if (m_fd >= 0) ::close(m_fd);
}

SegmentReader::SegmentReader(SegmentReader&& other) noexcept { *this = std::move(other); }

SegmentReader& SegmentReader::operator=(SegmentReader&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = std::exchange(other.m_fd, -1);
    m_path = std::move(other.m_path);
    m_limit = other.m_limit;
    m_pos = other.m_pos;
    m_buf = std::move(other.m_buf);
    m_bufStart = other.m_bufStart;
    m_bufSize = std::exchange(other.m_bufSize, 0);
    m_ioError = std::move(other.m_ioError);
  }
  return *this;
}

Result<SegmentReader> SegmentReader::open(const std::string& path) {
  SegmentReader r;
  r.m_fd = openRegularFile(path);
  if (r.m_fd == -EINVAL) {
    r.m_fd = -1;
    return Error(ErrorCode::kInvalidArgument, "not a regular file").with("opening " + path);
  }
  if (r.m_fd < 0) {
    const int error = -r.m_fd;
    r.m_fd = -1;
    return Error(ErrorCode::kIo, describeErrno(error)).with("opening " + path);
  }
  r.m_path = path;
  r.m_limit = r.fileSize();
  return r;
}

std::uint64_t SegmentReader::fileSize() const {
  struct stat st {};
  if (m_fd < 0 || ::fstat(m_fd, &st) != 0) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

std::optional<SegmentHeader> SegmentReader::header() {
  unsigned char bytes[kSegmentHeaderSize];
  const ssize_t n = ::pread(m_fd, bytes, sizeof bytes, 0);
  if (n != static_cast<ssize_t>(sizeof bytes)) return std::nullopt;
  return decodeSegmentHeader(bytes);
}

// Makes [offset, offset+size) available in m_buf; false when it reaches past the limit or the
// file ends first. Never reads past the limit: bytes beyond it may still be in flight from the
// writer, and bytes below it never change, so the buffer stays true as the limit grows.
bool SegmentReader::ensure(std::uint64_t offset, std::size_t size) {
  if (offset + size > m_limit) return false;
  if (offset >= m_bufStart && offset + size <= m_bufStart + m_bufSize) return true;
  const std::size_t want =
      std::max(size, static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, m_limit - offset)));
  if (m_buf.size() < want) m_buf.resize(want);
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n =
        ::pread(m_fd, m_buf.data() + got, want - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      m_ioError = Error(ErrorCode::kIo, describeErrno(errno)).with("reading " + m_path);
      break;
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  m_bufStart = offset;
  m_bufSize = got;
  return got >= size;
}

// The offset of the next sound record header after `from`, or m_limit when there is none.
std::uint64_t SegmentReader::resync(std::uint64_t from) {
  unsigned char magic[4];
  putU32(magic, kRecordMagic);
  std::uint64_t at = from;
  while (at + kRecordHeaderSize <= m_limit) {
    const std::size_t window =
        static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, m_limit - at));
    if (!ensure(at, window)) return m_limit;
    const unsigned char* base = m_buf.data() + (at - m_bufStart);
    const auto* hit = static_cast<const unsigned char*>(::memmem(base, window, magic, 4));
    if (hit == nullptr) {
      // Keep the last 3 bytes: the magic may straddle the window's edge.
      at += window > 3 ? window - 3 : window;
      continue;
    }
    const std::uint64_t candidate = at + static_cast<std::uint64_t>(hit - base);
    if (candidate + kRecordHeaderSize > m_limit) return m_limit;
    if (ensure(candidate, kRecordHeaderSize)) {
      RecordHeader h;
      if (decodeRecordHeader(m_buf.data() + (candidate - m_bufStart), h) == HeaderCheck::kOk) {
        return candidate;
      }
    }
    at = candidate + 1;
  }
  return m_limit;
}

SegmentEntry SegmentReader::next(bool verifyPayload) {
  SegmentEntry e;
  e.offset = m_pos;
  if (m_pos >= m_limit) return e;  // kEnd
  if (m_pos + kRecordHeaderSize > m_limit || !ensure(m_pos, kRecordHeaderSize)) {
    e.kind = SegmentEntry::Kind::kCorrupt;
    e.length = m_limit - m_pos;
    e.reason = "incomplete record header";
    m_pos = m_limit;
    return e;
  }
  const HeaderCheck check = decodeRecordHeader(m_buf.data() + (m_pos - m_bufStart), e.header);
  if (check != HeaderCheck::kOk) {
    const std::uint64_t resume = resync(m_pos + 1);
    e.kind = SegmentEntry::Kind::kCorrupt;
    e.length = resume - m_pos;
    e.reason = toString(check);
    m_pos = resume;
    return e;
  }
  e.headerValid = true;
  const std::uint64_t total = e.header.totalSize();
  if (m_pos + total > m_limit) {
    e.kind = SegmentEntry::Kind::kCorrupt;
    e.length = m_limit - m_pos;
    e.reason = "record runs past the end of the segment";
    m_pos = m_limit;
    return e;
  }
  if (!ensure(m_pos, static_cast<std::size_t>(total))) {
    e.kind = SegmentEntry::Kind::kCorrupt;
    e.length = m_limit - m_pos;
    e.reason = m_ioError ? m_ioError->describe() : "segment shorter than expected";
    m_pos = m_limit;
    return e;
  }
  const unsigned char* payload = m_buf.data() + (m_pos - m_bufStart) + kRecordHeaderSize;
  e.length = total;
  if (verifyPayload && crc32c(payload, e.header.storedLength) != e.header.payloadCrc) {
    e.kind = SegmentEntry::Kind::kCorrupt;
    e.reason = "payload checksum mismatch";
    m_pos += total;
    return e;
  }
  e.kind = SegmentEntry::Kind::kRecord;
  e.payload = std::string_view(reinterpret_cast<const char*>(payload), e.header.storedLength);
  m_pos += total;
  return e;
}

}  // namespace spindle::journal
