#pragma once
/// A FileIo over the real file system that pretends the disk holds only `capacity` bytes of
/// segment files (writes past it land partly, then fail with ENOSPC, as on a full disk), and
/// can fail the next fdatasync calls with EIO or make them slow.

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>

#include "journal/file_io.hpp"

namespace spindle::journal::testing {

class FaultyFileIo final : public FileIo {
 public:
  FaultyFileIo(std::string dir, std::uint64_t capacity)
      : m_dir(std::move(dir)), m_capacity(capacity) {}

  void setCapacity(std::uint64_t bytes) { m_capacity = bytes; }
  void failSyncs(int count) { m_failSyncs = count; }
  /// Every fdatasync takes at least this long (a slow or busy disk).
  void delaySyncs(std::chrono::milliseconds delay) { m_syncDelay = delay; }
  /// Creating files fails with ENOSPC (a full directory or inode table) while set.
  void failCreates(bool fail) { m_failCreates = fail; }
  int enospcCount() const { return m_enospc.load(); }

  int open(const std::string& path, int flags, mode_t mode) override {
    if ((flags & O_CREAT) && m_failCreates) return -ENOSPC;
    return m_real->open(path, flags, mode);
  }
  std::int64_t pwrite(int fd, const void* data, std::size_t size, std::uint64_t offset) override {
    std::lock_guard lock(m_mutex);
    struct stat st {};
    ::fstat(fd, &st);
    const std::uint64_t fileSize = static_cast<std::uint64_t>(st.st_size);
    const std::uint64_t growth = offset + size > fileSize ? offset + size - fileSize : 0;
    const std::uint64_t used = usedBytes();
    if (growth > 0 && used + growth > m_capacity) {
      const std::uint64_t room = m_capacity > used ? m_capacity - used : 0;
      std::uint64_t allowed = (fileSize > offset ? fileSize - offset : 0) + room;
      if (::fcntl(fd, F_GETFL) & O_DIRECT) allowed &= ~std::uint64_t{4095};  // whole blocks
      ++m_enospc;
      if (allowed == 0 || offset > fileSize) return -ENOSPC;
      return m_real->pwrite(fd, data, std::min<std::uint64_t>(size, allowed), offset);
    }
    return m_real->pwrite(fd, data, size, offset);
  }
  int fdatasync(int fd) override {
    if (m_failSyncs > 0) {
      --m_failSyncs;
      return -EIO;
    }
    if (const auto delay = m_syncDelay.load(); delay.count() > 0) {
      std::this_thread::sleep_for(delay);
    }
    return m_real->fdatasync(fd);
  }
  int ftruncate(int fd, std::uint64_t size) override { return m_real->ftruncate(fd, size); }
  int close(int fd) override { return m_real->close(fd); }
  int unlink(const std::string& path) override { return m_real->unlink(path); }
  int syncDirectory(const std::string& path) override { return m_real->syncDirectory(path); }

 private:
  std::uint64_t usedBytes() const {
    std::uint64_t total = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(m_dir, ec)) {
      if (e.path().extension() == ".seg") total += e.file_size(ec);
    }
    return total;
  }

  std::shared_ptr<FileIo> m_real = posixFileIo();
  std::string m_dir;
  std::atomic<std::uint64_t> m_capacity;
  std::atomic<int> m_failSyncs{0};
  std::atomic<std::chrono::milliseconds> m_syncDelay{std::chrono::milliseconds(0)};
  std::atomic<bool> m_failCreates{false};
  std::atomic<int> m_enospc{0};
  std::mutex m_mutex;
};

}  // namespace spindle::journal::testing
