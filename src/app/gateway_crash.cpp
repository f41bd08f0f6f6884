// The reports of earlier crashes (control/crash): pruned at start, and sent through the edge's
// HTTP client in Bugsnag's notifier format when crash_reports names an API key. Sending runs on
// a thread of its own so a slow or unreachable endpoint never holds up the start.
#include "app/gateway.hpp"
#include "control/crash/crash_handler.hpp"
#include "control/crash/crash_options.hpp"

namespace spindle::app {

void Gateway::startCrashReports() {
  const auto& options = m_config.crashReports;
  auto key = control::crash::readApiKey(options);
  if (!key) m_log->error("crash reports are not sent: {}", key.error().describe());
  control::crash::CrashReportsSettings settings;
  settings.directory = control::crash::crashDirectory(m_config.edge.dataDir);
  settings.apiKey = key ? *key : std::string();
  settings.releaseStage = options.releaseStage;
  settings.version = SPINDLE_VERSION;
  settings.keep = static_cast<std::size_t>(options.keep);
  m_crashReports = std::make_shared<control::crash::CrashReports>(settings);
  m_crashReports->prune();
  const std::size_t pending = m_crashReports->pendingCount();
  if (pending == 0) return;
  if (settings.apiKey.empty()) {
    m_log->warn(
        "{} crash report(s) in {} are kept, not sent: crash_reports.api_key_file is not "
        "set",
        pending, settings.directory);
    return;
  }
  m_crashSender = std::thread([this, reports = m_crashReports, endpoint = options.endpoint] {
    const auto summary = reports->sendPending(
        [this, &endpoint](const std::string& body, const control::crash::Headers& headers) {
          net::http::HttpRequest request;
          request.method = "POST";
          request.url = endpoint;
          request.headers = headers;
          request.body = body;
          request.idempotent = true;  // a report sent twice is one more event, not lost data
          request.deadline = std::chrono::minutes(2);
          const auto response = m_http->perform(std::move(request));
          if (response.error) return Status(*response.error);
          if (!response.ok()) {
            return Status(Error(ErrorCode::kUnavailable, "the crash endpoint answered HTTP " +
                                                             std::to_string(response.status) +
                                                             ": " + response.body.substr(0, 200)));
          }
          return okStatus();
        });
    m_log->info("crash reports: {} sent, {} kept for the next start, {} unreadable set aside",
                summary.sent, summary.kept, summary.setAside);
  });
}

void Gateway::stopCrashReports() {
  if (m_http) m_http->stop();  // a post in flight ends now; its report stays for the next start
  if (m_crashSender.joinable()) m_crashSender.join();
}

}  // namespace spindle::app
