#pragma once
/// Appends a byte stream to a segment file either through the page cache (plain pwrite) or
/// with O_DIRECT, which writes from memory straight to the device. O_DIRECT needs whole aligned
/// blocks, so the writer keeps the bytes of the last, partial block and writes that block again,
/// padded with zeros, together with what follows. The file may thus end in up to one block of
/// zero padding past the logical end; the journal cuts it when it seals or closes the segment,
/// and recovery recognises it after a crash.
///
/// Direct writes are double-buffered: append() copies into a 1 MiB stage and hands full stages
/// to a helper thread that writes them, so the journal's writer encodes the next records while
/// the device takes the previous ones. flush() writes the rest and waits; only after it are the
/// bytes known to be written. The helper thread is an I/O detail of the one journal writer: it
/// runs only that writer's writes, in order.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "journal/file_io.hpp"

namespace spindle::journal {

/// Thread safety: one thread calls every member.
class BlockWriter {
 public:
  static constexpr std::size_t kBlock = 4096;
  /// 1 MiB: writes that large already run at the device's bandwidth, and the two stages are
  /// most of the journal's memory (4 MiB stages made 8 MiB of a small edge's footprint).
  static constexpr std::size_t kStage = 1 << 20;

  BlockWriter() = default;
  ~BlockWriter();
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;

  /// Starts a file whose logical end is `end`; `tail` holds the file's bytes from
  /// alignDown(end) to `end` (ignored unless `direct`). Waits for writes still in flight to the
  /// previous file and forgets their outcome.
  void reset(bool direct, std::uint64_t end, std::string_view tail);
  bool direct() const { return m_direct; }
  /// The logical end of the bytes accepted. After a failed append() or flush() it is moved back
  /// to where the file is known to be written, so the caller offers the rest again from there.
  std::uint64_t end() const { return m_end; }

  /// Writes (plain) or stages (direct) `data` at end(). 0 or -errno (also an earlier staged
  /// write's failure, reported once); `consumed` is how far end() moved.
  int append(FileIo& io, int fd, std::string_view data, std::size_t* consumed);
  /// Direct: writes what is staged and waits for every write; 0 or -errno. Plain: nothing to do.
  int flush(FileIo& io, int fd);

 private:
  struct Stage {
    unsigned char* bytes = nullptr;
    std::uint64_t fileOffset = 0;  ///< block-aligned offset of bytes[0]
    std::size_t logical = 0;       ///< bytes of real data in it
    bool busy = false;             ///< handed to the helper thread
  };
  struct Job {
    Stage* stage;
    FileIo* io;
    int fd;
  };

  void submit(FileIo& io, int fd);
  void waitIdle(std::unique_lock<std::mutex>& lock);
  int takeError();
  void run();

  bool m_direct = false;
  std::uint64_t m_end = 0;
  std::string m_tail;  ///< direct: the bytes from alignDown(m_end) to m_end, when not staged
  Stage m_stages[2];
  int m_filling = 0;      ///< index of the stage append() fills
  bool m_staged = false;  ///< m_stages[m_filling] holds data (starting with the tail)
  bool m_dirty = false;   ///< ... and some of it is new

  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<Job> m_jobs;
  bool m_stop = false;
  int m_error = 0;  ///< first failure since the last takeError()
  std::uint64_t m_confirmedEnd = 0;
  std::string m_confirmedTail;  ///< the tail at m_confirmedEnd
  std::thread m_thread;
};

}  // namespace spindle::journal
