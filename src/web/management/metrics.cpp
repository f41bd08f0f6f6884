#include "web/management/metrics.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>

#include <dirent.h>

namespace spindle::web::management {
namespace {

constexpr const char* kGauge = "gauge";
constexpr const char* kCounter = "counter";
constexpr const char* kHistogram = "histogram";

// Every family, in the order they are written.
constexpr MetricFamily kFamilies[] = {
    {"spindle_build_info", kGauge, "Spindle's version; always 1."},
    {"spindle_uptime_seconds", kGauge, "Seconds since the process started."},
    {"spindle_config_info", kGauge, "The configuration that runs; always 1."},
    {"spindle_config_applied_timestamp_seconds", kGauge,
     "When the running configuration was applied, Unix time."},
    {"spindle_config_rejected_info", kGauge,
     "The last desired configuration that was refused; always 1."},
    {"spindle_config_pending_restart_sections", kGauge,
     "Sections of the configuration waiting for the next start."},
    {"spindle_config_refused_values", kGauge,
     "Desired configuration values refused; they do not run."},
    {"spindle_update_on_trial", kGauge, "1 while the running version is on trial after an update."},
    {"spindle_machine_up", kGauge, "1 when the machine is connected, 0 otherwise."},
    {"spindle_machine_state", kGauge, "Connection state of the machine: 1 for the current one."},
    {"spindle_machine_state_since_timestamp_seconds", kGauge,
     "When the machine entered its current state, Unix time."},
    {"spindle_machine_observations_total", kCounter, "Observations from the machine."},
    {"spindle_machine_rejected_total", kCounter,
     "Observations refused by the machine's input limits, by cause."},
    {"spindle_machine_reconnects_total", kCounter,
     "Connections to the machine made again after a loss."},
    {"spindle_machine_last_data_age_seconds", kGauge, "Seconds since the machine last sent data."},
    {"spindle_pipeline_queued_observations", kGauge,
     "Observations waiting between the collectors and the journal."},
    {"spindle_pipeline_refused_pushes_total", kCounter,
     "Batches a collector offered while the pipeline queue was full (it paused)."},
    {"spindle_pipeline_holding", kGauge,
     "1 while the journal refuses the batch at hand (full or failing)."},
    {"spindle_subscription_queued_observations", kGauge,
     "Observations waiting for a live follower."},
    {"spindle_subscription_batches_total", kCounter, "Batches handed to a live follower."},
    {"spindle_subscription_dropped_batches_total", kCounter,
     "Batches a slow live follower lost (the journal keeps them)."},
    {"spindle_subscription_dropped_observations_total", kCounter,
     "Observations in the batches a slow live follower lost."},
    {"spindle_journal_bytes", kGauge, "Journal size on disk, with its write buffer."},
    {"spindle_journal_undelivered_observations", kGauge,
     "Observations held and not yet delivered by every uplink."},
    {"spindle_journal_oldest_undelivered_age_seconds", kGauge,
     "Age of the oldest undelivered observation; 0 when none waits."},
    {"spindle_journal_evicted_observations_total", kCounter,
     "Observations dropped by retention before delivery."},
    {"spindle_journal_stalled", kGauge, "1 while journal writes fail and appends are refused."},
    {"spindle_journal_dropped_consumers_total", kCounter,
     "Consumers dropped with data they had not received."},
    {"spindle_journal_held_consumers", kGauge,
     "Consumers not running whose data the journal keeps."},
    {"spindle_journal_segments", kGauge, "Journal segment files."},
    {"spindle_journal_first_sequence", kGauge, "Sequence of the oldest observation held."},
    {"spindle_journal_next_sequence", kGauge, "Sequence the next observation gets."},
    {"spindle_journal_durable_sequence", kGauge,
     "Every observation below this sequence is durable."},
    {"spindle_journal_syncs_total", kCounter, "Journal fdatasync calls."},
    {"spindle_journal_fsync_seconds", kHistogram,
     "How long the journal's fdatasync calls took (the durability wait of every batch)."},
    {"spindle_journal_io_errors_total", kCounter,
     "Failed journal writes, syncs and creates (each retried)."},
    {"spindle_uplink_connected", kGauge, "1 when the uplink is connected and delivering."},
    {"spindle_uplink_delivered_observations_total", kCounter,
     "Observations the destination acknowledged."},
    {"spindle_uplink_lag_observations", kGauge,
     "Durable observations not yet acknowledged by the destination."},
    {"spindle_uplink_lag_seconds", kGauge,
     "Age of the oldest observation awaiting acknowledgement."},
    {"spindle_uplink_retries_total", kCounter, "Records the uplink answered Retry."},
    {"spindle_uplink_held_observations_total", kCounter,
     "Observations the destination rejected (held beside the journal or lost)."},
    {"spindle_uplink_evicted_observations_total", kCounter,
     "Observations retention dropped before the uplink delivered them."},
    {"spindle_uplink_in_flight_records", kGauge, "Records sent and not yet acknowledged."},
    {"spindle_uplink_in_flight_bytes", kGauge, "Bytes sent and not yet acknowledged."},
    {"spindle_uplink_last_ok_timestamp_seconds", kGauge,
     "When the destination last acknowledged a record, Unix time."},
    {"spindle_clock_offset_seconds", kGauge, "Edge clock minus NTP time (positive: ahead)."},
    {"spindle_dns_server_info", kGauge, "The DNS server asked first now; always 1."},
    {"spindle_process_cpu_percent", kGauge,
     "Process CPU since the previous sample; 100 is one core."},
    {"spindle_process_resident_memory_bytes", kGauge, "Process resident memory."},
    {"spindle_process_threads", kGauge, "Process threads."},
    {"spindle_process_open_fds", kGauge, "Open file descriptors."},
    {"spindle_disk_free_bytes", kGauge,
     "Free space for the process on the data directory's file system."},
    {"spindle_disk_total_bytes", kGauge, "Size of the data directory's file system."},
    {"spindle_host_memory_total_bytes", kGauge, "Host memory."},
    {"spindle_host_memory_available_bytes", kGauge, "Host memory available to start programs."},
    {"spindle_host_load1", kGauge, "Host load average over one minute."},
};

constexpr std::size_t kFamilyCount = std::size(kFamilies);

constexpr bool namesUnique() {
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    for (std::size_t j = i + 1; j < kFamilyCount; ++j) {
      if (std::string_view(kFamilies[i].name) == kFamilies[j].name) return false;
    }
  }
  return true;
}
static_assert(namesUnique(), "a family is listed twice");

std::size_t noSuchFamily() { return kFamilyCount; }  // not constexpr: fails the build

// A family named at a call site, looked up while compiling: a name missing from kFamilies
// does not build, so every name written is listed (and documented) with one TYPE.
struct Family {
  consteval Family(const char* name) : index(find(name)) {}  // NOLINT(google-explicit-constructor)

  static consteval std::size_t find(std::string_view name) {
    for (std::size_t i = 0; i < kFamilyCount; ++i) {
      if (name == kFamilies[i].name) return i;
    }
    return noSuchFamily();
  }

  std::size_t index;
};

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF); 0 when it is not one.
std::size_t utf8Length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = byte(0);
  if (c < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;   // overlong below
    if (c == 0xED) high = 0x9F;  // surrogates above
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;  // beyond U+10FFFF above
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// A label value: backslash, double quote and line feed escaped; invalid UTF-8 replaced, since
// Prometheus refuses the whole scrape for one bad byte.
void appendLabelValue(std::string& out, std::string_view value) {
  while (!value.empty()) {
    const char c = value.front();
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      const std::size_t length = utf8Length(value);
      if (length == 0) {
        out += kReplacement;
        value.remove_prefix(1);
        continue;
      }
      out.append(value.substr(0, length));
      value.remove_prefix(length);
      continue;
    }
    value.remove_prefix(1);
  }
}

// HELP text: only backslash and line feed are escaped.
void appendHelp(std::string& out, std::string_view help) {
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

std::string number(std::uint64_t value) {
  char buffer[24];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

// The shortest text that reads back as the same double; the format's spellings for the rest.
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Plain digits where people read them (a Unix time reads 1700000000, not 1.7e+09); the
  // shortest form, with an exponent, for the very small and the very large.
  const double magnitude = std::fabs(value);
  const bool plain = magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e16);
  char buffer[64];
  const auto end =
      plain ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed).ptr
            : std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

// std::strerror may share its buffer between threads; this does not.
std::string errnoText(int error) { return std::generic_category().message(error); }

std::string flag(bool value) { return value ? "1" : "0"; }

std::string seconds(TimestampNs ns) { return number(static_cast<double>(ns) / 1e9); }

// Labels already written as `name="value",...`, escaped.
class Labels {
 public:
  Labels() = default;
  Labels(std::string_view name, std::string_view value) { add(name, value); }

  Labels& add(std::string_view name, std::string_view value) {
    if (!m_text.empty()) m_text += ',';
    m_text.append(name);
    m_text += "=\"";
    appendLabelValue(m_text, value);
    m_text += '"';
    return *this;
  }
  Labels with(std::string_view name, std::string_view value) const {
    Labels copy = *this;
    copy.add(name, value);
    return copy;
  }
  const std::string& text() const { return m_text; }

 private:
  std::string m_text;
};

// Collects samples per family, so each family is written once however the figures are walked.
class Exposition {
 public:
  void add(Family family, const Labels& labels, const std::string& value) {
    add(family, "", labels, value);
  }
  void add(Family family, const std::string& value) { add(family, Labels(), value); }
  /// A histogram's series: `suffix` is "_bucket", "_sum" or "_count" ("" for other families).
  /// A repeated series (two machines with one id) is left out: Prometheus would refuse the
  /// scrape.
  void add(Family family, std::string_view suffix, const Labels& labels, const std::string& value) {
    Pending& pending = m_pending[family.index];
    std::string key(suffix);
    key += labels.text();
    if (!pending.series.insert(std::move(key)).second) return;
    std::string& out = pending.samples;
    out += kFamilies[family.index].name;
    out += suffix;
    if (!labels.text().empty()) {
      out += '{';
      out += labels.text();
      out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
  }

  std::string text() const {
    std::string out;
    for (std::size_t i = 0; i < kFamilyCount; ++i) {
      if (m_pending[i].samples.empty()) continue;
      const MetricFamily& f = kFamilies[i];
      out += "# HELP ";
      out += f.name;
      out += ' ';
      appendHelp(out, f.help);
      out += "\n# TYPE ";
      out += f.name;
      out += ' ';
      out += f.type;
      out += '\n';
      out += m_pending[i].samples;
    }
    return out;
  }

 private:
  struct Pending {
    std::string samples;
    std::unordered_set<std::string> series;
  };
  std::array<Pending, kFamilyCount> m_pending;
};

constexpr std::string_view kStates[] = {"connected", "connecting", "backoff", "stopped"};

void addEdge(Exposition& out, const control::HealthReport& r) {
  out.add("spindle_build_info", Labels("version", r.version), "1");
  out.add("spindle_uptime_seconds", number(r.uptimeSeconds));
  const control::ConfigHealth& c = r.config;
  if (!c.version.empty()) {
    out.add("spindle_config_info", Labels("version", c.version).add("source", c.source), "1");
  }
  if (c.appliedAt != 0) out.add("spindle_config_applied_timestamp_seconds", seconds(c.appliedAt));
  if (!c.rejectedVersion.empty()) {
    out.add("spindle_config_rejected_info", Labels("version", c.rejectedVersion), "1");
  }
  out.add("spindle_config_pending_restart_sections",
          number(static_cast<std::uint64_t>(c.pendingRestart.size())));
  out.add("spindle_config_refused_values", number(static_cast<std::uint64_t>(c.refused.size())));
  if (r.update) out.add("spindle_update_on_trial", flag(r.update->onTrial));
}

void addMachine(Exposition& out, const control::MachineHealth& m,
                const MachineMetricsExtras* extras) {
  Labels labels("machine", m.id);
  if (extras != nullptr && !extras->type.empty()) labels.add("type", extras->type);
  out.add("spindle_machine_up", labels, flag(m.state == "connected"));
  if (!m.state.empty()) {
    bool known = false;
    for (const std::string_view state : kStates) {
      known = known || state == m.state;
      out.add("spindle_machine_state", labels.with("state", state), flag(state == m.state));
    }
    if (!known) out.add("spindle_machine_state", labels.with("state", m.state), "1");
  }
  if (extras != nullptr && extras->stateSince != 0) {
    out.add("spindle_machine_state_since_timestamp_seconds", labels, seconds(extras->stateSince));
  }
  out.add("spindle_machine_observations_total", labels, number(m.observations));
  const std::pair<std::string_view, std::uint64_t> refused[] = {
      {"items", m.refusedItems},   {"conditions", m.refusedConditions},
      {"assets", m.refusedAssets}, {"values", m.refusedValues},
      {"keys", m.refusedKeys},
  };
  for (const auto& [cause, count] : refused) {
    out.add("spindle_machine_rejected_total", labels.with("cause", cause), number(count));
  }
  if (extras != nullptr && extras->reconnects) {
    out.add("spindle_machine_reconnects_total", labels, number(*extras->reconnects));
  }
  // Negative: nothing since the start. No sample rather than a 0 that reads as "just now".
  if (m.lastDataAgeSeconds >= 0) {
    out.add("spindle_machine_last_data_age_seconds", labels, number(m.lastDataAgeSeconds));
  }
}

void addPipeline(Exposition& out, const control::HealthReport& r, const MetricsExtras& x) {
  if (x.pipelineQueued) out.add("spindle_pipeline_queued_observations", number(*x.pipelineQueued));
  if (x.pipelineRefusedPushes) {
    out.add("spindle_pipeline_refused_pushes_total", number(*x.pipelineRefusedPushes));
  }
  if (x.pipelineHolding) out.add("spindle_pipeline_holding", flag(*x.pipelineHolding));
  for (const control::SubscriptionHealth& s : r.subscriptions) {
    const Labels labels("subscription", s.name);
    out.add("spindle_subscription_queued_observations", labels, number(s.queued));
    out.add("spindle_subscription_batches_total", labels, number(s.batches));
    out.add("spindle_subscription_dropped_batches_total", labels, number(s.dropped));
    out.add("spindle_subscription_dropped_observations_total", labels,
            number(s.droppedObservations));
  }
}

void addJournal(Exposition& out, const control::JournalHealth& j, const MetricsExtras& x) {
  out.add("spindle_journal_bytes", number(j.bytes));
  out.add("spindle_journal_undelivered_observations", number(j.depth));
  out.add("spindle_journal_oldest_undelivered_age_seconds", number(j.ageSeconds));
  out.add("spindle_journal_evicted_observations_total", number(j.evictions));
  out.add("spindle_journal_stalled", flag(j.stalled));
  out.add("spindle_journal_dropped_consumers_total", number(j.droppedConsumers));
  out.add("spindle_journal_held_consumers", number(static_cast<std::uint64_t>(j.heldFor.size())));
  struct Optional {
    Family family;
    const std::optional<std::uint64_t>& value;
  };
  const Optional optional[] = {
      {"spindle_journal_segments", x.journalSegments},
      {"spindle_journal_first_sequence", x.journalFirstSequence},
      {"spindle_journal_next_sequence", x.journalNextSequence},
      {"spindle_journal_durable_sequence", x.journalDurableSequence},
      {"spindle_journal_syncs_total", x.journalSyncs},
      {"spindle_journal_io_errors_total", x.journalIoErrors},
  };
  for (const Optional& o : optional) {
    if (o.value) out.add(o.family, number(*o.value));
  }
  const auto& h = x.journalSyncSeconds;
  if (h.buckets.empty()) return;
  for (const auto& [bound, count] : h.buckets) {
    out.add("spindle_journal_fsync_seconds", "_bucket", Labels("le", number(bound)), number(count));
  }
  out.add("spindle_journal_fsync_seconds", "_bucket", Labels("le", "+Inf"), number(h.count));
  out.add("spindle_journal_fsync_seconds", "_sum", Labels(), number(h.sum));
  out.add("spindle_journal_fsync_seconds", "_count", Labels(), number(h.count));
}

void addUplink(Exposition& out, const control::UplinkHealth& u, const UplinkMetricsExtras* extras) {
  const Labels labels("uplink", u.name);
  out.add("spindle_uplink_connected", labels, flag(u.connected));
  out.add("spindle_uplink_delivered_observations_total", labels, number(u.delivered));
  out.add("spindle_uplink_lag_observations", labels, number(u.lag));
  out.add("spindle_uplink_lag_seconds", labels, number(u.lagSeconds));
  out.add("spindle_uplink_retries_total", labels, number(u.retries));
  out.add("spindle_uplink_held_observations_total", labels, number(u.held));
  out.add("spindle_uplink_evicted_observations_total", labels, number(u.evicted));
  out.add("spindle_uplink_in_flight_records", labels, number(u.inFlight));
  if (extras == nullptr) return;
  if (extras->inFlightBytes) {
    out.add("spindle_uplink_in_flight_bytes", labels, number(*extras->inFlightBytes));
  }
  if (extras->lastOk != 0) {
    out.add("spindle_uplink_last_ok_timestamp_seconds", labels, seconds(extras->lastOk));
  }
}

void addProcess(Exposition& out, const control::ProcessSample& p, const MetricsExtras& x) {
  out.add("spindle_process_cpu_percent", number(p.cpuPercent));
  // ProcessStats leaves a figure it could not read at 0; these cannot really be 0.
  if (p.rssBytes != 0) out.add("spindle_process_resident_memory_bytes", number(p.rssBytes));
  if (p.threads != 0) out.add("spindle_process_threads", number(p.threads));
  if (x.openFds) out.add("spindle_process_open_fds", number(*x.openFds));
  if (p.diskTotalBytes != 0) {
    out.add("spindle_disk_free_bytes", number(p.diskFreeBytes));
    out.add("spindle_disk_total_bytes", number(p.diskTotalBytes));
  }
  if (p.memTotalBytes != 0) {
    out.add("spindle_host_memory_total_bytes", number(p.memTotalBytes));
    out.add("spindle_host_memory_available_bytes", number(p.memAvailableBytes));
    out.add("spindle_host_load1", number(p.load1));
  }
}

// The first extras of each name; later ones with the same name are ignored like their series.
template <typename T, typename Key>
std::unordered_map<std::string_view, const T*> byName(const std::vector<T>& items, Key key) {
  std::unordered_map<std::string_view, const T*> out;
  for (const T& item : items) out.emplace(key(item), &item);
  return out;
}

template <typename T>
const T* find(const std::unordered_map<std::string_view, const T*>& map, std::string_view key) {
  const auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}

}  // namespace

std::span<const MetricFamily> metricFamilies() { return kFamilies; }

std::string renderMetrics(const control::HealthReport& report, const MetricsExtras& extras) {
  Exposition out;
  addEdge(out, report);
  const auto machines =
      byName(extras.machines, [](const auto& m) -> std::string_view { return m.id; });
  for (const control::MachineHealth& m : report.machines) addMachine(out, m, find(machines, m.id));
  addPipeline(out, report, extras);
  if (report.journal) addJournal(out, *report.journal, extras);
  const auto uplinks =
      byName(extras.uplinks, [](const auto& u) -> std::string_view { return u.name; });
  for (const control::UplinkHealth& u : report.uplinks) addUplink(out, u, find(uplinks, u.name));
  if (report.clockOffsetMs) {
    out.add("spindle_clock_offset_seconds", number(*report.clockOffsetMs / 1000.0));
  }
  if (!extras.dnsServer.empty()) {
    out.add("spindle_dns_server_info",
            Labels("server", extras.dnsServer).add("source", extras.dnsSource), "1");
  }
  addProcess(out, report.process, extras);
  return out.text();
}

Result<std::uint64_t> countOpenFds(const char* fdDir) {
  DIR* dir = ::opendir(fdDir);
  if (dir == nullptr) {
    return Error(ErrorCode::kIo, errnoText(errno)).with(std::string("counting ") + fdDir);
  }
  // The descriptor that reads the directory is listed too while we read; it is not the
  // process's own.
  const std::string own = number(static_cast<std::uint64_t>(::dirfd(dir)));
  std::uint64_t count = 0;
  errno = 0;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == ".." || name == own) continue;
    ++count;
  }
  const int readError = errno;  // readdir returns null at the end and on failure
  ::closedir(dir);
  if (readError != 0) {
    return Error(ErrorCode::kIo, errnoText(readError)).with(std::string("counting ") + fdDir);
  }
  return count;
}

}  // namespace spindle::web::management
