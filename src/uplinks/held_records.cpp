#include "uplinks/held_records.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include "model/json_encoder.hpp"

namespace spindle::uplinks {

HeldRecords::HeldRecords(std::string path, std::uint64_t maxBytes,
                         const model::ItemCatalog& catalog)
    : m_path(std::move(path)), m_maxBytes(maxBytes), m_catalog(catalog) {}

Status HeldRecords::hold(const std::string& uplink, std::uint64_t journalId, const Record& record,
                         const std::string& reason) {
  m_line.clear();
  m_line += "{\"uplink\":";
  model::appendJsonString(m_line, uplink);
  m_line += ",\"reason\":";
  model::appendJsonString(m_line, reason);
  m_line += fmt::format(",\"journal\":\"{:016x}\",\"seq\":{},\"count\":{},\"observations\":[",
                        journalId, record.firstSequence, record.observations.size());
  bool first = true;
  for (const auto& obs : record.observations) {
    if (!first) m_line += ',';
    first = false;
    const std::size_t at = m_line.size();
    model::appendJsonLine(m_line, obs, m_catalog);
    if (m_line.size() > at && m_line.back() == '\n') m_line.pop_back();
  }
  m_line += "]}\n";
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(m_path).parent_path(), ec);
  const std::uintmax_t size = std::filesystem::file_size(m_path, ec);
  const std::uint64_t have = ec ? 0 : size;
  if (have + m_line.size() > m_maxBytes) {
    return Error(ErrorCode::kUnavailable,
                 fmt::format("{} is full ({} bytes at most)", m_path, m_maxBytes))
        .with("holding a rejected record");
  }
  const int fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return Error(ErrorCode::kIo, std::strerror(errno)).with("opening " + m_path);
  }
  const char* p = m_line.data();
  std::size_t left = m_line.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      return Error(ErrorCode::kIo, std::strerror(err)).with("writing " + m_path);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  const int rc = ::fdatasync(fd);
  ::close(fd);
  if (rc != 0) return Error(ErrorCode::kIo, std::strerror(errno)).with("syncing " + m_path);
  return okStatus();
}

}  // namespace spindle::uplinks
