#include "control/crash/crash_options.hpp"

#include <fstream>
#include <sstream>

namespace spindle::control::crash {

const config::OptionTable<CrashReportOptions>& crashReportOptionTable() {
  static const auto table = [] {
    config::OptionTable<CrashReportOptions> t;
    t.optional("api_key_file", &CrashReportOptions::apiKeyFile, "\"\"",
               "a file holding the Bugsnag API key; crash reports are sent only when it is set "
               "(they are written and kept either way)");
    t.optional("endpoint", &CrashReportOptions::endpoint, "https://notify.bugsnag.com",
               "where crash reports are POSTed in Bugsnag's notifier JSON (payload version 5)");
    t.optional("release_stage", &CrashReportOptions::releaseStage, "production",
               "the release stage reports carry (Bugsnag's app.releaseStage)");
    t.optional("keep", &CrashReportOptions::keep, "20",
               "most crash reports kept while they wait to be sent; the oldest go first",
               {"1", "1000"});
    return t;
  }();
  return table;
}

bool validate(const CrashReportOptions& options, const YAML::Node& block,
              config::Diagnostics& diags) {
  const std::size_t before = diags.size();
  if (options.endpoint.rfind("https://", 0) != 0 && options.endpoint.rfind("http://", 0) != 0) {
    diags.add(block["endpoint"], "crash_reports endpoint must be an http:// or https:// URL");
  }
  if (options.releaseStage.empty()) {
    diags.add(block["release_stage"], "crash_reports release_stage cannot be empty");
  }
  return diags.size() == before;
}

Result<std::string> readApiKey(const CrashReportOptions& options) {
  if (options.apiKeyFile.empty()) return std::string();
  std::ifstream in(options.apiKeyFile);
  if (!in) {
    return Error(ErrorCode::kNotFound, "cannot read " + options.apiKeyFile)
        .with("reading the crash report API key (crash_reports: api_key_file)");
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string key = text.str();
  const auto first = key.find_first_not_of(" \t\r\n");
  const auto last = key.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return Error(ErrorCode::kInvalidArgument, options.apiKeyFile + " is empty")
        .with("reading the crash report API key (crash_reports: api_key_file)");
  }
  return key.substr(first, last - first + 1);
}

}  // namespace spindle::control::crash
