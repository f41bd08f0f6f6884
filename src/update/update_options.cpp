#include "update/update_options.hpp"

#include <cstdio>

#include "update/signing.hpp"

namespace spindle::update {

bool Window::contains(int minute) const {
  if (start == end) return true;
  if (start < end) return minute >= start && minute < end;
  return minute >= start || minute < end;
}

Result<Window> Window::parse(const std::string& text) {
  int h1 = -1, m1 = -1, h2 = -1, m2 = -1;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%2d:%2d-%2d:%2d%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 < 0 ||
      h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + text + "' is not a window (HH:MM-HH:MM, local time, e.g. 02:00-04:00)");
  }
  return Window{h1 * 60 + m1, h2 * 60 + m2};
}

const config::OptionTable<UpdateOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<UpdateOptions> t;
    t.optional("trusted_keys", &UpdateOptions::trustedKeys, "[] (no updates)",
               "Ed25519 public keys an update must be signed with: PEM, base64 of the raw key, "
               "or a file holding one. Several for key rotation. Set only in the local file");
    t.optional("channel", &UpdateOptions::channel, "stable",
               "the key of the update bucket this edge follows (edge.<edge id> overrides it)");
    t.choice("policy", &UpdateOptions::policy, {"automatic", "manual"}, "automatic",
             "automatic: install an offered update within window; manual: only on "
             "`spindle update apply`");
    t.optional("window", &UpdateOptions::window, "\"\" (any time)",
               "when automatic updates install, HH:MM-HH:MM in the edge's local time "
               "(may wrap past midnight)");
    t.optional("trial", &UpdateOptions::trial, "2m",
               "how long a new version has to become healthy before it is rolled back",
               {"1s", "1h"});
    t.optional("max_crashes", &UpdateOptions::maxCrashes, "3",
               "starts of a new version without becoming healthy before it is rolled back",
               {"1", "100"});
    t.optional("keep", &UpdateOptions::keep, "2", "old versions kept under versions/", {"1", "10"});
    t.optional("bucket", &UpdateOptions::bucket, "spindle_updates",
               "KV bucket the cloud offers updates in");
    t.optional("ca_file", &UpdateOptions::caFile, "\"\" (the system's)",
               "CA certificates the download server must chain to (a private cloud, tests)");
    t.optional("max_size", &UpdateOptions::maxSize, "256MiB", "largest artifact accepted",
               {"1KiB", "4GiB"});
    t.optional("disk_margin", &UpdateOptions::diskMargin, "64MiB",
               "free space left over after a download of twice the artifact's size", {"0B", ""});
    t.optional("download_timeout", &UpdateOptions::downloadTimeout, "30m",
               "longest a download may take", {"1s", "24h"});
    t.optional("retry", &UpdateOptions::retry, "1m", "wait before trying a failed download again",
               {"100ms", "1d"});
    return t;
  }();
  return table;
}

bool validate(const UpdateOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  const std::size_t before = diags.size();
  for (const auto& spec : o.trustedKeys) {
    if (auto key = loadPublicKey(spec); !key) {
      diags.add(block["trusted_keys"], "update.trusted_keys: " + key.error().describe(),
                "a PEM public key, the base64 of 32 raw bytes, or a file holding one "
                "(spindle update keygen writes one)");
    }
  }
  if (!o.window.empty()) {
    if (auto w = Window::parse(o.window); !w) {
      diags.add(block["window"], "update.window: " + w.error().message());
    }
  }
  if (o.channel.empty() || o.channel.find_first_of(" *>") != std::string::npos) {
    diags.add(block["channel"], "update.channel must be a KV key (no spaces, '*' or '>')");
  }
  return diags.size() == before;
}

}  // namespace spindle::update
