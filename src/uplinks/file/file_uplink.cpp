#include "uplinks/file/file_uplink.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "base/log.hpp"
#include "model/json_encoder.hpp"

namespace spindle::uplinks::file {
namespace {

namespace fs = std::filesystem;

/// The last complete line of `path` and the size of the file up to its end (0 when none).
struct LastLine {
  std::string text;
  std::uint64_t completeSize = 0;
  std::uint64_t fileSize = 0;
};

LastLine readLastLine(const std::string& path) {
  LastLine out;
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size == 0) return out;  // no file yet: nothing to recover
  out.fileSize = size;
  std::ifstream in(path, std::ios::binary);
  // Read backwards in growing windows until the window holds a whole last line.
  for (std::uint64_t window = 4096;; window *= 4) {
    const std::uint64_t start = out.fileSize > window ? out.fileSize - window : 0;
    std::string tail(out.fileSize - start, '\0');
    in.seekg(static_cast<std::streamoff>(start));
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    const auto end = tail.rfind('\n');
    if (end == std::string::npos) {
      if (start == 0) return out;  // no complete line at all
      continue;
    }
    const auto begin = end == 0 ? std::string::npos : tail.rfind('\n', end - 1);
    if (begin == std::string::npos && start > 0) continue;
    const std::size_t from = begin == std::string::npos ? 0 : begin + 1;
    out.text = tail.substr(from, end - from);
    out.completeSize = start + end + 1;
    return out;
  }
}

std::uint64_t sequenceOf(const std::string& line) {
  const auto at = line.rfind("\"seq\":");
  if (at == std::string::npos) return 0;
  std::uint64_t seq = 0;
  const char* begin = line.data() + at + 6;
  std::from_chars(begin, line.data() + line.size(), seq);
  return seq;
}

/// The journal id a line names (0: none, as in files written before lines carried it).
std::uint64_t journalOf(const std::string& line) {
  const auto at = line.rfind("\"journal\":\"");
  if (at == std::string::npos) return 0;
  std::uint64_t id = 0;
  const char* begin = line.data() + at + 11;
  std::from_chars(begin, line.data() + line.size(), id, 16);
  return id;
}

std::string hex16(std::uint64_t id) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
  return text;
}

}  // namespace

const config::OptionTable<FileOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<FileOptions> t;
    t.optional("path", &FileOptions::path, "observations.jsonl",
               "JSON-lines file, relative to edge.data_dir; '-' writes to stdout");
    t.optional("rotate_size", &FileOptions::rotateSize, "64MiB",
               "start a new file past this size; 0 rotates only at max_file_size", {"0B", ""});
    t.optional("keep_files", &FileOptions::keepFiles, "5", "rotated files to keep", {"0", "1000"});
    t.optional("max_file_size", &FileOptions::maxFileSize, "1GiB",
               "the output file never grows past this: it rotates here even when rotate_size "
               "is 0, so the output stays bounded at (keep_files + 1) files; 0 lifts the bound",
               {"0B", ""});
    return t;
  }();
  return table;
}

FileUplink::FileUplink(FileOptions options, const model::ItemCatalog& catalog)
    : m_options(std::move(options)),
      m_catalog(catalog),
      m_name(m_options.path == "-" ? "stdout" : "file"),
      m_log(makeLogger("uplink." + m_name)) {}

FileUplink::~FileUplink() { stop(); }

Status FileUplink::start() {
  if (m_options.path != "-") recoverLastSequence();
  if (auto s = open(); !s) return s;
  m_log->info("observations go to {}",
              m_isStdout ? std::string("stdout") : fs::absolute(m_options.path).string());
  return okStatus();
}

void FileUplink::recoverLastSequence() {
  const std::string& p = m_options.path;
  for (const std::string& candidate : {p, p + ".1"}) {
    LastLine last = readLastLine(candidate);
    if (candidate == p && last.completeSize < last.fileSize) {
      // A line a crash cut short: its batch was never acknowledged and comes again.
      std::error_code ec;
      fs::resize_file(p, last.completeSize, ec);
      m_log->warn("cut {} bytes of an unfinished line at the end of {}",
                  last.fileSize - last.completeSize, p);
    }
    if (!last.text.empty()) {
      m_lastSequence = sequenceOf(last.text);
      m_lastJournal = journalOf(last.text);
      return;
    }
  }
}

void FileUplink::attach(const AttachInfo& info) {
  const std::uint64_t journalId = info.journalId;
  const std::uint64_t durableEnd = info.durableEnd;
  m_journalId = journalId;
  m_journalField = journalId == 0 ? "" : ",\"journal\":\"" + hex16(journalId) + "\"";
  if (m_isStdout || m_lastSequence == 0) return;
  if (m_lastJournal != 0 && journalId != 0 && m_lastJournal != journalId) {
    m_log->warn(
        "{} ends with journal {}'s sequence {}, but observations now come from journal {} (the "
        "journal was replaced): nothing is skipped",
        m_options.path, hex16(m_lastJournal), m_lastSequence, hex16(journalId));
    m_lastSequence = 0;
  } else if (m_lastSequence >= durableEnd) {
    m_log->warn(
        "{} ends with sequence {}, past anything the journal has made durable ({}): the line "
        "is not trusted and nothing is skipped",
        m_options.path, m_lastSequence, durableEnd == 0 ? 0 : durableEnd - 1);
    m_lastSequence = 0;
  }
}

Status FileUplink::sync() {
  if (m_file == nullptr || m_isStdout || !m_unsynced) return okStatus();
  if (::fdatasync(::fileno(m_file)) != 0) {
    return Error(ErrorCode::kIo, std::strerror(errno)).with("syncing " + m_options.path);
  }
  m_unsynced = false;
  return okStatus();
}

Status FileUplink::open() {
  if (m_options.path == "-") {
    m_file = stdout;
    m_isStdout = true;
    return okStatus();
  }
  std::error_code ec;
  const auto parent = fs::path(m_options.path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  m_file = std::fopen(m_options.path.c_str(), "ab");
  if (m_file == nullptr) {
    return Error(ErrorCode::kIo, std::strerror(errno)).with("opening " + m_options.path);
  }
  // Each send is one write of whole lines; no stdio buffer may keep half a failed one.
  std::setvbuf(m_file, nullptr, _IONBF, 0);
  m_written = fs::file_size(m_options.path, ec);
  return okStatus();
}

void FileUplink::rotate() {
  // The rotated file is synced before the consumer's cursor can move past its lines.
  if (m_unsynced && ::fdatasync(::fileno(m_file)) != 0) {
    m_log->error("syncing {} before rotating: {}", m_options.path, std::strerror(errno));
  }
  m_unsynced = false;
  std::fclose(m_file);
  m_file = nullptr;
  std::error_code ec;
  const std::string& p = m_options.path;
  fs::remove(p + "." + std::to_string(m_options.keepFiles), ec);
  for (int i = m_options.keepFiles - 1; i >= 1; --i) {
    fs::rename(p + "." + std::to_string(i), p + "." + std::to_string(i + 1), ec);
  }
  if (m_options.keepFiles > 0) {
    fs::rename(p, p + ".1", ec);
  } else {
    fs::remove(p, ec);
  }
  m_written = 0;
  if (auto status = open(); !status) m_log->error("{}", status.error().describe());
}

std::size_t FileUplink::submit(const Record& record, CompletionFn done) {
  done(write(record.firstSequence, record.observations));
  return 0;
}

void FileUplink::releaseBurstBuffer() {
  // A backlog (after a start or an outage) is written in large submits and grows the buffer to
  // megabytes; once writes are small again, that memory is given back (heaptrack at 50
  // machines: 1 MB kept after the start). Four times what a write needs is kept, so a steady
  // rate does not reallocate.
  constexpr std::size_t kKeep = 64 * 1024;
  if (m_buffer.capacity() > kKeep && m_buffer.size() * 4 < m_buffer.capacity()) {
    std::string().swap(m_buffer);
  }
}

Completion FileUplink::write(std::uint64_t firstSequence,
                             std::span<const model::Observation> batch) {
  if (m_file == nullptr) {
    if (auto status = open(); !status) {
      m_failing = true;
      return {Outcome::kRetry, status.error().describe()};
    }
  }
  releaseBurstBuffer();  // by what the previous write used
  m_buffer.clear();
  std::uint64_t last = m_lastSequence;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::uint64_t seq = firstSequence + i;
    if (!m_isStdout && seq <= m_lastSequence) continue;  // already in the file
    model::appendJsonLine(m_buffer, batch[i], m_catalog);
    m_buffer.resize(m_buffer.size() - 2);  // reopen the object: `}\n`
    m_buffer += m_journalField;
    m_buffer += ",\"seq\":";
    char digits[24];
    m_buffer.append(digits, std::to_chars(digits, digits + sizeof digits, seq).ptr);
    m_buffer += "}\n";
    last = seq;
  }
  if (m_buffer.empty()) return {};
  const size_t n = std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_file);
  if (n != m_buffer.size() || std::fflush(m_file) != 0) {
    const int error = errno;
    // A short write (disk full) would leave a partial line: cut the file back to where the
    // batch began, so the retry writes it whole.
    if (!m_isStdout && ::ftruncate(::fileno(m_file), static_cast<off_t>(m_written)) != 0) {
      m_log->error("cannot cut back {} after a failed write: {}", m_options.path,
                   std::strerror(errno));
    }
    m_failing = true;
    std::clearerr(m_file);
    return {Outcome::kRetry, "writing " + m_options.path + " failed: " + std::strerror(error)};
  }
  if (m_failing) m_log->info("writing {} works again", m_options.path);
  m_failing = false;
  m_written += n;
  m_lastSequence = last;
  m_unsynced = true;
  const std::uint64_t limit = m_options.rotateSize.bytes > 0 ? std::min(m_options.rotateSize.bytes,
                                                                        m_options.maxFileSize.bytes)
                                                             : m_options.maxFileSize.bytes;
  if (!m_isStdout && limit > 0 && m_written >= limit) {
    if (m_options.rotateSize.bytes == 0 && !m_warnedMaxSize) {
      m_log->warn("{} reached max_file_size ({}): rotating, though rotate_size is 0",
                  m_options.path, formatByteSize(m_options.maxFileSize));
      m_warnedMaxSize = true;
    }
    rotate();
  }
  return {};
}

void FileUplink::stop() {
  if (m_file != nullptr) {
    std::fflush(m_file);
    if (!m_isStdout && m_unsynced) (void)::fdatasync(::fileno(m_file));
    m_unsynced = false;
    if (!m_isStdout) std::fclose(m_file);
    m_file = nullptr;
  }
}

}  // namespace spindle::uplinks::file
