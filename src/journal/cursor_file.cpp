#include "journal/cursor_file.hpp"

#include <algorithm>
#include <cerrno>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/crc32c.hpp"
#include "journal/format.hpp"
#include "journal/segment_reader.hpp"

namespace spindle::journal {
namespace {

constexpr std::uint32_t kCursorMagic = 0x75437053;  ///< bytes "SpCu"
constexpr std::size_t kV2Ranges = 24;               ///< offset of the first range in a v2 slot
constexpr std::size_t kV2Crc = kCursorSlotSize - 4;

// Version 1 slot (32 bytes): magic u32, version u16 = 1, reserved u16, generation u64, next u64,
// reserved u32, crc u32 (over bytes 0..27).
std::optional<CursorState> decodeSlotV1(const unsigned char* in) {
  if (getU32(in) != kCursorMagic || getU32(in + 28) != crc32c(in, 28)) return std::nullopt;
  if (getU16(in + 4) != 1) return std::nullopt;
  return CursorState{getU64(in + 16), getU64(in + 8), {}};
}

// Version 2 slot (4096 bytes): magic u32, version u16 = 2, range count u16, generation u64,
// next u64, count x (begin u64, end u64), zeros, crc u32 at 4092 (over bytes 0..4091).
void encodeSlot(const CursorState& s, unsigned char* out) {
  std::fill(out, out + kCursorSlotSize, 0);
  const std::size_t count = std::min(s.acked.size(), kCursorMaxRanges);
  putU32(out, kCursorMagic);
  putU16(out + 4, 2);
  putU16(out + 6, static_cast<std::uint16_t>(count));
  putU64(out + 8, s.generation);
  putU64(out + 16, s.next);
  for (std::size_t i = 0; i < count; ++i) {
    putU64(out + kV2Ranges + 16 * i, s.acked[i].first);
    putU64(out + kV2Ranges + 16 * i + 8, s.acked[i].second);
  }
  putU32(out + kV2Crc, crc32c(out, kV2Crc));
}

std::optional<CursorState> decodeSlotV2(const unsigned char* in) {
  if (getU32(in) != kCursorMagic || getU16(in + 4) != 2) return std::nullopt;
  if (getU32(in + kV2Crc) != crc32c(in, kV2Crc)) return std::nullopt;
  const std::size_t count = getU16(in + 6);
  if (count > kCursorMaxRanges) return std::nullopt;
  CursorState state{getU64(in + 16), getU64(in + 8), {}};
  std::uint64_t floor = state.next;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t b = getU64(in + kV2Ranges + 16 * i);
    const std::uint64_t e = getU64(in + kV2Ranges + 16 * i + 8);
    if (b < floor || e <= b) return std::nullopt;  // ranges ascend above the watermark
    state.acked.emplace_back(b, e);
    floor = e;
  }
  return state;
}

std::optional<CursorState> decodeFile(const unsigned char* bytes, ssize_t size,
                                      std::string* problem) {
  std::optional<CursorState> best;
  auto consider = [&](std::optional<CursorState> s) {
    if (s && (!best || s->generation > best->generation)) best = std::move(s);
  };
  const auto have = [&](std::size_t end) { return size >= static_cast<ssize_t>(end); };
  if (have(kCursorSlotSizeV1)) consider(decodeSlotV1(bytes));
  if (have(2 * kCursorSlotSizeV1)) consider(decodeSlotV1(bytes + kCursorSlotSizeV1));
  if (have(kCursorSlotSize)) consider(decodeSlotV2(bytes));
  if (have(2 * kCursorSlotSize)) consider(decodeSlotV2(bytes + kCursorSlotSize));
  if (!best && problem != nullptr) {
    *problem = size <= 0 ? "empty cursor file" : "both cursor slots are damaged";
  }
  return best;
}

}  // namespace

std::optional<CursorState> readCursorFile(const std::string& path, std::string* problem) {
  const int fd = openRegularFile(path);
  if (fd < 0) {
    if (problem != nullptr) {
      *problem =
          fd == -EINVAL ? "not a regular file" : "no cursor file (" + describeErrno(-fd) + ")";
    }
    return std::nullopt;
  }
  std::vector<unsigned char> bytes(2 * kCursorSlotSize);
  const ssize_t n = ::pread(fd, bytes.data(), bytes.size(), 0);
  ::close(fd);
  return decodeFile(bytes.data(), n, problem);
}

Result<CursorFile> CursorFile::open(const std::string& path, std::shared_ptr<FileIo> io) {
  CursorFile c;
  c.m_io = std::move(io);
  c.m_path = path;
  c.m_missing = ::access(path.c_str(), F_OK) != 0 && errno == ENOENT;
  c.m_loaded = readCursorFile(path, &c.m_problem);
  struct stat st {};
  if (!c.m_missing && ::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return Error(ErrorCode::kInvalidArgument, "not a regular file; move it away")
        .with("opening cursor " + path);
  }
  c.m_fd = c.m_io->open(path, O_WRONLY | O_CREAT, 0644);
  if (c.m_fd < 0) return Error(ErrorCode::kIo, describeErrno(c.m_fd)).with("opening " + path);
  if (c.m_loaded) c.m_generation = c.m_loaded->generation;
  // The first version 2 store goes to the second 4 KiB slot: a write torn there cannot
  // touch the version 1 slots in the first 64 bytes.
  if (c.m_loaded && c.m_generation % 2 == 1) {
    unsigned char head[8] = {};
    const int fd = openRegularFile(path);
    if (fd >= 0) {
      if (::pread(fd, head, sizeof head, 0) == static_cast<ssize_t>(sizeof head) &&
          getU16(head + 4) == 1) {
        ++c.m_generation;
      }
      ::close(fd);
    }
  }
  return c;
}

CursorFile::CursorFile(CursorFile&& other) noexcept { *this = std::move(other); }

CursorFile& CursorFile::operator=(CursorFile&& other) noexcept {
  if (this != &other) {
    if (m_fd >= 0) m_io->close(m_fd);
    m_io = std::move(other.m_io);
    m_path = std::move(other.m_path);
    m_fd = std::exchange(other.m_fd, -1);
    m_generation = other.m_generation;
    m_loaded = std::move(other.m_loaded);
    m_problem = std::move(other.m_problem);
    m_missing = other.m_missing;
  }
  return *this;
}

CursorFile::~CursorFile() {
  if (m_fd >= 0) m_io->close(m_fd);
}

Status CursorFile::store(std::uint64_t next, bool sync, const std::vector<SequenceRange>& acked) {
  CursorState state{next, m_generation + 1, {}};
  for (const auto& r : acked) {
    if (state.acked.size() == kCursorMaxRanges) break;
    if (r.first >= next && r.second > r.first &&
        (state.acked.empty() || r.first >= state.acked.back().second)) {
      state.acked.push_back(r);
    }
  }
  std::vector<unsigned char> slot(kCursorSlotSize);
  encodeSlot(state, slot.data());
  const std::uint64_t offset = (state.generation % 2) * kCursorSlotSize;
  if (const int rc = writeAll(*m_io, m_fd, slot.data(), slot.size(), offset); rc != 0) {
    return Error(ErrorCode::kIo, describeErrno(rc)).with("writing cursor " + m_path);
  }
  if (sync) {
    if (const int rc = m_io->fdatasync(m_fd); rc != 0) {
      return Error(ErrorCode::kIo, describeErrno(rc)).with("syncing cursor " + m_path);
    }
  }
  m_generation = state.generation;
  return okStatus();
}

}  // namespace spindle::journal
