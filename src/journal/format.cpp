#include "journal/format.hpp"

#include <charconv>
#include <cstring>

#include "journal/crc32c.hpp"

namespace spindle::journal {

// Segment header: magic[8] version u16 headerSize u16 flags u32 firstSequence u64 created i64
// journalId u64 reserved[20] crc u32 (over bytes 0..59).
void encodeSegmentHeader(const SegmentHeader& header, unsigned char out[kSegmentHeaderSize]) {
  std::memset(out, 0, kSegmentHeaderSize);
  std::memcpy(out, kSegmentMagic, 8);
  putU16(out + 8, header.version);
  putU16(out + 10, kSegmentHeaderSize);
  putU32(out + 12, 0);
  putU64(out + 16, header.firstSequence);
  putU64(out + 24, static_cast<std::uint64_t>(header.created));
  putU64(out + 32, header.journalId);
  putU32(out + 60, crc32c(out, 60));
}

std::optional<SegmentHeader> decodeSegmentHeader(const unsigned char* bytes) {
  if (std::memcmp(bytes, kSegmentMagic, 8) != 0) return std::nullopt;
  if (getU32(bytes + 60) != crc32c(bytes, 60)) return std::nullopt;
  SegmentHeader h;
  h.version = getU16(bytes + 8);
  if (h.version == 0 || h.version > kFormatVersion) return std::nullopt;
  if (getU16(bytes + 10) != kSegmentHeaderSize) return std::nullopt;
  h.firstSequence = getU64(bytes + 16);
  h.created = static_cast<TimestampNs>(getU64(bytes + 24));
  h.journalId = getU64(bytes + 32);
  return h;
}

// Record header: magic u32, headerCrc u32 (over bytes 8..47), payloadCrc u32, version u8,
// flags u8, type u8, reserved u8, storedLength u32, rawLength u32, firstSequence u64,
// count u32, reserved u32, appendedAt i64.
void encodeRecordHeader(const RecordHeader& header, unsigned char out[kRecordHeaderSize]) {
  putU32(out, kRecordMagic);
  putU32(out + 8, header.payloadCrc);
  out[12] = header.version;
  out[13] = header.flags;
  out[14] = static_cast<unsigned char>(header.type);
  out[15] = 0;
  putU32(out + 16, header.storedLength);
  putU32(out + 20, header.rawLength);
  putU64(out + 24, header.firstSequence);
  putU32(out + 32, header.count);
  putU32(out + 36, 0);
  putU64(out + 40, static_cast<std::uint64_t>(header.appendedAt));
  putU32(out + 4, crc32c(out + 8, kRecordHeaderSize - 8));
}

HeaderCheck decodeRecordHeader(const unsigned char* bytes, RecordHeader& out) {
  if (getU32(bytes) != kRecordMagic) return HeaderCheck::kBadMagic;
  if (getU32(bytes + 4) != crc32c(bytes + 8, kRecordHeaderSize - 8)) return HeaderCheck::kBadCrc;
  out.payloadCrc = getU32(bytes + 8);
  out.version = bytes[12];
  out.flags = bytes[13];
  out.type = static_cast<RecordType>(bytes[14]);
  out.storedLength = getU32(bytes + 16);
  out.rawLength = getU32(bytes + 20);
  out.firstSequence = getU64(bytes + 24);
  out.count = getU32(bytes + 32);
  out.appendedAt = static_cast<TimestampNs>(getU64(bytes + 40));
  if (out.version == 0 || out.version > kFormatVersion) return HeaderCheck::kUnsupported;
  if (out.type != RecordType::kBatch || (out.flags & ~kRecordCompressed) != 0) {
    return HeaderCheck::kUnsupported;
  }
  if (out.count == 0 || out.firstSequence == 0 || out.storedLength > kMaxPayload ||
      out.rawLength > kMaxPayload ||
      (!(out.flags & kRecordCompressed) && out.rawLength != out.storedLength)) {
    return HeaderCheck::kBadFields;
  }
  return HeaderCheck::kOk;
}

const char* toString(HeaderCheck check) {
  switch (check) {
    case HeaderCheck::kOk:
      return "ok";
    case HeaderCheck::kBadMagic:
      return "no record magic";
    case HeaderCheck::kBadCrc:
      return "record header checksum mismatch";
    case HeaderCheck::kUnsupported:
      return "record version or type unknown to this build";
    case HeaderCheck::kBadFields:
      return "record header fields out of range";
  }
  return "?";
}

std::string segmentFileName(std::uint64_t firstSequence) {
  std::string digits = std::to_string(firstSequence);
  return std::string(20 - std::min<std::size_t>(20, digits.size()), '0') + digits + ".seg";
}

std::optional<std::uint64_t> parseSegmentFileName(std::string_view name) {
  if (name.size() != 24 || name.substr(20) != ".seg") return std::nullopt;
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(name.data(), name.data() + 20, value);
  if (ec != std::errc() || ptr != name.data() + 20 || value == 0) return std::nullopt;
  return value;
}

}  // namespace spindle::journal
