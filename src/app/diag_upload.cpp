// `diag.upload`: a diagnostics bundle written below the data directory and queued for the
// uploads bucket (upload/upload_queue.hpp), or for a presigned URL the cloud's API handed out.
// The bundle holds what the management page's diagnostics download holds (status, journal,
// network, the redacted configuration, recent logs); the file is removed once uploaded.
// With {"journal": {"from", "to", "machines"}} it is a journal export of that time range
// instead, written on the export thread (app/journal_exports.hpp).
#include <filesystem>

#include "app/journal_exports.hpp"
#include "app/machine_manager.hpp"
#include "base/atomic_file.hpp"
#include "control/config_text.hpp"
#include "journal/journal_options.hpp"

namespace spindle::app {
namespace {

/// "20261206T050000Z": a time that sorts and is safe in object keys and file names.
std::string compactTime(TimestampNs now) {
  std::string t = formatTimestamp(now).substr(0, 19) + "Z";  // 2026-12-06T05:00:00Z
  std::erase(t, '-');
  std::erase(t, ':');
  return t;
}

Result<TimestampNs> timeArg(const nlohmann::json& spec, const char* name) {
  if (!spec.contains(name) || !spec[name].is_string()) {
    return Error(ErrorCode::kInvalidArgument,
                 std::string("journal.") + name + " must be a time (\"2026-12-06T05:00:00Z\")");
  }
  auto t = journal::parseExportTime(spec[name].get<std::string>());
  if (!t) return std::move(t).error().with(std::string("journal.") + name);
  return t;
}

}  // namespace

Result<nlohmann::json> MachineManager::uploadJournal(const nlohmann::json& spec,
                                                     const std::string& url) {
  if (!spec.is_object()) {
    return Error(ErrorCode::kInvalidArgument,
                 R"(journal must be {"from": time, "to": time, "machines": [ids] (optional)})");
  }
  journal::ExportRequest request;
  auto from = timeArg(spec, "from");
  if (!from) return std::move(from).error();
  auto to = timeArg(spec, "to");
  if (!to) return std::move(to).error();
  request.from = from.value();
  request.to = to.value();
  if (request.from >= request.to) {
    return Error(ErrorCode::kInvalidArgument, "journal.from must be before journal.to");
  }
  if (spec.contains("machines")) {
    if (!spec["machines"].is_array()) {
      return Error(ErrorCode::kInvalidArgument, "journal.machines must be a list of machine ids");
    }
    for (const auto& m : spec["machines"]) {
      if (!m.is_string()) {
        return Error(ErrorCode::kInvalidArgument, "journal.machines must be a list of machine ids");
      }
      request.machines.push_back(m.get<std::string>());
    }
  }
  auto settings = journal::resolveSettings(m_config.journal, m_config.edge.dataDir);
  if (!settings) return std::move(settings).error();
  request.dir = settings->dir;
  request.edge = m_config.edge.id;
  request.zstd = true;

  const std::string name = "journal-" + m_config.edge.id + "-" + compactTime(request.from) + "-" +
                           compactTime(request.to) + ".jsonl.zst";
  const auto dir = std::filesystem::path(m_config.edge.dataDir) / "exports";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating " + dir.string());
  upload::UploadRequest upload;
  upload.path = (dir / name).string();
  if (std::filesystem::exists(upload.path, ec)) {
    // Rewriting it would change a file an upload may be sending.
    return Error(ErrorCode::kUnavailable, "an export of this range (" + name +
                                              ") is queued already; status lists it, and it is "
                                              "deleted once the bucket has it");
  }
  upload.key = "exports/" + m_config.edge.id + "/" + name;
  upload.presignedUrl = url;
  upload.deleteAfter = true;
  upload.metadata = {{"spindle-edge", m_config.edge.id}, {"spindle-kind", "journal-export"}};
  const std::string key = url.empty() ? upload.key : std::string();
  if (auto started = m_exports->start(std::move(request), std::move(upload), m_parts.upload);
      !started) {
    return std::move(started).error().with("exporting the journal");
  }
  m_log->info("journal export {} is being written for upload", name);
  return nlohmann::json{{"export", name}, {"key", key}, {"state", "writing"}};
}

Result<nlohmann::json> MachineManager::uploadDiagnostics(const nlohmann::json& args) {
  if (!m_parts.upload) return Error(ErrorCode::kUnavailable, "this edge has no upload queue");
  std::string url;
  if (args.is_object() && args.contains("url")) {
    if (!args["url"].is_string() || args["url"].get<std::string>().rfind("https://", 0) != 0) {
      return Error(ErrorCode::kInvalidArgument, "url must be a presigned https:// PUT URL");
    }
    url = args["url"].get<std::string>();
  }
  if (args.is_object() && args.contains("journal")) return uploadJournal(args["journal"], url);
  nlohmann::json bundle;
  bundle["schema"] = "spindle.diagnostics.v1";
  bundle["edge"] = {{"id", m_config.edge.id}, {"version", SPINDLE_VERSION}};
  bundle["status"] = status();
  bundle["journal"] = journal();
  bundle["network"] = network();
  bundle["configuration"] = control::redactConfig(configText());
  nlohmann::json lines = nlohmann::json::array();
  if (auto ring = logs()) {
    for (const auto& l : ring->lines(ring->capacity())) lines.push_back(l);
  }
  bundle["logs"] = std::move(lines);

  const std::string stamp = compactTime(m_clock.now());
  const std::string name = "diagnostics-" + m_config.edge.id + "-" + stamp + ".json";
  const auto dir = std::filesystem::path(m_config.edge.dataDir) / "diagnostics";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message()).with("creating " + dir.string());
  const std::string path = (dir / name).string();
  const std::string text = bundle.dump();
  if (auto written = writeFileAtomically(path, text, 0600); !written) {
    return std::move(written).error().with("writing the diagnostics bundle");
  }
  upload::UploadRequest request;
  request.path = path;
  request.key = "diagnostics/" + m_config.edge.id + "/" + name;
  request.presignedUrl = url;
  request.deleteAfter = true;
  request.metadata = {{"spindle-edge", m_config.edge.id}, {"spindle-kind", "diagnostics"}};
  const std::string key = url.empty() ? request.key : std::string();  // a URL names its object
  auto id = m_parts.upload(std::move(request));
  if (!id) {
    std::filesystem::remove(path, ec);
    return std::move(id).error().with("queueing the diagnostics bundle");
  }
  m_log->info("diagnostics bundle {} ({} bytes) queued for upload as {}", name, text.size(), *id);
  return nlohmann::json{{"upload", *id}, {"key", key}, {"bytes", text.size()}};
}

}  // namespace spindle::app
