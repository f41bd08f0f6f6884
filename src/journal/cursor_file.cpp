#include "journal/cursor_file.hpp"

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/crc32c.hpp"
#include "journal/format.hpp"
#include "journal/segment_reader.hpp"

namespace spindle::journal {
namespace {

constexpr std::uint32_t kCursorMagic = 0x75437053;  ///< bytes "SpCu"
constexpr std::uint16_t kCursorVersion = 1;

// Slot: magic u32, version u16, reserved u16, generation u64, next u64, reserved u32, crc u32
// (over bytes 0..27).
void encodeSlot(const CursorState& s, unsigned char out[kCursorSlotSize]) {
  std::fill(out, out + kCursorSlotSize, 0);
  putU32(out, kCursorMagic);
  putU16(out + 4, kCursorVersion);
  putU64(out + 8, s.generation);
  putU64(out + 16, s.next);
  putU32(out + 28, crc32c(out, 28));
}

std::optional<CursorState> decodeSlot(const unsigned char* in) {
  if (getU32(in) != kCursorMagic || getU32(in + 28) != crc32c(in, 28)) return std::nullopt;
  if (getU16(in + 4) == 0 || getU16(in + 4) > kCursorVersion) return std::nullopt;
  return CursorState{getU64(in + 16), getU64(in + 8)};
}

std::optional<CursorState> decodeFile(const unsigned char* bytes, ssize_t size,
                                      std::string* problem) {
  std::optional<CursorState> best;
  for (int slot = 0; slot < 2; ++slot) {
    if (size < static_cast<ssize_t>((slot + 1) * kCursorSlotSize)) break;
    const auto s = decodeSlot(bytes + slot * kCursorSlotSize);
    if (s && (!best || s->generation > best->generation)) best = s;
  }
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
  unsigned char bytes[2 * kCursorSlotSize] = {};
  const ssize_t n = ::pread(fd, bytes, sizeof bytes, 0);
  ::close(fd);
  return decodeFile(bytes, n, problem);
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

Status CursorFile::store(std::uint64_t next, bool sync) {
  const CursorState state{next, m_generation + 1};
  unsigned char slot[kCursorSlotSize];
  encodeSlot(state, slot);
  const std::uint64_t offset = (state.generation % 2) * kCursorSlotSize;
  if (const int rc = writeAll(*m_io, m_fd, slot, sizeof slot, offset); rc != 0) {
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
