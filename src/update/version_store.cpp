#include "update/version_store.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace spindle::update {

namespace fs = std::filesystem;

namespace {

Error ioError(const std::string& what) {
  return Error(ErrorCode::kIo, std::strerror(errno)).with(what);
}

Status syncPath(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ioError("opening " + path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ioError("fsync " + path);
  return okStatus();
}

Status copyFile(const std::string& from, const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return ioError("opening " + from);
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (out < 0) {
    ::close(in);
    return ioError("creating " + to);
  }
  char buf[1 << 16];
  Status status = okStatus();
  while (true) {
    const ssize_t n = ::read(in, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0 || ::write(out, buf, static_cast<std::size_t>(n)) != n) {
      status = ioError("copying to " + to);
      break;
    }
  }
  if (status && (::fchmod(out, 0755) != 0 || ::fsync(out) != 0)) status = ioError("syncing " + to);
  ::close(in);
  ::close(out);
  return status;
}

}  // namespace

VersionStore::VersionStore(const std::string& dataDir) : m_dir(dataDir + "/versions") {}

std::string VersionStore::binary(const std::string& version) const {
  return m_dir + "/" + version + "/spindle";
}

bool VersionStore::installed(const std::string& version) const {
  std::error_code ec;
  return !version.empty() && fs::is_regular_file(binary(version), ec);
}

std::vector<std::string> VersionStore::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || !entry.is_directory(ec) || entry.is_symlink(ec)) continue;
    if (installed(name)) out.push_back(name);
  }
  return out;
}

std::optional<std::string> VersionStore::current() const {
  std::error_code ec;
  const auto target = fs::read_symlink(m_dir + "/current", ec);
  if (ec) return std::nullopt;
  return target.filename().string();
}

Status VersionStore::install(const std::string& version, const std::string& file) {
  std::error_code ec;
  fs::create_directories(m_dir, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating " + m_dir);
  const std::string temp = m_dir + "/." + version + ".tmp";
  fs::remove_all(temp, ec);
  fs::create_directories(temp, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating " + temp);
  if (auto s = copyFile(file, temp + "/spindle"); !s) return s;
  if (auto s = syncPath(temp, O_RDONLY | O_DIRECTORY); !s) return s;
  const std::string final = m_dir + "/" + version;
  fs::remove_all(final, ec);
  if (::rename(temp.c_str(), final.c_str()) != 0) return ioError("renaming into " + final);
  return syncPath(m_dir, O_RDONLY | O_DIRECTORY);
}

Status VersionStore::switchTo(const std::string& version) {
  const std::string temp = m_dir + "/.current.tmp";
  ::unlink(temp.c_str());
  // Relative, so the data directory can move (a restore from a backup) without breaking it.
  if (::symlink(version.c_str(), temp.c_str()) != 0) return ioError("linking " + temp);
  if (::rename(temp.c_str(), (m_dir + "/current").c_str()) != 0) {
    return ioError("switching " + m_dir + "/current");
  }
  return syncPath(m_dir, O_RDONLY | O_DIRECTORY);
}

Status VersionStore::remove(const std::string& version) {
  if (version.empty() || version.find('/') != std::string::npos || current() == version) {
    return Error(ErrorCode::kInvalidArgument, "cannot remove version '" + version + "'");
  }
  std::error_code ec;
  fs::remove_all(m_dir + "/" + version, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("removing version " + version);
  return okStatus();
}

Status VersionStore::clearCurrent() {
  if (::unlink((m_dir + "/current").c_str()) != 0 && errno != ENOENT) {
    return ioError("removing " + m_dir + "/current");
  }
  return syncPath(m_dir, O_RDONLY | O_DIRECTORY);
}

Result<std::uint64_t> VersionStore::freeBytes() const {
  std::error_code ec;
  fs::create_directories(m_dir, ec);
  struct statvfs st {};
  if (::statvfs(m_dir.c_str(), &st) != 0) return ioError("statvfs " + m_dir);
  return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

}  // namespace spindle::update
