#pragma once
/// The journal's narrow seam to the file system: every call that writes, syncs or deletes goes
/// through a FileIo, so tests can make any of them fail (a full disk, an I/O error) at a
/// chosen moment. Calls mirror POSIX and return -errno on failure.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <sys/types.h>

namespace spindle::journal {

class FileIo {
 public:
  virtual ~FileIo() = default;
  /// open(2): a file descriptor or -errno.
  virtual int open(const std::string& path, int flags, mode_t mode) = 0;
  /// pwrite(2): bytes written (possibly fewer than `size`) or -errno.
  virtual std::int64_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) = 0;
  virtual int fdatasync(int fd) = 0;
  virtual int ftruncate(int fd, std::uint64_t size) = 0;
  virtual int close(int fd) = 0;
  virtual int unlink(const std::string& path) = 0;
  /// Makes a directory's entries (created, renamed, removed files) durable.
  virtual int syncDirectory(const std::string& path) = 0;
  /// Starts writing [offset, offset+size) back to the device without waiting, so the next
  /// fdatasync has little left to do and the disk works while the writer encodes. A hint:
  /// failures are ignored.
  virtual void startWriteback(int fd, std::uint64_t offset, std::uint64_t size) {
    (void)fd, (void)offset, (void)size;
  }
};

/// The real thing. Stateless; one shared instance serves every journal.
std::shared_ptr<FileIo> posixFileIo();

/// Writes all of `size` bytes, retrying short writes and EINTR. 0 or -errno; on failure
/// `written` says how many bytes did land.
int writeAll(FileIo& io, int fd, const void* data, std::size_t size, std::uint64_t offset,
             std::size_t* written = nullptr);

/// "No space left on device (ENOSPC)".
std::string describeErrno(int error);

}  // namespace spindle::journal
