#pragma once
/// Reads durable observations back from a journal, in sequence order, from any position:
/// what a consumer uses to feed its uplink. Only records the writer has published (made
/// durable) are visible, so nothing read can disappear in a crash.

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "journal/batch_codec.hpp"
#include "journal/compression.hpp"
#include "journal/journal.hpp"
#include "journal/segment_reader.hpp"

namespace spindle::journal {

/// Contiguous observations from one or more whole records.
struct ReadChunk {
  std::uint64_t firstSequence = 0;     ///< sequence of observations[0]
  model::Batch observations;           ///< observation i has sequence firstSequence + i
  std::vector<std::uint32_t> records;  ///< observations per record, in order
  std::uint64_t evicted = 0;  ///< observations skipped before this chunk: dropped by retention
  std::uint64_t damaged = 0;  ///< observations skipped before this chunk: in damaged records
  std::uint64_t endSequence() const { return firstSequence + observations.size(); }
};

/// Thread safety: one thread at a time; many readers may share one journal.
class JournalReader {
 public:
  /// Starts at `from` (the next sequence wanted). Observations get ids from `catalog`.
  JournalReader(const Journal& journal, model::ItemCatalog& catalog, std::uint64_t from,
                std::shared_ptr<spdlog::logger> log);

  /// Up to `maxObservations` contiguous durable observations from position(), in records
  /// whose encoded payloads add up to no more than `maxBytes` (so long texts cannot make a
  /// chunk large); always whole records, at least one. An empty chunk means nothing durable
  /// waits now; gaps (retention, damage) are reported in `evicted` and `damaged` and skipped.
  ReadChunk read(std::size_t maxObservations,
                 std::size_t maxBytes = std::numeric_limits<std::size_t>::max());

  /// The next sequence read() will return.
  std::uint64_t position() const { return m_position; }
  void seek(std::uint64_t sequence);

 private:
  bool openSegment(const SegmentView& view);
  // Journal is const for readers except for damage reports.
  Journal& journal() { return const_cast<Journal&>(m_journal); }

  const Journal& m_journal;
  BatchDecoder m_decoder;
  Decompressor m_decompressor;
  std::shared_ptr<spdlog::logger> m_log;
  std::uint64_t m_position;
  std::optional<SegmentReader> m_segment;
  std::uint64_t m_segmentFirst = 0;
};

}  // namespace spindle::journal
