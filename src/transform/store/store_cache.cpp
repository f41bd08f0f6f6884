#include "transform/store/store_cache.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "transform/store/store_index.hpp"
#include "update/signing.hpp"

namespace spindle::transform::store {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Error ioError(const std::string& what) {
  return Error(ErrorCode::kIo, std::strerror(errno)).with(what);
}

std::optional<std::string> readFile(const fs::path& path, std::uint64_t limit) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size > limit) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Like base/atomic_file.hpp, with a temporary name of this writer's own: a `spindle validate`
// and a running edge may cache the same script at the same moment.
Status writeAtomically(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::random_device random;
  const std::string tmp =
      path.string() + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(random());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ioError("creating " + tmp);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto e = ioError("writing " + tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    auto e = ioError((synced ? "renaming " : "syncing ") + tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  if (const int dfd = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return okStatus();
}

json readGood(const fs::path& path) {
  const auto text = readFile(path, kMaxIndexBytes);
  if (!text) return json::object();
  json j = json::parse(*text, nullptr, false);
  return j.is_object() ? j : json::object();
}

}  // namespace

std::optional<StoreCache::CachedIndex> StoreCache::index() const {
  const fs::path path = fs::path(m_dir) / "index.json";
  auto text = readFile(path, kMaxIndexBytes);
  if (!text) return std::nullopt;
  std::error_code ec;
  const auto written = fs::last_write_time(path, ec);
  return CachedIndex{std::move(*text), ec ? fs::file_time_type{} : written};
}

Status StoreCache::saveIndex(const std::string& text, const std::string& url) {
  if (auto s = writeAtomically(fs::path(m_dir) / "url", url + "\n"); !s) return s;
  return writeAtomically(fs::path(m_dir) / "index.json", text);
}

fs::path StoreCache::scriptPath(const std::string& sha256) const {
  return fs::path(m_dir) / "scripts" / (sha256 + ".yaml");
}

std::optional<std::string> StoreCache::script(const std::string& sha256) const {
  if (!isSha256Hex(sha256)) return std::nullopt;
  auto text = readFile(scriptPath(sha256), kMaxScriptBytes);
  if (!text) return std::nullopt;
  update::Sha256 h;
  h.update(text->data(), text->size());
  if (h.hex() != sha256) return std::nullopt;  // changed on disk: fetched again
  return text;
}

Status StoreCache::saveScript(const std::string& sha256, const std::string& text) {
  if (!isSha256Hex(sha256)) return Error(ErrorCode::kInvalidArgument, "not a SHA-256: " + sha256);
  auto saved = writeAtomically(scriptPath(sha256), text);
  if (saved) prune();
  return saved;
}

std::optional<StoreCache::Good> StoreCache::lastGood(const std::string& ref) const {
  const json good = readGood(fs::path(m_dir) / "good.json");
  if (!good.contains(ref)) return std::nullopt;
  const json& g = good[ref];
  if (!g.is_object() || !g.contains("version") || !g["version"].is_string() ||
      !g.contains("sha256") || !g["sha256"].is_string()) {
    return std::nullopt;
  }
  return Good{g["version"].get<std::string>(), g["sha256"].get<std::string>()};
}

Status StoreCache::setLastGood(const std::string& ref, const Good& good) {
  const fs::path path = fs::path(m_dir) / "good.json";
  json all = readGood(path);
  const json entry = {{"version", good.version}, {"sha256", good.sha256}};
  if (all.contains(ref) && all[ref] == entry) return okStatus();
  all[ref] = entry;
  return writeAtomically(path, all.dump(2) + "\n");
}

void StoreCache::prune() const {
  std::error_code ec;
  std::vector<std::pair<fs::file_time_type, fs::path>> files;
  for (const auto& e : fs::directory_iterator(fs::path(m_dir) / "scripts", ec)) {
    if (e.path().extension() == ".yaml") files.emplace_back(e.last_write_time(ec), e.path());
  }
  if (files.size() <= kMaxCachedScripts) return;
  std::set<std::string> kept;
  const json good = readGood(fs::path(m_dir) / "good.json");
  for (auto it = good.begin(); it != good.end(); ++it) {
    const json& g = it.value();
    if (g.is_object() && g.contains("sha256") && g["sha256"].is_string()) {
      kept.insert(g["sha256"].get<std::string>() + ".yaml");
    }
  }
  std::sort(files.begin(), files.end());
  std::size_t count = files.size();
  for (const auto& [time, path] : files) {
    if (count <= kMaxCachedScripts) break;
    if (kept.count(path.filename().string()) != 0) continue;
    if (fs::remove(path, ec)) --count;
  }
}

}  // namespace spindle::transform::store
