#pragma once
/// The journal's on-disk layout, byte by byte (docs/journal-format.md is the prose version):
/// segment files named <first sequence, 20 digits>.seg, each a 64-byte segment header followed
/// by records; each record a 48-byte header and a payload (one batch of observations).
/// All integers are little-endian. Pure functions: no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"

namespace spindle::journal {

/// The newest format this build writes; it reads every version from 1 up to this one.
constexpr std::uint16_t kFormatVersion = 1;

constexpr std::size_t kSegmentHeaderSize = 64;
constexpr std::size_t kRecordHeaderSize = 48;
constexpr char kSegmentMagic[8] = {'S', 'P', 'N', 'D', 'L', 'S', 'E', 'G'};
constexpr std::uint32_t kRecordMagic = 0x724A7053;  ///< bytes "SpJr"
/// A record's stored payload is never larger than this; a header claiming more is corrupt.
constexpr std::uint32_t kMaxPayload = 256u << 20;

enum RecordFlags : std::uint8_t {
  kRecordCompressed = 1 << 0,  ///< the payload is one zstd frame of rawLength bytes
};

enum class RecordType : std::uint8_t {
  kBatch = 1,  ///< a batch of `count` observations, sequences firstSequence..+count-1
};

struct SegmentHeader {
  std::uint16_t version = kFormatVersion;
  std::uint64_t firstSequence = 0;  ///< sequence of the first observation this segment holds
  TimestampNs created = 0;          ///< wall clock when the writer created the file
  std::uint64_t journalId = 0;      ///< random, the same in every segment of one journal
};

struct RecordHeader {
  std::uint32_t payloadCrc = 0;  ///< CRC32C of the stored payload bytes
  std::uint8_t version = kFormatVersion;
  std::uint8_t flags = 0;
  RecordType type = RecordType::kBatch;
  std::uint32_t storedLength = 0;  ///< payload bytes that follow the header
  std::uint32_t rawLength = 0;     ///< payload bytes after decompression
  std::uint64_t firstSequence = 0;
  std::uint32_t count = 0;     ///< observations in the batch (>= 1)
  TimestampNs appendedAt = 0;  ///< wall clock when the writer appended it

  std::uint64_t endSequence() const { return firstSequence + count; }
  std::uint64_t totalSize() const { return kRecordHeaderSize + storedLength; }
};

void encodeSegmentHeader(const SegmentHeader& header, unsigned char out[kSegmentHeaderSize]);
/// Nullopt when the magic, CRC or version is wrong (a version newer than this build's too).
std::optional<SegmentHeader> decodeSegmentHeader(const unsigned char* bytes);

/// Fills in the header CRC; `payloadCrc` must already be set.
void encodeRecordHeader(const RecordHeader& header, unsigned char out[kRecordHeaderSize]);

enum class HeaderCheck {
  kOk,
  kBadMagic,     ///< not the start of a record
  kBadCrc,       ///< the header's own checksum fails
  kUnsupported,  ///< a version or type this build does not know
  kBadFields,    ///< checksum fine but the fields are impossible (count 0, huge length)
};
const char* toString(HeaderCheck check);

/// Decodes and checks the 48 bytes at `bytes` into `out`.
HeaderCheck decodeRecordHeader(const unsigned char* bytes, RecordHeader& out);

/// "00000000000000000001.seg".
std::string segmentFileName(std::uint64_t firstSequence);
/// The first sequence from a segment file name; nullopt for any other name.
std::optional<std::uint64_t> parseSegmentFileName(std::string_view name);

// Little-endian helpers shared by the codecs.
inline void putU16(unsigned char* p, std::uint16_t v) {
  p[0] = static_cast<unsigned char>(v);
  p[1] = static_cast<unsigned char>(v >> 8);
}
inline void putU32(unsigned char* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline void putU64(unsigned char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}
inline std::uint16_t getU16(const unsigned char* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t getU32(const unsigned char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline std::uint64_t getU64(const unsigned char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace spindle::journal
