#include "journal/journal_reader.hpp"

#include <algorithm>

namespace spindle::journal {

JournalReader::JournalReader(const Journal& journal, model::ItemCatalog& catalog,
                             std::uint64_t from, std::shared_ptr<spdlog::logger> log)
    : m_journal(journal), m_decoder(catalog), m_log(std::move(log)), m_position(from) {}

void JournalReader::seek(std::uint64_t sequence) {
  m_position = sequence;
  m_segment.reset();
}

bool JournalReader::openSegment(const SegmentView& view) {
  if (m_segment && m_segmentFirst == view.firstSequence && m_segment->path() == view.path) {
    return true;
  }
  auto reader = SegmentReader::open(view.path);
  if (!reader) {
    // Dropped by retention between the lookup and the open: the next lookup moves on.
    m_segment.reset();
    return false;
  }
  m_segment = std::move(*reader);
  m_segmentFirst = view.firstSequence;
  m_segment->seek(kSegmentHeaderSize);
  return true;
}

ReadChunk JournalReader::read(std::size_t maxObservations, std::size_t maxBytes) {
  ReadChunk chunk;
  chunk.firstSequence = m_position;
  model::Batch decoded;
  std::size_t bytes = 0;  // the chunk's records' payloads, decompressed
  while (true) {
    const auto view = m_journal.segmentFor(m_position);
    if (!view) break;  // nothing durable past the position yet
    if (m_position < view->firstSequence) {
      if (!chunk.observations.empty()) break;  // report the gap with the next chunk
      chunk.evicted += view->firstSequence - m_position;
      m_position = view->firstSequence;
      chunk.firstSequence = m_position;
    }
    if (!openSegment(*view)) break;  // removed meanwhile; the next read looks again
    m_segment->setLimit(view->readableBytes);
    const std::uint64_t at = m_segment->position();
    SegmentEntry e = m_segment->next();
    const bool past =
        e.kind == SegmentEntry::Kind::kRecord && e.header.firstSequence >= view->endSequence;
    if (e.kind == SegmentEntry::Kind::kEnd || past) {
      // The segment is read up to what is durable; whatever it lacked below its end sequence
      // (the next segment's first, or the durable end) was lost to damage.
      if (!chunk.observations.empty()) break;
      if (view->active) {
        if (view->endSequence > m_position) {
          chunk.damaged += view->endSequence - m_position;
          m_position = view->endSequence;
          chunk.firstSequence = m_position;
        }
        break;  // caught up with the writer
      }
      if (view->endSequence > m_position) {
        chunk.damaged += view->endSequence - m_position;
        m_position = view->endSequence;
        chunk.firstSequence = m_position;
      }
      m_segment.reset();
      continue;
    }
    if (e.kind == SegmentEntry::Kind::kCorrupt) {
      journal().reportCorrupt(view->path, e.offset, e.length, e.reason);
      continue;
    }
    const RecordHeader& h = e.header;
    if (h.endSequence() <= m_position) continue;  // before the position: already delivered
    if (h.firstSequence > m_position) {
      if (!chunk.observations.empty()) {
        m_segment->seek(at);  // the gap is reported with the next chunk
        break;
      }
      chunk.damaged += h.firstSequence - m_position;
      m_position = h.firstSequence;
      chunk.firstSequence = m_position;
    }
    const std::size_t rawBytes = (h.flags & kRecordCompressed) ? h.rawLength : e.payload.size();
    if (!chunk.observations.empty() &&
        (chunk.observations.size() + h.count > std::max<std::size_t>(1, maxObservations) ||
         bytes + rawBytes > maxBytes)) {
      m_segment->seek(at);
      break;
    }
    std::string_view payload = e.payload;
    if (h.flags & kRecordCompressed) {
      auto raw = m_decompressor.decompress(payload, h.rawLength);
      if (!raw) {
        journal().reportCorrupt(view->path, e.offset, e.length, raw.error().describe());
        continue;
      }
      payload = *raw;
    }
    decoded.clear();
    if (auto s = m_decoder.decode(payload, h.count, decoded); !s) {
      journal().reportCorrupt(view->path, e.offset, e.length, s.error().describe());
      continue;
    }
    const std::uint64_t skip = m_position - h.firstSequence;  // a position inside the record
    const auto begin = decoded.begin() + static_cast<std::ptrdiff_t>(skip);
    chunk.observations.insert(chunk.observations.end(), std::make_move_iterator(begin),
                              std::make_move_iterator(decoded.end()));
    chunk.records.push_back(static_cast<std::uint32_t>(h.count - skip));
    m_position = h.endSequence();
    bytes += rawBytes;
    if (chunk.observations.size() >= maxObservations || bytes >= maxBytes) break;
  }
  return chunk;
}

}  // namespace spindle::journal
