#include "uplinks/file/file_uplink.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/log.hpp"
#include "model/json_encoder.hpp"

namespace spindle::uplinks::file {

const config::OptionTable<FileOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<FileOptions> t;
    t.optional("path", &FileOptions::path, "observations.jsonl",
               "JSON-lines file, relative to edge.data_dir; '-' writes to stdout");
    t.optional("rotate_size", &FileOptions::rotateSize, "64MiB",
               "start a new file past this size; 0 never rotates");
    t.optional("keep_files", &FileOptions::keepFiles, "5", "rotated files to keep");
    return t;
  }();
  return table;
}

FileUplink::FileUplink(FileOptions options, const model::ItemCatalog& catalog)
    : m_options(std::move(options)), m_catalog(catalog), m_log(makeLogger("uplink.file")) {}

FileUplink::~FileUplink() { stop(); }

Status FileUplink::start() { return open(); }

Status FileUplink::open() {
  if (m_options.path == "-") {
    m_file = stdout;
    m_isStdout = true;
    return okStatus();
  }
  std::error_code ec;
  const auto parent = std::filesystem::path(m_options.path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  m_file = std::fopen(m_options.path.c_str(), "ab");
  if (m_file == nullptr) {
    return Error(ErrorCode::kIo, std::strerror(errno)).with("opening " + m_options.path);
  }
  m_written = std::filesystem::file_size(m_options.path, ec);
  return okStatus();
}

void FileUplink::rotate() {
  std::fclose(m_file);
  m_file = nullptr;
  std::error_code ec;
  const std::string& p = m_options.path;
  std::filesystem::remove(p + "." + std::to_string(m_options.keepFiles), ec);
  for (int i = m_options.keepFiles - 1; i >= 1; --i) {
    std::filesystem::rename(p + "." + std::to_string(i), p + "." + std::to_string(i + 1), ec);
  }
  if (m_options.keepFiles > 0) {
    std::filesystem::rename(p, p + ".1", ec);
  } else {
    std::filesystem::remove(p, ec);
  }
  m_written = 0;
  if (auto status = open(); !status) m_log->error("{}", status.error().describe());
}

SendResult FileUplink::send(const model::Batch& batch) {
  if (m_file == nullptr) {
    if (auto status = open(); !status) {
      if (!m_failing) m_log->error("{}; will retry", status.error().describe());
      m_failing = true;
      return SendResult::kRetry;
    }
  }
  m_buffer.clear();
  for (const auto& obs : batch) model::appendJsonLine(m_buffer, obs, m_catalog);
  const size_t n = std::fwrite(m_buffer.data(), 1, m_buffer.size(), m_file);
  if (n != m_buffer.size() || std::fflush(m_file) != 0) {
    // A short write (disk full) leaves a partial line; the retry rewrites the whole batch,
    // so readers must tolerate one torn line before a good one.
    if (!m_failing) {
      m_log->error("writing {} failed: {}; holding data and retrying", m_options.path,
                   std::strerror(errno));
    }
    m_failing = true;
    std::clearerr(m_file);
    return SendResult::kRetry;
  }
  if (m_failing) m_log->info("writing {} works again", m_options.path);
  m_failing = false;
  m_written += n;
  if (!m_isStdout && m_options.rotateSize.bytes > 0 && m_written >= m_options.rotateSize.bytes) {
    rotate();
  }
  return SendResult::kOk;
}

void FileUplink::stop() {
  if (m_file != nullptr) {
    std::fflush(m_file);
    if (!m_isStdout) std::fclose(m_file);
    m_file = nullptr;
  }
}

}  // namespace spindle::uplinks::file
