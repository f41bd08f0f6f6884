#include "journal/file_io.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace spindle::journal {
namespace {

class PosixFileIo final : public FileIo {
 public:
  int open(const std::string& path, int flags, mode_t mode) override {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    return fd < 0 ? -errno : fd;
  }
  std::int64_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) override {
    const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    return n < 0 ? -errno : n;
  }
  int fdatasync(int fd) override { return ::fdatasync(fd) == 0 ? 0 : -errno; }
  int ftruncate(int fd, std::uint64_t size) override {
    return ::ftruncate(fd, static_cast<off_t>(size)) == 0 ? 0 : -errno;
  }
  int close(int fd) override { return ::close(fd) == 0 ? 0 : -errno; }
  int unlink(const std::string& path) override { return ::unlink(path.c_str()) == 0 ? 0 : -errno; }
  void startWriteback(int fd, std::uint64_t offset, std::uint64_t size) override {
    ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(size),
                      SYNC_FILE_RANGE_WRITE);
  }
  int syncDirectory(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    const int rc = ::fsync(fd) == 0 ? 0 : -errno;
    ::close(fd);
    return rc;
  }
};

}  // namespace

std::shared_ptr<FileIo> posixFileIo() {
  static const auto io = std::make_shared<PosixFileIo>();
  return io;
}

int writeAll(FileIo& io, int fd, const void* data, std::size_t size, std::uint64_t offset,
             std::size_t* written) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::size_t done = 0;
  int rc = 0;
  while (done < size) {
    const std::int64_t n = io.pwrite(fd, p + done, size - done, offset + done);
    if (n == -EINTR) continue;
    if (n < 0) {
      rc = static_cast<int>(n);
      break;
    }
    if (n == 0) {
      rc = -ENOSPC;  // a zero-byte write of a non-empty buffer: the device takes no more
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (written != nullptr) *written = done;
  return rc;
}

std::string describeErrno(int error) {
  if (error < 0) error = -error;
  const char* name = nullptr;
  switch (error) {
    case ENOSPC:
      name = "ENOSPC";
      break;
    case EIO:
      name = "EIO";
      break;
    case EDQUOT:
      name = "EDQUOT";
      break;
    case EROFS:
      name = "EROFS";
      break;
    case EACCES:
      name = "EACCES";
      break;
    case ENOENT:
      name = "ENOENT";
      break;
    default:
      break;
  }
  std::string text = std::strerror(error);
  if (name != nullptr) text += std::string(" (") + name + ")";
  return text;
}

}  // namespace spindle::journal
