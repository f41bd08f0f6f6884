#include "update/update_state.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/file.h>
#include <unistd.h>

#include "base/atomic_file.hpp"

namespace spindle::update {

using nlohmann::json;

bool UpdateState::hasFailed(const std::string& version) const {
  return std::find(failed.begin(), failed.end(), version) != failed.end();
}

std::string UpdateState::previousGood(const std::string& version) const {
  for (auto it = good.rbegin(); it != good.rend(); ++it) {
    if (*it != version) return *it;
  }
  return launcher;
}

std::string toJson(const UpdateState& s) {
  json j;
  j["launcher"] = s.launcher;
  if (s.trial) {
    json before = json::array();
    for (const auto& u : s.trial->uplinksBefore) {
      before.push_back({{"name", u.name}, {"connected", u.connected}, {"error", u.error}});
    }
    j["trial"] = {{"version", s.trial->version},
                  {"from", s.trial->from},
                  {"switched_ns", s.trial->switchedAt},
                  {"starts", s.trial->starts},
                  {"uplinks_before", before}};
  } else {
    j["trial"] = nullptr;
  }
  j["good"] = s.good;
  j["failed"] = s.failed;
  j["pending"] = s.pending;
  j["pending_notes"] = s.pendingNotes;
  j["last"] = {{"result", s.last.result},
               {"version", s.last.version},
               {"reason", s.last.reason},
               {"detail", s.last.detail},
               {"at_ns", s.last.at}};
  j["pid"] = s.pid;
  return j.dump(2) + "\n";
}

Result<UpdateState> stateFromJson(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Error(ErrorCode::kInvalidArgument, "not a JSON object");
  UpdateState s;
  try {
    s.launcher = j.value("launcher", "");
    if (j.contains("trial") && j["trial"].is_object()) {
      const auto& t = j["trial"];
      Trial trial;
      trial.version = t.value("version", "");
      trial.from = t.value("from", "");
      trial.switchedAt = t.value("switched_ns", TimestampNs{0});
      trial.starts = t.value("starts", 0);
      for (const auto& u : t.value("uplinks_before", json::array())) {
        trial.uplinksBefore.push_back(
            {u.value("name", ""), u.value("connected", false), u.value("error", "")});
      }
      s.trial = std::move(trial);
    }
    s.good = j.value("good", std::vector<std::string>{});
    s.failed = j.value("failed", std::vector<std::string>{});
    s.pending = j.value("pending", "");
    s.pendingNotes = j.value("pending_notes", "");
    const json last = j.value("last", json::object());
    s.last = {last.value("result", ""), last.value("version", ""), last.value("reason", ""),
              last.value("detail", ""), last.value("at_ns", TimestampNs{0})};
    s.pid = j.value("pid", 0);
  } catch (const json::exception& e) {
    return Error(ErrorCode::kInvalidArgument, e.what());
  }
  return s;
}

Result<UpdateState> StateFile::load() const {
  std::ifstream in(path());
  if (!in) {
    if (!std::filesystem::exists(path())) return UpdateState{};
    return Error(ErrorCode::kIo, std::strerror(errno)).with("reading " + path());
  }
  std::stringstream text;
  text << in.rdbuf();
  auto state = stateFromJson(text.str());
  if (!state) return std::move(state).error().with("reading " + path());
  return state;
}

Result<UpdateState> StateFile::modify(const std::function<void(UpdateState&)>& change) const {
  std::error_code ec;
  std::filesystem::create_directories(m_dir, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating " + m_dir);
  const std::string lockPath = m_dir + "/.lock";
  const int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return Error(ErrorCode::kIo, std::strerror(errno)).with("opening " + lockPath);
  ::flock(fd, LOCK_EX);
  auto state = load();
  if (state) {
    change(*state);
    if (auto written = writeFileAtomically(path(), toJson(*state), 0640); !written) {
      state = std::move(written).error();
    }
  }
  ::close(fd);  // releases the lock
  return state;
}

}  // namespace spindle::update
