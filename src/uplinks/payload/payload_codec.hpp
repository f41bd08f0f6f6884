#pragma once
/// The data payload (docs/cloud-protocol.md): one NATS message carries observations of one
/// machine as JSON lines, a batch header line first, zstd-compressed above a threshold.
/// Pure code: no sockets, no clocks, no logging.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace spindle::uplinks {

inline constexpr std::string_view kBatchSchema = "spindle.batch.v1";
inline constexpr std::string_view kHfSchema = "spindle.hf.v1";

// Header names (NATS message headers).
inline constexpr const char* kHeaderMsgId = "Nats-Msg-Id";
inline constexpr const char* kHeaderSchema = "Spindle-Schema";
inline constexpr const char* kHeaderEncoding = "Spindle-Encoding";
inline constexpr const char* kHeaderSeq = "Spindle-Seq";
inline constexpr const char* kHeaderCount = "Spindle-Count";
inline constexpr const char* kHeaderJournal = "Spindle-Journal";

enum class Encoding { kIdentity, kZstd };
const char* toString(Encoding encoding);

/// "<edge>:<sequence>": the deduplication id of a message whose first observation has journal
/// sequence `firstSequence`.
std::string messageId(std::string_view edge, std::uint64_t journalId, std::uint64_t firstSequence);
/// A journal id as it appears in message ids and the Spindle-Journal header: 16 hex digits.
std::string journalIdText(std::uint64_t journalId);

/// Compresses with zstd above a size threshold. One per thread.
class Compressor {
 public:
  /// `threshold` bytes: payloads up to it stay as they are (0: never compress).
  Compressor(std::size_t threshold, int level);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  /// Leaves `raw` in `out` or compresses it there; returns which.
  Encoding pack(std::string_view raw, std::string& out);

 private:
  std::size_t m_threshold;
  int m_level;
  ZSTD_CCtx_s* m_cctx = nullptr;
};

/// Undoes Compressor::pack. Rejects frames over `maxSize` bytes decompressed.
Result<std::string> unpack(std::string_view body, Encoding encoding,
                           std::size_t maxSize = 64U << 20);
/// Reads a Spindle-Encoding header value ("identity" when absent).
Result<Encoding> parseEncoding(std::string_view text);

/// Some observations of one journal record (those of one machine, say): record[indices[k]]
/// has journal sequence firstSequence + indices[k].
struct RecordPart {
  std::span<const model::Observation> record;
  std::uint64_t firstSequence;
  std::span<const std::uint32_t> indices;  ///< strictly increasing, not empty
};

/// Builds `spindle.batch.v1` bodies. One per thread (keeps its buffers).
class BatchEncoder {
 public:
  explicit BatchEncoder(const model::ItemCatalog& catalog) : m_catalog(catalog) {}

  /// Appends the uncompressed body (header line + one line per observation) to `out`.
  void encode(std::string_view edge, std::string_view machine, const RecordPart& part,
              std::string& out);

 private:
  const model::ItemCatalog& m_catalog;
  std::string m_line;
};

/// A decoded `spindle.batch.v1` body (for tests, tools and the reference consumer).
struct DecodedBatch {
  std::string edge;
  std::string machine;
  std::uint64_t firstSeq = 0;
  std::uint64_t count = 0;
  std::vector<std::uint64_t> sequences;  ///< of each line, in order
  std::vector<std::string> lines;        ///< each observation line without its newline
};

/// Parses an uncompressed body; checks the schema, the count and every line's seq.
Result<DecodedBatch> decodeBatch(std::string_view body);

}  // namespace spindle::uplinks
