#include "uplinks/delivery_cursor.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace spindle::uplinks {
namespace {

std::string sideFile(journal::Journal& journal, const std::string& name) {
  return journal.cursorPath(name) + ".acked";
}

}  // namespace

Result<AckTracker> loadCursor(journal::Journal& journal, const std::string& name,
                              spdlog::logger& log, std::optional<journal::CursorFile>& file) {
  const std::string path = journal.cursorPath(name);
  auto opened = journal::CursorFile::open(path, journal.io());
  if (!opened) return std::move(opened).error().with("uplink " + name);
  file = std::move(*opened);
  AckTracker tracker;
  if (const auto& loaded = file->loaded()) {
    tracker = AckTracker(loaded->next);
    for (const auto& [b, e] : loaded->acked) tracker.markAcked(b, e);
    log.info("resuming at sequence {}{}", loaded->next,
             loaded->acked.empty()
                 ? ""
                 : fmt::format(" ({} ranges above it already delivered)", loaded->acked.size()));
  } else {
    const std::uint64_t first = journal.firstSequence();
    tracker = AckTracker(first);
    if (file->wasMissing() || file->problem() == "empty cursor file") {
      log.info("new consumer: starting at the oldest observation held, sequence {}", first);
    } else {
      log.warn(
          "cursor {}: {}; starting at the oldest observation held (sequence {}): what was "
          "delivered from there is sent again, nothing is skipped",
          path, file->problem(), first);
    }
    // Written at once, so the next start finds a cursor, not an empty file.
    if (auto s = file->store(first, true); !s) log.error("{}", s.error().describe());
    (void)journal.io()->syncDirectory(std::filesystem::path(path).parent_path().string());
  }
  // An earlier version kept the ranges in a side file ("v1 <watermark> <b>-<e> ...").
  std::ifstream side(sideFile(journal, name));
  if (side) {
    std::stringstream text;
    text << side.rdbuf();
    if (auto old = AckTracker::parse(text.str())) {
      for (const auto& [b, e] : old->ranges()) tracker.markAcked(b, e);
      tracker.markAcked(tracker.watermark(), std::max(tracker.watermark(), old->watermark()));
    } else {
      log.warn("ignoring an unreadable {}", sideFile(journal, name));
    }
  }
  return tracker;
}

Status storeCursor(journal::Journal& journal, const std::string& name, journal::CursorFile& file,
                   const AckTracker& tracker, bool sync) {
  std::vector<journal::SequenceRange> ranges;
  ranges.reserve(std::min(tracker.ranges().size(), journal::kCursorMaxRanges));
  for (const auto& [b, e] : tracker.ranges()) {
    if (ranges.size() == journal::kCursorMaxRanges) break;
    ranges.emplace_back(b, e);
  }
  if (auto s = file.store(tracker.watermark(), sync, ranges); !s) return s;
  std::error_code ec;
  if (std::filesystem::exists(sideFile(journal, name), ec)) {
    std::filesystem::remove(sideFile(journal, name), ec);
  }
  return okStatus();
}

}  // namespace spindle::uplinks
