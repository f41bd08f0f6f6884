#include "uplinks/nats/journal_view.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/atomic_file.hpp"

namespace spindle::uplinks::nats {
namespace {

Error ioError(const std::string& what) {
  return Error(ErrorCode::kIo, std::strerror(errno)).with(what);
}

}  // namespace

Result<std::string> FileCursorStore::load() {
  std::ifstream in(m_path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(m_path)) return std::string();
    return ioError("reading cursor " + m_path);
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Status FileCursorStore::save(const std::string& cursor) {
  const std::filesystem::path path(m_path);
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  return writeFileAtomically(m_path, cursor);
}

}  // namespace spindle::uplinks::nats
