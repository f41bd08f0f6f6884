#include "journal/inspect.hpp"

#include <algorithm>
#include <filesystem>

#include "journal/batch_codec.hpp"
#include "journal/compression.hpp"
#include "journal/cursor_file.hpp"
#include "journal/format.hpp"
#include "journal/segment_reader.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;

struct Listing {
  std::vector<std::pair<std::uint64_t, std::string>> segments;
  std::vector<std::string> stray;
};

Result<Listing> listSegments(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error(ErrorCode::kNotFound, "not a directory").with("reading journal " + dir);
  }
  Listing out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::error_code typeError;
    const bool regular = fs::is_regular_file(entry.status(typeError));
    if (auto first = parseSegmentFileName(name); first && regular) {
      out.segments.emplace_back(*first, entry.path().string());
    } else if (name != "LOCK" && name != "cursors") {
      out.stray.push_back(name);
    }
  }
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("listing " + dir);
  std::sort(out.segments.begin(), out.segments.end());
  std::sort(out.stray.begin(), out.stray.end());
  return out;
}

// Checks one decoded-or-not payload; false when it cannot be decoded.
bool decodes(const SegmentEntry& e, Decompressor& unzip, BatchDecoder& decoder,
             model::Batch& scratch) {
  std::string_view payload = e.payload;
  if (e.header.flags & kRecordCompressed) {
    auto raw = unzip.decompress(payload, e.header.rawLength);
    if (!raw) return false;
    payload = *raw;
  }
  scratch.clear();
  return decoder.decode(payload, e.header.count, scratch).ok();
}

}  // namespace

std::uint64_t JournalReport::observations() const {
  std::uint64_t n = 0;
  for (const auto& s : segments) n += s.observations;
  return n;
}

std::uint64_t JournalReport::bytes() const {
  std::uint64_t n = 0;
  for (const auto& s : segments) n += s.bytes;
  return n;
}

std::uint64_t JournalReport::damagedRecords() const {
  std::uint64_t n = 0;
  for (const auto& s : segments) n += s.damage.size();
  return n;
}

bool JournalReport::clean() const {
  for (const auto& s : segments) {
    if (!s.damage.empty() || s.undecodable > 0 || !s.headerOk) return false;
  }
  return true;
}

Result<JournalReport> inspectJournal(const std::string& dir, bool decode) {
  auto listing = listSegments(dir);
  if (!listing) return std::move(listing).error();
  JournalReport report;
  report.dir = dir;
  report.strayFiles = listing->stray;
  model::ItemCatalog catalog;
  BatchDecoder decoder(catalog);
  Decompressor unzip;
  model::Batch scratch;
  const auto& segments = listing->segments;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    SegmentReport seg;
    seg.path = segments[i].second;
    seg.firstSequence = segments[i].first;
    const bool last = i + 1 == segments.size();
    const std::uint64_t nextFirst = last ? ~std::uint64_t{0} : segments[i + 1].first;
    auto reader = SegmentReader::open(seg.path);
    if (!reader) {
      seg.damage.push_back({0, 0, reader.error().describe()});
      report.segments.push_back(std::move(seg));
      continue;
    }
    seg.bytes = reader->fileSize();
    if (auto h = reader->header()) {
      seg.headerOk = true;
      seg.version = h->version;
      seg.created = h->created;
      seg.journalId = h->journalId;
    }
    std::uint64_t expected = seg.firstSequence;
    std::vector<SegmentEntry> pending;  // damage not yet known to be followed by a record
    while (true) {
      SegmentEntry e = reader->next();
      if (e.kind == SegmentEntry::Kind::kEnd) break;
      if (e.kind == SegmentEntry::Kind::kCorrupt) {
        e.payload = {};
        pending.push_back(std::move(e));
        continue;
      }
      for (auto& d : pending) seg.damage.push_back({d.offset, d.length, d.reason});
      pending.clear();
      const RecordHeader& h = e.header;
      if (h.firstSequence >= nextFirst) {
        ++seg.superseded;
        continue;
      }
      ++seg.records;
      if (h.flags & kRecordCompressed) ++seg.compressedRecords;
      seg.observations += h.count;
      if (seg.firstRecordSequence == 0) {
        seg.firstRecordSequence = h.firstSequence;
        seg.firstAppend = h.appendedAt;
      }
      if (h.firstSequence > expected) seg.gaps += h.firstSequence - expected;
      expected = std::max(expected, h.endSequence());
      seg.endSequence = expected;
      seg.lastAppend = h.appendedAt;
      if (decode && !decodes(e, unzip, decoder, scratch)) ++seg.undecodable;
    }
    for (std::size_t d = 0; d < pending.size(); ++d) {
      const bool completeRecord =
          pending[d].headerValid && pending[d].length == pending[d].header.totalSize();
      if (last && !completeRecord) {
        // Everything from here to the end is the tail the next open cuts (silently when it is
        // only a direct write's zero padding).
        const std::uint64_t offset = pending[d].offset;
        if (!isBlockPadding(seg.path, offset, seg.bytes - offset)) {
          seg.tornTail = DamageReport{offset, seg.bytes - offset, pending[d].reason};
        }
        break;
      }
      seg.damage.push_back({pending[d].offset, pending[d].length, pending[d].reason});
    }
    report.segments.push_back(std::move(seg));
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "cursors", ec)) {
    if (entry.path().extension() != ".cursor") continue;
    CursorReport c;
    c.name = entry.path().stem().string();
    c.path = entry.path().string();
    if (auto state = readCursorFile(c.path, &c.problem)) c.next = state->next;
    report.cursors.push_back(std::move(c));
  }
  std::sort(report.cursors.begin(), report.cursors.end(),
            [](const CursorReport& a, const CursorReport& b) { return a.name < b.name; });
  return report;
}

Result<std::uint64_t> dumpJournal(const std::string& dir, std::uint64_t from, std::uint64_t limit,
                                  const std::function<void(std::uint64_t, const model::Observation&,
                                                           const model::ItemCatalog&)>& visit) {
  auto listing = listSegments(dir);
  if (!listing) return std::move(listing).error();
  model::ItemCatalog catalog;
  BatchDecoder decoder(catalog);
  Decompressor unzip;
  model::Batch batch;
  std::uint64_t visited = 0;
  const auto& segments = listing->segments;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::uint64_t nextFirst =
        i + 1 == segments.size() ? ~std::uint64_t{0} : segments[i + 1].first;
    if (nextFirst <= from) continue;
    auto reader = SegmentReader::open(segments[i].second);
    if (!reader) continue;
    while (true) {
      const SegmentEntry e = reader->next();
      if (e.kind == SegmentEntry::Kind::kEnd) break;
      if (e.kind != SegmentEntry::Kind::kRecord) continue;
      const RecordHeader& h = e.header;
      if (h.endSequence() <= from || h.firstSequence >= nextFirst) continue;
      if (!decodes(e, unzip, decoder, batch)) continue;
      for (std::size_t k = 0; k < batch.size(); ++k) {
        const std::uint64_t sequence = h.firstSequence + k;
        if (sequence < from) continue;
        visit(sequence, batch[k], catalog);
        if (++visited == limit) return visited;
      }
    }
  }
  return visited;
}

}  // namespace spindle::journal
