#pragma once
/// Options of crash reports (the `crash_reports:` section of spindle.yaml). Off unless an API
/// key file is given: reports are still written and kept (at most `keep`), only not sent.

#include <string>

#include "base/error.hpp"
#include "config/option_table.hpp"

namespace spindle::control::crash {

struct CrashReportOptions {
  std::string apiKeyFile;                               ///< a file holding the key; "" = off
  std::string endpoint = "https://notify.bugsnag.com";  ///< where reports are POSTed
  std::string releaseStage = "production";              ///< Bugsnag's app.releaseStage
  int keep = 20;                                        ///< most reports kept unsent
};

const config::OptionTable<CrashReportOptions>& crashReportOptionTable();

/// Checks what the table cannot: the endpoint is an http(s) URL.
bool validate(const CrashReportOptions& options, const YAML::Node& block,
              config::Diagnostics& diags);

/// The API key from `apiKeyFile` (surrounding whitespace removed); "" when the file is not
/// configured (sending is off). An unreadable or empty file is an error naming it.
Result<std::string> readApiKey(const CrashReportOptions& options);

}  // namespace spindle::control::crash
