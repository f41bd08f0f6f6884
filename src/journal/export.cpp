#include "journal/export.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include "journal/batch_codec.hpp"
#include "journal/compression.hpp"
#include "journal/format.hpp"
#include "journal/segment_reader.hpp"
#include "model/json_encoder.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAcceptedForms =
    "use RFC 3339 with a zone (2026-12-06T05:00:00Z, 2026-12-06T05:00:00.250Z, "
    "2026-12-06T07:00:00+02:00) or a date (2026-12-06, its midnight UTC)";

/// Lines are gathered up to this size before they go to the compressor or the output.
constexpr std::size_t kChunk = 64 * 1024;

bool validDay(std::string_view date) {
  const auto num = [&](std::size_t at, std::size_t n) {
    unsigned v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + static_cast<unsigned>(date[i] - '0');
    return v;
  };
  const unsigned year = num(0, 4), month = num(5, 2), day = num(8, 2);
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month != 2 || day <= 28 || leap;
}

Error badTime(std::string_view text) {
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("cannot read the time '{}': {}", text, kAcceptedForms));
}

/// Writes raw bytes somewhere; false when that failed.
using RawWrite = std::function<bool(std::string_view)>;

/// Buffers lines and hands them on in chunks, through one zstd stream when asked: memory is
/// the chunk and zstd's window, whatever the size of the export.
class Output {
 public:
  Output(RawWrite write, bool zstd, int level) : m_write(std::move(write)) {
    if (zstd) {
      m_zstd.reset(ZSTD_createCCtx());
      if (m_zstd) ZSTD_CCtx_setParameter(m_zstd.get(), ZSTD_c_compressionLevel, level);
      m_out.resize(ZSTD_CStreamOutSize());
    }
    m_pending.reserve(kChunk);
  }

  /// Space for the caller to append to; call commit() after.
  std::string& buffer() { return m_pending; }
  Status commit() { return m_pending.size() >= kChunk ? drain(false) : okStatus(); }
  Status finish() { return drain(true); }
  std::uint64_t bytes() const { return m_bytes; }
  bool zstdReady() const { return m_zstd != nullptr || m_out.empty(); }

 private:
  struct FreeCCtx {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };

  Status emit(std::string_view bytes) {
    if (bytes.empty()) return okStatus();
    if (!m_write(bytes)) return Error(ErrorCode::kIo, "writing the export failed");
    m_bytes += bytes.size();
    return okStatus();
  }

  Status drain(bool end) {
    if (!m_zstd) {
      auto s = emit(m_pending);
      m_pending.clear();
      return s;
    }
    ZSTD_inBuffer in{m_pending.data(), m_pending.size(), 0};
    const ZSTD_EndDirective mode = end ? ZSTD_e_end : ZSTD_e_continue;
    while (true) {
      ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
      const std::size_t left = ZSTD_compressStream2(m_zstd.get(), &out, &in, mode);
      if (ZSTD_isError(left)) {
        return Error(ErrorCode::kInternal, std::string("zstd: ") + ZSTD_getErrorName(left));
      }
      if (auto s = emit(std::string_view(m_out.data(), out.pos)); !s) return s;
      const bool done = end ? left == 0 : in.pos == in.size;
      if (done) break;
    }
    m_pending.clear();
    return okStatus();
  }

  RawWrite m_write;
  std::unique_ptr<ZSTD_CCtx, FreeCCtx> m_zstd;
  std::string m_out;
  std::string m_pending;
  std::uint64_t m_bytes = 0;
};

Result<std::vector<std::pair<std::uint64_t, std::string>>> listSegmentFiles(
    const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error(ErrorCode::kNotFound, "no such journal directory").with("exporting " + dir);
  }
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::error_code typeError;
    auto first = parseSegmentFileName(entry.path().filename().string());
    if (first && fs::is_regular_file(entry.status(typeError))) {
      out.emplace_back(*first, entry.path().string());
    }
  }
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("listing " + dir);
  if (out.empty()) {
    return Error(ErrorCode::kNotFound, "not a journal: it holds no segment file")
        .with("exporting " + dir);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::uint64_t journalIdOf(const std::vector<std::pair<std::uint64_t, std::string>>& segments) {
  for (const auto& [first, path] : segments) {
    auto reader = SegmentReader::open(path);
    if (!reader) continue;
    if (auto h = reader->header()) return h->journalId;
  }
  return 0;
}

void appendHeader(std::string& out, const ExportRequest& request, std::uint64_t journalId) {
  out += "{\"schema\":";
  model::appendJsonString(out, kExportSchema);
  if (request.edge) {
    out += ",\"edge\":";
    model::appendJsonString(out, *request.edge);
  }
  out += fmt::format(",\"journal\":\"{:016x}\",\"from\":", journalId);
  model::appendJsonString(out, formatExportTime(request.from));
  out += ",\"to\":";
  model::appendJsonString(out, formatExportTime(request.to));
  out += ",\"machines\":";
  if (request.machines.empty()) {
    out += "null";
  } else {
    out += '[';
    for (std::size_t i = 0; i < request.machines.size(); ++i) {
      if (i > 0) out += ',';
      model::appendJsonString(out, request.machines[i]);
    }
    out += ']';
  }
  out += "}\n";
}

/// Reads every segment, filters, writes. Which segments to read: all of them. A segment's
/// record headers hold append times (the writer's wall clock), not observation timestamps, and
/// the two are not ordered: an adapter's backlog arrives stamped hours or days before its
/// append, and a machine whose clock runs ahead stamps observations after it. No append time
/// bounds the timestamps a record holds, so skipping a segment (or a record) by its append
/// times could silently drop observations that belong to the range. Reading is cheap next to
/// the upload (replay decodes ~9 M observations/s) and memory stays one record at a time.
class Exporter {
 public:
  Exporter(const ExportRequest& request, Output& output) : m_request(request), m_output(output) {}

  Status run(const std::vector<std::pair<std::uint64_t, std::string>>& segments) {
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const bool last = i + 1 == segments.size();
      const std::uint64_t nextFirst = last ? ~std::uint64_t{0} : segments[i + 1].first;
      if (auto s = readSegment(segments[i].second, nextFirst, last); !s) return s;
    }
    return okStatus();
  }
  ExportSummary& summary() { return m_summary; }

 private:
  Status readSegment(const std::string& path, std::uint64_t nextFirst, bool last) {
    auto reader = SegmentReader::open(path);
    if (!reader) {
      ++m_summary.unreadableSegments;
      return okStatus();
    }
    std::vector<bool> pendingComplete;  // damage not yet known to be followed by a record
    while (true) {
      const SegmentEntry e = reader->next();
      if (e.kind == SegmentEntry::Kind::kEnd) break;
      if (e.kind == SegmentEntry::Kind::kCorrupt) {
        pendingComplete.push_back(e.headerValid && e.length == e.header.totalSize());
        continue;
      }
      m_summary.damagedRecords += pendingComplete.size();
      pendingComplete.clear();
      if (e.header.firstSequence >= nextFirst) continue;  // superseded, as readers do
      if (auto s = exportRecord(e); !s) return s;
    }
    if (reader->ioError()) ++m_summary.unreadableSegments;
    // Damage at the end of the newest segment that is not a whole record is a torn tail or a
    // write in progress (spindle running), never reported durable: not damage.
    for (const bool complete : pendingComplete) {
      if (last && !complete) break;
      ++m_summary.damagedRecords;
    }
    return okStatus();
  }

  Status exportRecord(const SegmentEntry& e) {
    if (m_request.cancel != nullptr && m_request.cancel->load(std::memory_order_relaxed)) {
      return Error(ErrorCode::kUnavailable, "export cancelled");
    }
    std::string_view payload = e.payload;
    if (e.header.flags & kRecordCompressed) {
      auto raw = m_unzip.decompress(payload, e.header.rawLength);
      if (!raw) {
        ++m_summary.damagedRecords;
        return okStatus();
      }
      payload = raw.value();
    }
    m_batch.clear();
    if (!m_decoder.decode(payload, e.header.count, m_batch).ok()) {
      ++m_summary.damagedRecords;
      return okStatus();
    }
    m_summary.scanned += m_batch.size();
    for (std::size_t k = 0; k < m_batch.size(); ++k) {
      const model::Observation& obs = m_batch[k];
      if (obs.timestamp < m_request.from || obs.timestamp >= m_request.to) continue;
      if (!wanted(obs.machine)) continue;
      const std::uint64_t sequence = e.header.firstSequence + k;
      appendObservationLine(m_output.buffer(), sequence, obs, m_catalog);
      if (m_summary.observations++ == 0) m_summary.firstSequence = sequence;
      m_summary.lastSequence = sequence;
      if (auto s = m_output.commit(); !s) return s;
    }
    return okStatus();
  }

  /// Whether the machine filter keeps `machine`, decided once per machine.
  bool wanted(model::MachineId machine) {
    if (m_request.machines.empty()) return true;
    if (machine >= m_wanted.size()) m_wanted.resize(machine + 1, kUnknown);
    if (m_wanted[machine] == kUnknown) {
      const auto& name = m_catalog.machineName(machine);
      const auto& names = m_request.machines;
      m_wanted[machine] =
          std::find(names.begin(), names.end(), name) != names.end() ? kKeep : kDrop;
    }
    return m_wanted[machine] == kKeep;
  }

  static constexpr std::uint8_t kUnknown = 0, kKeep = 1, kDrop = 2;
  const ExportRequest& m_request;
  Output& m_output;
  model::ItemCatalog m_catalog;
  BatchDecoder m_decoder{m_catalog};
  Decompressor m_unzip;
  model::Batch m_batch;
  std::vector<std::uint8_t> m_wanted;  ///< by MachineId
  ExportSummary m_summary;
};

Result<ExportSummary> exportTo(const ExportRequest& request, RawWrite write) {
  const auto started = std::chrono::steady_clock::now();
  if (request.from >= request.to) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("the range is empty: from ({}) must be before to ({})",
                             formatExportTime(request.from), formatExportTime(request.to)));
  }
  auto segments = listSegmentFiles(request.dir);
  if (!segments) return std::move(segments).error();
  Output output(std::move(write), request.zstd, request.zstdLevel);
  if (!output.zstdReady()) return Error(ErrorCode::kInternal, "zstd context not available");
  const std::uint64_t journalId = journalIdOf(segments.value());
  appendHeader(output.buffer(), request, journalId);
  Exporter exporter(request, output);
  if (auto s = exporter.run(segments.value()); !s) return std::move(s).error();
  if (auto s = output.finish(); !s) return std::move(s).error();
  ExportSummary summary = exporter.summary();
  summary.journalId = journalId;
  summary.bytes = output.bytes();
  summary.elapsed = std::chrono::steady_clock::now() - started;
  return summary;
}

Error ioError(const std::string& what) {
  return Error(ErrorCode::kIo, std::strerror(errno)).with(what);
}

}  // namespace

Result<TimestampNs> parseExportTime(std::string_view text) {
  std::string s(text);
  if (s.size() == 10) {
    if (s[4] != '-' || s[7] != '-') return badTime(text);
    s += "T00:00:00Z";
  }
  if (s.size() < 20) return badTime(text);
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return badTime(text);
  }
  if (!validDay(s)) return badTime(text);
  if (s[10] == 't') s[10] = 'T';
  // The zone: Z, or +HH:MM / -HH:MM (RFC 3339 requires one; a time without it is refused
  // rather than guessed).
  std::int64_t offsetSeconds = 0;
  if (s.back() == 'Z' || s.back() == 'z') {
    s.pop_back();
  } else if (const std::size_t z = s.size() - 6; (s[z] == '+' || s[z] == '-') && s[z + 3] == ':') {
    const std::string_view zone(s.data() + z + 1, 5);
    if (!std::isdigit(static_cast<unsigned char>(zone[0])) ||
        !std::isdigit(static_cast<unsigned char>(zone[1])) ||
        !std::isdigit(static_cast<unsigned char>(zone[3])) ||
        !std::isdigit(static_cast<unsigned char>(zone[4]))) {
      return badTime(text);
    }
    const int hours = (zone[0] - '0') * 10 + (zone[1] - '0');
    const int minutes = (zone[3] - '0') * 10 + (zone[4] - '0');
    if (hours > 23 || minutes > 59) return badTime(text);
    offsetSeconds = (s[z] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
    s.resize(z);
  } else {
    return badTime(text);
  }
  if (s.size() < 19 || s[10] != 'T') return badTime(text);
  auto parsed = parseTimestamp(s + "Z");
  if (!parsed) return badTime(text);
  return *parsed - offsetSeconds * 1'000'000'000;
}

std::string formatExportTime(TimestampNs ns) {
  std::string out = formatTimestamp(ns);
  const auto nanos = ((ns % 1000) + 1000) % 1000;
  if (nanos != 0 && !out.empty() && out.back() == 'Z') {
    out.insert(out.size() - 1, fmt::format("{:03}", nanos));
  }
  return out;
}

void appendObservationLine(std::string& out, std::uint64_t sequence, const model::Observation& obs,
                           const model::ItemCatalog& catalog) {
  model::appendJsonLine(out, obs, catalog);
  out.resize(out.size() - 2);  // the closing "}\n"
  out += fmt::format(",\"seq\":{}}}\n", sequence);
}

Result<ExportSummary> exportJournal(const ExportRequest& request, std::ostream& out) {
  return exportTo(request, [&out](std::string_view bytes) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return out.good();
  });
}

Result<ExportSummary> exportJournalToFile(const ExportRequest& request, const std::string& path) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ioError("creating " + tmp);
  int writeErrno = 0;
  auto summary = exportTo(request, [&](std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        writeErrno = errno;
        return false;
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  });
  const auto fail = [&](Error e) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  if (!summary) {
    if (writeErrno != 0) {
      return fail(Error(ErrorCode::kIo, std::strerror(writeErrno)).with("writing " + tmp));
    }
    return fail(std::move(summary).error());
  }
  if (::fsync(fd) != 0) return fail(ioError("syncing " + tmp));
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = ioError("renaming " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    return e;
  }
  const fs::path parent = fs::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return summary;
}

}  // namespace spindle::journal
