#include "upload/upload_store.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "base/atomic_file.hpp"

namespace spindle::upload {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool validId(const std::string& id) {
  return !id.empty() && id.size() < 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

}  // namespace

std::string toJson(const UploadRecord& r) {
  json parts = json::object();
  for (const auto& [number, etag] : r.parts) parts[std::to_string(number)] = etag;
  const json j{{"id", r.id},
               {"path", r.path},
               {"key", r.key},
               {"presigned_url", r.presignedUrl},
               {"metadata", r.metadata},
               {"delete_after", r.deleteAfter},
               {"size", r.size},
               {"queued_at_ms", r.queuedAtMs},
               {"part_size", r.partSize},
               {"upload_id", r.uploadId},
               {"parts", parts},
               {"state", r.state == UploadState::kFailed ? "failed" : "pending"},
               {"error", r.error},
               {"attempts", r.attempts},
               {"next_attempt_ms", r.nextAttemptMs}};
  return j.dump(2) + "\n";
}

Result<UploadRecord> recordFromJson(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Error(ErrorCode::kInvalidArgument, "not a JSON object");
  try {
    UploadRecord r;
    r.id = j.at("id").get<std::string>();
    r.path = j.at("path").get<std::string>();
    r.key = j.value("key", "");
    r.presignedUrl = j.value("presigned_url", "");
    r.metadata = j.value("metadata", std::map<std::string, std::string>{});
    r.deleteAfter = j.value("delete_after", false);
    r.size = j.at("size").get<std::uint64_t>();
    r.queuedAtMs = j.value("queued_at_ms", std::int64_t{0});
    r.partSize = j.value("part_size", std::uint64_t{0});
    r.uploadId = j.value("upload_id", "");
    const json parts = j.value("parts", json::object());
    for (const auto& [number, etag] : parts.items()) {
      r.parts[std::stoi(number)] = etag.get<std::string>();
    }
    r.state =
        j.value("state", "pending") == "failed" ? UploadState::kFailed : UploadState::kPending;
    r.error = j.value("error", "");
    r.attempts = j.value("attempts", 0);
    r.nextAttemptMs = j.value("next_attempt_ms", std::int64_t{0});
    if (!validId(r.id) || r.path.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the record has no valid id or path");
    }
    return r;
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInvalidArgument, std::string("not an upload record: ") + e.what());
  }
}

Status UploadStore::open(bool removeTemporary) {
  std::error_code ec;
  fs::create_directories(m_dir, ec);
  if (ec) return Error(ErrorCode::kIo, "cannot create " + m_dir + ": " + ec.message());
  ::chmod(m_dir.c_str(), 0700);
  if (removeTemporary) removeTemporaryFiles();
  return okStatus();
}

void UploadStore::removeTemporaryFiles(std::chrono::seconds olderThan) const {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    if (entry.path().extension() == ".json") continue;
    const auto changed = fs::last_write_time(entry.path(), ec);
    if (!ec && now - changed >= olderThan) fs::remove(entry.path(), ec);
  }
}

std::vector<std::string> UploadStore::ids() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(m_dir, ec)) {
    if (entry.path().extension() == ".json") out.push_back(entry.path().stem().string());
  }
  return out;
}

Result<UploadRecord> UploadStore::load(const std::string& id) const {
  std::ifstream in(m_dir + "/" + id + ".json");
  std::stringstream text;
  text << in.rdbuf();
  auto record = recordFromJson(text.str());
  if (record && record->id != id) {
    return Error(ErrorCode::kInvalidArgument, "its id is not its file name");
  }
  return record;
}

std::vector<UploadRecord> UploadStore::loadAll(std::vector<std::string>* problems) const {
  std::vector<UploadRecord> out;
  for (const auto& id : ids()) {
    auto record = load(id);
    if (record) {
      out.push_back(std::move(record.value()));
    } else if (problems != nullptr) {
      problems->push_back(m_dir + "/" + id + ".json: " + record.error().message());
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

Status UploadStore::save(const UploadRecord& record) const {
  if (!validId(record.id)) return Error(ErrorCode::kInvalidArgument, "bad upload id " + record.id);
  auto written = writeFileAtomically(m_dir + "/" + record.id + ".json", toJson(record), 0600);
  if (!written) return std::move(written).error().with("saving upload " + record.id);
  return okStatus();
}

Status UploadStore::remove(const std::string& id) const {
  if (!validId(id)) return Error(ErrorCode::kInvalidArgument, "bad upload id " + id);
  std::error_code ec;
  fs::remove(m_dir + "/" + id + ".json", ec);
  if (ec) return Error(ErrorCode::kIo, "cannot remove upload " + id + ": " + ec.message());
  return okStatus();
}

}  // namespace spindle::upload
