// Journal::recover(): what happens when a journal opens. Sealed segments are taken at their
// word (their header is checked; their records are checked when read); the active segment is
// scanned record by record, because a crash can only tear the segment being written.

#include <cerrno>
#include <filesystem>
#include <random>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/cursor_file.hpp"
#include "journal/journal.hpp"
#include "journal/segment_reader.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;

struct Found {
  std::string path;
  std::uint64_t first = 0;
  std::uint64_t size = 0;
  std::optional<SegmentHeader> header;
  TimestampNs modified = 0;
};

struct ActiveScan {
  std::uint64_t validEnd = kSegmentHeaderSize;  ///< end of the last sound record
  std::uint64_t lastEnd = 0;                    ///< sequence after the last sound record
  std::uint64_t highestSeen = 0;                ///< sequence after any record with a sound header
  TimestampNs lastAppend = 0;
  std::vector<SegmentEntry> damage;  ///< damaged stretches followed by sound records
  std::vector<SegmentEntry> tail;    ///< damaged stretches after the last sound record
};

ActiveScan scanActive(SegmentReader& reader) {
  ActiveScan scan;
  reader.seek(kSegmentHeaderSize);
  while (true) {
    SegmentEntry e = reader.next();
    if (e.kind == SegmentEntry::Kind::kEnd) break;
    // A complete record, even a damaged one, may have been read by a consumer: its sequences
    // are never given out again. A record cut short was never durable: they may be.
    if (e.headerValid && e.length == e.header.totalSize()) {
      scan.highestSeen = std::max(scan.highestSeen, e.header.endSequence());
    }
    if (e.kind == SegmentEntry::Kind::kCorrupt) {
      e.payload = {};
      scan.tail.push_back(std::move(e));
      continue;
    }
    // A sound record: the damage before it was mid-segment, not a torn tail.
    for (auto& d : scan.tail) scan.damage.push_back(std::move(d));
    scan.tail.clear();
    scan.validEnd = e.offset + e.length;
    scan.lastEnd = std::max(scan.lastEnd, e.header.endSequence());
    scan.lastAppend = e.header.appendedAt;
  }
  return scan;
}

TimestampNs modifiedTime(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<TimestampNs>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::string readBytes(const std::string& path, std::uint64_t offset, std::uint64_t length) {
  std::string out(length, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  const ssize_t n = ::pread(fd, out.data(), length, static_cast<off_t>(offset));
  ::close(fd);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return out;
}

std::uint64_t cursorFloor(const fs::path& dir) {
  std::uint64_t floor = 1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "cursors", ec)) {
    if (entry.path().extension() != ".cursor") continue;
    if (auto c = readCursorFile(entry.path().string())) floor = std::max(floor, c->next);
  }
  return floor;
}

}  // namespace

Status Journal::recover() {
  const auto started = std::chrono::steady_clock::now();
  const fs::path dir(m_settings.dir);
  std::error_code ec;
  fs::create_directories(dir / "cursors", ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating " + (dir / "cursors").string());
  m_lockFd = ::open((dir / "LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_lockFd < 0) return Error(ErrorCode::kIo, describeErrno(errno)).with("opening LOCK");
  if (::flock(m_lockFd, LOCK_EX | LOCK_NB) != 0) {
    return Error(ErrorCode::kUnavailable, "another process is using this journal");
  }

  std::vector<Found> found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    const auto first = parseSegmentFileName(name);
    if (!first) {
      if (entry.path().extension() == ".seg") m_log->warn("ignoring {}: not a segment name", name);
      continue;
    }
    std::error_code typeError;
    if (!fs::is_regular_file(entry.status(typeError))) {
      m_log->error("ignoring {}: named like a segment but not a regular file", name);
      continue;
    }
    found.push_back(Found{entry.path().string(), *first, 0, std::nullopt, 0});
  }
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("listing " + dir.string());
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.first < b.first; });

  std::optional<SegmentReader> activeReader;
  for (std::size_t i = 0; i < found.size(); ++i) {
    auto reader = SegmentReader::open(found[i].path);
    if (!reader) {
      m_log->error("{}; its records are left out", reader.error().describe());
      found.erase(found.begin() + static_cast<std::ptrdiff_t>(i--));
      continue;
    }
    found[i].size = reader->fileSize();
    found[i].header = reader->header();
    if (found[i].header && found[i].header->firstSequence != found[i].first) {
      // A segment copied or renamed by hand: its records are not where its name says.
      m_log->error(
          "ignoring {}: its header says it starts at sequence {}, its name says {} (a copied "
          "or renamed segment); move it away",
          found[i].path, found[i].header->firstSequence, found[i].first);
      found.erase(found.begin() + static_cast<std::ptrdiff_t>(i--));
      continue;
    }
    found[i].modified = modifiedTime(found[i].path);
    if (found[i].size <= kSegmentHeaderSize && i + 1 < found.size()) {
      m_log->warn("removing {}: it holds no records", found[i].path);
      m_io->unlink(found[i].path);
      found.erase(found.begin() + static_cast<std::ptrdiff_t>(i--));
      continue;
    }
    if (!found[i].header && found[i].size > kSegmentHeaderSize) {
      std::lock_guard lock(m_mutex);
      ++m_counters.corruptRecords;
      m_log->error("segment header of {} is damaged; its records are still read", found[i].path);
    }
  }
  // The journal is the one its newest segment names; a segment of another journal (copied in
  // by hand) is set aside.
  for (auto it = found.rbegin(); it != found.rend() && m_journalId == 0; ++it) {
    if (it->header) m_journalId = it->header->journalId;
  }
  std::erase_if(found, [&](const Found& f) {
    if (!f.header || f.header->journalId == m_journalId) return false;
    m_log->error("ignoring {}: it belongs to another journal (id {:016x}, this one {:016x})",
                 f.path, f.header->journalId, m_journalId);
    return true;
  });
  if (!found.empty()) {
    // The last segment left (any after it were set aside above) is the active one.
    auto reader = SegmentReader::open(found.back().path);
    if (!reader) return std::move(reader).error().with("reopening the active segment");
    activeReader = std::move(*reader);
  }
  if (m_journalId == 0) {
    std::random_device random;
    m_journalId = (static_cast<std::uint64_t>(random()) << 32) | random();
  }

  for (std::size_t i = 0; i + 1 < found.size(); ++i) {
    const auto& next = found[i + 1];
    m_segments.push_back(Segment{found[i].path, found[i].first, found[i].size,
                                 next.header ? next.header->created : found[i].modified});
  }
  const std::uint64_t floor = cursorFloor(dir);
  auto setDurable = [this](std::uint64_t sequence) {
    std::lock_guard lock(m_mutex);
    m_durableEnd = sequence;
  };
  if (found.empty()) {
    m_next = floor;
    setDurable(m_next);
    // A failure here (a full disk) leaves the journal stalled, not the process stopped.
    (void)createSegment(m_next);
    m_sharedNext.store(m_next);
    loadConsumers();
    checkIdentity();
    m_log->info("journal {} created (fsync {}, max_size {}, policy {})", m_settings.dir,
                toString(m_settings.sync), formatByteSize(ByteSize{m_settings.maxSize}),
                m_settings.policy == FullPolicy::kBlock ? "block" : "drop_oldest");
    return okStatus();
  }

  Found& active = found.back();
  const ActiveScan scan = scanActive(*activeReader);
  for (const auto& d : scan.damage) reportCorrupt(active.path, d.offset, d.length, d.reason);
  for (const auto& d : scan.tail) {
    // A complete record whose payload fails its checksum was damaged after it was written;
    // anything else at the tail is a write the crash cut short.
    if (d.headerValid && d.length == d.header.totalSize()) {
      reportCorrupt(active.path, d.offset, d.length, d.reason);
    }
  }
  m_next = std::max({active.first, scan.lastEnd, scan.highestSeen, floor});
  m_lastAppend = scan.lastAppend != 0 ? scan.lastAppend
                                      : (active.header ? active.header->created : active.modified);
  if (scan.validEnd < active.size) {
    // Read before cutting: whether the tail is only the zero padding of a direct write.
    const std::uint64_t cut = active.size - scan.validEnd;
    const bool padding = isBlockPadding(active.path, scan.validEnd, cut);
    const int fd = m_io->open(active.path, O_WRONLY, 0);
    int rc = fd < 0 ? fd : m_io->ftruncate(fd, scan.validEnd);
    if (rc == 0) rc = m_io->fdatasync(fd);
    if (fd >= 0) m_io->close(fd);
    if (rc != 0) {
      m_log->error("cannot cut the torn tail of {}: {}", active.path, describeErrno(rc));
    } else if (padding) {
      m_log->debug("cut {} bytes of block padding at the end of {}", cut, active.path);
    } else {
      m_log->warn(
          "cut a torn tail of {} bytes at offset {} of {} (a write the last run did "
          "not finish; never reported durable)",
          cut, scan.validEnd, active.path);
      std::lock_guard lock(m_mutex);
      m_counters.tornBytes += cut;
    }
    active.size = scan.validEnd;
  }

  const bool usable = active.header.has_value() && active.size >= kSegmentHeaderSize;
  if (usable) {
    bool direct = false;
    m_fd = openSegmentForAppend(active.path, 0, direct);
    if (m_fd < 0) {
      return Error(ErrorCode::kIo, describeErrno(m_fd)).with("opening " + active.path);
    }
    m_bufferBase = scan.validEnd;
    m_writer.reset(direct, scan.validEnd,
                   readBytes(active.path, scan.validEnd & ~std::uint64_t{BlockWriter::kBlock - 1},
                             scan.validEnd % BlockWriter::kBlock));
    m_segments.push_back(Segment{active.path, active.first, scan.validEnd, m_lastAppend});
    publish(scan.validEnd, m_next);
  } else {
    // A damaged or half-created header: keep what it holds as a sealed segment (or nothing),
    // and continue in a fresh one.
    if (scan.lastEnd > 0) {
      m_segments.push_back(Segment{active.path, active.first, scan.validEnd, m_lastAppend});
    } else {
      m_io->unlink(active.path);
    }
    setDurable(m_next);
    (void)createSegment(m_next);
  }
  m_sharedNext.store(m_next);
  m_sharedActiveBytes.store(activeEnd());
  loadConsumers();
  checkIdentity();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  const auto st = stats();
  m_log->info("journal {} opened in {} ms: {} segments, {}, sequences {}-{}", m_settings.dir,
              elapsed.count(), st.segments, formatByteSize(ByteSize{st.bytes}), st.firstSequence,
              m_next - 1);
  return okStatus();
}

}  // namespace spindle::journal
