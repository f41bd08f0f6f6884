#include "uplinks/payload/payload_codec.hpp"

#include <charconv>

#include <nlohmann/json.hpp>
#include <zstd.h>

#include "model/json_encoder.hpp"

namespace spindle::uplinks {
namespace {

void appendUint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ptr);
}

}  // namespace

const char* toString(Encoding encoding) {
  return encoding == Encoding::kZstd ? "zstd" : "identity";
}

Result<Encoding> parseEncoding(std::string_view text) {
  if (text.empty() || text == "identity") return Encoding::kIdentity;
  if (text == "zstd") return Encoding::kZstd;
  return Error(ErrorCode::kProtocol, "unknown Spindle-Encoding '" + std::string(text) + "'");
}

std::string journalIdText(std::uint64_t journalId) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, journalId >>= 4)
    text[static_cast<std::size_t>(i)] = kHex[journalId & 15];
  return text;
}

std::string messageId(std::string_view edge, std::uint64_t journalId, std::uint64_t firstSequence) {
  std::string id(edge);
  id += ':';
  if (journalId != 0) {
    id += journalIdText(journalId);
    id += ':';
  }
  appendUint(id, firstSequence);
  return id;
}

Compressor::Compressor(std::size_t threshold, int level)
    : m_threshold(threshold), m_level(level), m_cctx(ZSTD_createCCtx()) {}

Compressor::~Compressor() { ZSTD_freeCCtx(m_cctx); }

Encoding Compressor::pack(std::string_view raw, std::string& out) {
  if (m_threshold == 0 || raw.size() <= m_threshold || m_cctx == nullptr) {
    out.assign(raw);
    return Encoding::kIdentity;
  }
  out.resize(ZSTD_compressBound(raw.size()));
  const size_t n =
      ZSTD_compressCCtx(m_cctx, out.data(), out.size(), raw.data(), raw.size(), m_level);
  if (ZSTD_isError(n) || n >= raw.size()) {  // incompressible: send as is
    out.assign(raw);
    return Encoding::kIdentity;
  }
  out.resize(n);
  return Encoding::kZstd;
}

Result<std::string> unpack(std::string_view body, Encoding encoding, std::size_t maxSize) {
  if (encoding == Encoding::kIdentity) return std::string(body);
  const unsigned long long size = ZSTD_getFrameContentSize(body.data(), body.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    return Error(ErrorCode::kProtocol, "not a zstd frame with a known size");
  }
  if (size > maxSize) {
    return Error(ErrorCode::kProtocol,
                 "zstd frame of " + std::to_string(size) + " bytes is too big");
  }
  std::string out(size, '\0');
  const size_t n = ZSTD_decompress(out.data(), out.size(), body.data(), body.size());
  if (ZSTD_isError(n) || n != size) {
    return Error(ErrorCode::kProtocol, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  return out;
}

void BatchEncoder::encode(std::string_view edge, std::string_view machine, const RecordPart& part,
                          std::string& out) {
  const std::size_t n = part.indices.size();
  out += "{\"schema\":\"";
  out += kBatchSchema;
  out += "\",\"edge\":";
  model::appendJsonString(out, edge);
  out += ",\"machine\":";
  model::appendJsonString(out, machine);
  out += ",\"first_seq\":";
  appendUint(out, n ? part.firstSequence + part.indices.front() : 0);
  out += ",\"last_seq\":";
  appendUint(out, n ? part.firstSequence + part.indices.back() : 0);
  out += ",\"count\":";
  appendUint(out, n);
  out += "}\n";
  for (const std::uint32_t i : part.indices) {
    // An observation line is the product's one JSON form (model::appendJsonLine) with the
    // journal sequence in front.
    m_line.clear();
    model::appendJsonLine(m_line, part.record[i], m_catalog);
    out += "{\"seq\":";
    appendUint(out, part.firstSequence + i);
    out += ',';
    out.append(m_line, 1, std::string::npos);
  }
}

Result<DecodedBatch> decodeBatch(std::string_view body) {
  DecodedBatch out;
  size_t pos = 0;
  auto nextLine = [&](std::string_view& line) {
    if (pos >= body.size()) return false;
    const size_t end = body.find('\n', pos);
    if (end == std::string_view::npos) {
      line = body.substr(pos);
      pos = body.size();
    } else {
      line = body.substr(pos, end - pos);
      pos = end + 1;
    }
    return true;
  };
  std::string_view line;
  if (!nextLine(line)) return Error(ErrorCode::kProtocol, "empty batch body");
  const auto header = nlohmann::json::parse(line, nullptr, false);
  if (header.is_discarded() || !header.is_object()) {
    return Error(ErrorCode::kProtocol, "the header line is not a JSON object");
  }
  if (header.value("schema", "") != kBatchSchema) {
    return Error(ErrorCode::kProtocol, "unknown schema '" + header.value("schema", "") + "'");
  }
  out.edge = header.value("edge", "");
  out.machine = header.value("machine", "");
  out.firstSeq = header.value("first_seq", std::uint64_t{0});
  out.count = header.value("count", std::uint64_t{0});
  while (nextLine(line)) {
    if (line.empty()) continue;
    const auto obs = nlohmann::json::parse(line, nullptr, false);
    if (obs.is_discarded() || !obs.is_object() || !obs.contains("seq") ||
        !obs["seq"].is_number_unsigned()) {
      return Error(ErrorCode::kProtocol, "line " + std::to_string(out.lines.size() + 2) +
                                             " is not an observation with a seq");
    }
    const auto seq = obs["seq"].get<std::uint64_t>();
    if (!out.sequences.empty() && seq <= out.sequences.back()) {
      return Error(ErrorCode::kProtocol, "sequences are not increasing");
    }
    out.sequences.push_back(seq);
    out.lines.emplace_back(line);
  }
  if (out.lines.size() != out.count) {
    return Error(ErrorCode::kProtocol, "header says " + std::to_string(out.count) +
                                           " observations, body holds " +
                                           std::to_string(out.lines.size()));
  }
  if (out.count > 0 && out.sequences.front() != out.firstSeq) {
    return Error(ErrorCode::kProtocol, "first_seq does not match the first line");
  }
  return out;
}

}  // namespace spindle::uplinks
