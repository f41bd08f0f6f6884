#include "web/management/metrics.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace spindle::web::management {
namespace {

constexpr TimestampNs kSecond = 1'000'000'000;

// ---- An independent reader of the text format (0.0.4), strict where Prometheus is -----------

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

bool isMetricName(const std::string& s) {
  static const std::regex kName("[a-zA-Z_:][a-zA-Z0-9_:]*");
  return std::regex_match(s, kName);
}

bool isLabelName(const std::string& s) {
  static const std::regex kName("[a-zA-Z_][a-zA-Z0-9_]*");
  return std::regex_match(s, kName) && s.rfind("__", 0) != 0;
}

bool isValidUtf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    const std::uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

bool isNumber(const std::string& s) {
  if (s == "NaN" || s == "+Inf" || s == "-Inf") return true;
  if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string::npos) return false;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(v);
}

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  std::string labelText;                      // as written, to tell series apart
  std::string value;
};

// Parses `name{a="b",...} value`; an error text when the line breaks the format.
std::string parseSample(const std::string& line, Sample& out) {
  std::size_t i = line.find_first_of("{ ");
  if (i == std::string::npos) return "no value";
  out.name = line.substr(0, i);
  if (!isMetricName(out.name)) return "bad metric name";
  if (line[i] == '{') {
    const std::size_t open = i++;
    while (line[i] != '}') {
      const std::size_t eq = line.find('=', i);
      if (eq == std::string::npos) return "label without =";
      const std::string name = line.substr(i, eq - i);
      if (!isLabelName(name)) return "bad label name '" + name + "'";
      if (eq + 1 >= line.size() || line[eq + 1] != '"') return "label value not quoted";
      std::string value;
      std::size_t k = eq + 2;
      for (; k < line.size() && line[k] != '"'; ++k) {
        if (line[k] != '\\') {
          value += line[k];
          continue;
        }
        if (++k >= line.size()) return "escape at end of line";
        if (line[k] == '\\' || line[k] == '"') {
          value += line[k];
        } else if (line[k] == 'n') {
          value += '\n';
        } else {
          return "unknown escape";
        }
      }
      if (k >= line.size()) return "unterminated label value";
      if (!isValidUtf8(value)) return "label value is not UTF-8";
      if (!out.labels.emplace(name, value).second) return "label repeated";
      i = k + 1;
      if (i >= line.size()) return "unterminated labels";
      if (line[i] == ',') {
        ++i;
      } else if (line[i] != '}') {
        return "expected , or }";
      }
    }
    out.labelText = line.substr(open, i + 1 - open);
    ++i;
  }
  if (i >= line.size() || line[i] != ' ') return "expected one space before the value";
  out.value = line.substr(i + 1);
  if (!isNumber(out.value)) return "bad value '" + out.value + "'";  // also: no timestamp
  return "";
}

// The family a sample belongs to: its own name, or a histogram's for its _bucket, _sum and
// _count series.
std::string familyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
    if (!name.ends_with(suffix)) continue;
    const std::string base = name.substr(0, name.size() - suffix.size());
    if (auto it = types.find(base); it != types.end() && it->second == "histogram") return base;
  }
  return name;
}

// Every line: HELP and TYPE once per family, before its samples; a family's samples together;
// no series twice; counters end in _total. Returns the problems found, one per line.
std::string checkExposition(const std::string& text) {
  std::string problems;
  const auto problem = [&](std::size_t n, const std::string& what, const std::string& line) {
    problems += "line " + std::to_string(n + 1) + ": " + what + ": " + line + "\n";
  };
  if (!text.empty() && text.back() != '\n') problems += "no final line feed\n";
  std::map<std::string, std::string> types;
  std::set<std::string> helps, finished, series;
  std::string current;  // the family whose samples are being read
  const auto all = lines(text);
  for (std::size_t n = 0; n < all.size(); ++n) {
    const std::string& line = all[n];
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const std::string rest = line.substr(7);
      const std::string name = rest.substr(0, rest.find(' '));
      if (!isMetricName(name)) problem(n, "bad family name", line);
      if (name != current) {
        if (finished.count(name) != 0) problem(n, "family repeated", line);
        if (!current.empty()) finished.insert(current);
        current = name;
      }
      if (line[2] == 'H') {
        if (!helps.insert(name).second) problem(n, "second HELP", line);
        if (rest.size() <= name.size() + 1) problem(n, "empty HELP", line);
      } else {
        const std::string type = rest.substr(rest.find(' ') + 1);
        if (type != "counter" && type != "gauge" && type != "untyped" && type != "summary" &&
            type != "histogram") {
          problem(n, "unknown type", line);
        }
        if (!types.emplace(name, type).second) problem(n, "second TYPE", line);
        if (type == "counter" && !name.ends_with("_total"))
          problem(n, "counter without _total", line);
      }
      continue;
    }
    if (line.empty() || line[0] == '#') {
      problem(n, "unexpected line", line);
      continue;
    }
    Sample s;
    if (const std::string error = parseSample(line, s); !error.empty()) {
      problem(n, error, line);
      continue;
    }
    const std::string family = familyOf(s.name, types);
    if (family != current) problem(n, "sample outside its family's block", line);
    if (types.count(family) == 0) problem(n, "sample before its TYPE", line);
    if (family != s.name && s.name.ends_with("_bucket") && s.labels.count("le") == 0) {
      problem(n, "histogram bucket without le", line);
    }
    if (!series.insert(s.name + s.labelText).second) problem(n, "series repeated", line);
  }
  return problems;
}

std::vector<Sample> samples(const std::string& text) {
  std::vector<Sample> out;
  for (const auto& line : lines(text)) {
    if (line.empty() || line[0] == '#') continue;
    Sample s;
    if (parseSample(line, s).empty()) out.push_back(s);
  }
  return out;
}

std::set<std::string> familiesIn(const std::string& text) {
  std::map<std::string, std::string> types;
  for (const auto& line : lines(text)) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    const std::string rest = line.substr(7);
    types[rest.substr(0, rest.find(' '))] = rest.substr(rest.find(' ') + 1);
  }
  std::set<std::string> out;
  for (const auto& s : samples(text)) out.insert(familyOf(s.name, types));
  return out;
}

// ---- Reports ----------------------------------------------------------------------------------

control::HealthReport smallReport() {
  control::HealthReport r;
  r.version = "1.2.3";
  r.uptimeSeconds = 90.5;
  r.config.version = "file:abc";
  r.config.source = "file";
  r.config.appliedAt = 1'700'000'000 * kSecond;
  control::MachineHealth m;
  m.id = "press-1";
  m.state = "connected";
  m.observations = 42;
  m.refusedItems = 1;
  m.refusedKeys = 2;
  m.lastDataAgeSeconds = 1.5;
  r.machines.push_back(m);
  control::SubscriptionHealth s;
  s.name = "mtconnect";
  s.batches = 10;
  s.dropped = 1;
  s.droppedObservations = 5;
  s.queued = 3;
  r.subscriptions.push_back(s);
  control::JournalHealth j;
  j.bytes = 4096;
  j.depth = 7;
  j.ageSeconds = 2.25;
  r.journal = j;
  control::UplinkHealth u;
  u.name = "nats";
  u.connected = true;
  u.delivered = 100;
  u.lag = 7;
  u.lagSeconds = 0.5;
  u.retries = 1;
  u.inFlight = 2;
  r.uplinks.push_back(u);
  r.clockOffsetMs = -250;
  r.process.cpuPercent = 12.5;
  r.process.rssBytes = 1048576;
  r.process.threads = 9;
  r.process.diskFreeBytes = 1000;
  r.process.diskTotalBytes = 2000;
  return r;
}

MetricsExtras smallExtras() {
  MetricsExtras x;
  x.dnsServer = "8.8.8.8:53";
  x.dnsSource = "preferred";
  x.journalSegments = 2;
  x.pipelineQueued = 4;
  x.openFds = 17;
  x.machines.push_back({"press-1", "modbus_tcp", 3, 1'700'000'100 * kSecond + kSecond / 2});
  x.uplinks.push_back({"nats", 1'700'000'200 * kSecond, 512});
  return x;
}

TEST(ManagementMetrics, WritesTheExactTextOfASmallReport) {
  const std::string expected = R"(# HELP spindle_build_info Spindle's version; always 1.
# TYPE spindle_build_info gauge
spindle_build_info{version="1.2.3"} 1
# HELP spindle_uptime_seconds Seconds since the process started.
# TYPE spindle_uptime_seconds gauge
spindle_uptime_seconds 90.5
# HELP spindle_config_info The configuration that runs; always 1.
# TYPE spindle_config_info gauge
spindle_config_info{version="file:abc",source="file"} 1
# HELP spindle_config_applied_timestamp_seconds When the running configuration was applied, Unix time.
# TYPE spindle_config_applied_timestamp_seconds gauge
spindle_config_applied_timestamp_seconds 1700000000
# HELP spindle_config_pending_restart_sections Sections of the configuration waiting for the next start.
# TYPE spindle_config_pending_restart_sections gauge
spindle_config_pending_restart_sections 0
# HELP spindle_config_refused_values Desired configuration values refused; they do not run.
# TYPE spindle_config_refused_values gauge
spindle_config_refused_values 0
# HELP spindle_machine_up 1 when the machine is connected, 0 otherwise.
# TYPE spindle_machine_up gauge
spindle_machine_up{machine="press-1",type="modbus_tcp"} 1
# HELP spindle_machine_state Connection state of the machine: 1 for the current one.
# TYPE spindle_machine_state gauge
spindle_machine_state{machine="press-1",type="modbus_tcp",state="connected"} 1
spindle_machine_state{machine="press-1",type="modbus_tcp",state="connecting"} 0
spindle_machine_state{machine="press-1",type="modbus_tcp",state="backoff"} 0
spindle_machine_state{machine="press-1",type="modbus_tcp",state="stopped"} 0
# HELP spindle_machine_state_since_timestamp_seconds When the machine entered its current state, Unix time.
# TYPE spindle_machine_state_since_timestamp_seconds gauge
spindle_machine_state_since_timestamp_seconds{machine="press-1",type="modbus_tcp"} 1700000100.5
# HELP spindle_machine_observations_total Observations from the machine.
# TYPE spindle_machine_observations_total counter
spindle_machine_observations_total{machine="press-1",type="modbus_tcp"} 42
# HELP spindle_machine_rejected_total Observations refused by the machine's input limits, by cause.
# TYPE spindle_machine_rejected_total counter
spindle_machine_rejected_total{machine="press-1",type="modbus_tcp",cause="items"} 1
spindle_machine_rejected_total{machine="press-1",type="modbus_tcp",cause="conditions"} 0
spindle_machine_rejected_total{machine="press-1",type="modbus_tcp",cause="assets"} 0
spindle_machine_rejected_total{machine="press-1",type="modbus_tcp",cause="values"} 0
spindle_machine_rejected_total{machine="press-1",type="modbus_tcp",cause="keys"} 2
# HELP spindle_machine_reconnects_total Connections to the machine made again after a loss.
# TYPE spindle_machine_reconnects_total counter
spindle_machine_reconnects_total{machine="press-1",type="modbus_tcp"} 3
# HELP spindle_machine_last_data_age_seconds Seconds since the machine last sent data.
# TYPE spindle_machine_last_data_age_seconds gauge
spindle_machine_last_data_age_seconds{machine="press-1",type="modbus_tcp"} 1.5
# HELP spindle_pipeline_queued_observations Observations waiting between the collectors and the journal.
# TYPE spindle_pipeline_queued_observations gauge
spindle_pipeline_queued_observations 4
# HELP spindle_subscription_queued_observations Observations waiting for a live follower.
# TYPE spindle_subscription_queued_observations gauge
spindle_subscription_queued_observations{subscription="mtconnect"} 3
# HELP spindle_subscription_batches_total Batches handed to a live follower.
# TYPE spindle_subscription_batches_total counter
spindle_subscription_batches_total{subscription="mtconnect"} 10
# HELP spindle_subscription_dropped_batches_total Batches a slow live follower lost (the journal keeps them).
# TYPE spindle_subscription_dropped_batches_total counter
spindle_subscription_dropped_batches_total{subscription="mtconnect"} 1
# HELP spindle_subscription_dropped_observations_total Observations in the batches a slow live follower lost.
# TYPE spindle_subscription_dropped_observations_total counter
spindle_subscription_dropped_observations_total{subscription="mtconnect"} 5
# HELP spindle_journal_bytes Journal size on disk, with its write buffer.
# TYPE spindle_journal_bytes gauge
spindle_journal_bytes 4096
# HELP spindle_journal_undelivered_observations Observations held and not yet delivered by every uplink.
# TYPE spindle_journal_undelivered_observations gauge
spindle_journal_undelivered_observations 7
# HELP spindle_journal_oldest_undelivered_age_seconds Age of the oldest undelivered observation; 0 when none waits.
# TYPE spindle_journal_oldest_undelivered_age_seconds gauge
spindle_journal_oldest_undelivered_age_seconds 2.25
# HELP spindle_journal_evicted_observations_total Observations dropped by retention before delivery.
# TYPE spindle_journal_evicted_observations_total counter
spindle_journal_evicted_observations_total 0
# HELP spindle_journal_stalled 1 while journal writes fail and appends are refused.
# TYPE spindle_journal_stalled gauge
spindle_journal_stalled 0
# HELP spindle_journal_dropped_consumers_total Consumers dropped with data they had not received.
# TYPE spindle_journal_dropped_consumers_total counter
spindle_journal_dropped_consumers_total 0
# HELP spindle_journal_held_consumers Consumers not running whose data the journal keeps.
# TYPE spindle_journal_held_consumers gauge
spindle_journal_held_consumers 0
# HELP spindle_journal_segments Journal segment files.
# TYPE spindle_journal_segments gauge
spindle_journal_segments 2
# HELP spindle_uplink_connected 1 when the uplink is connected and delivering.
# TYPE spindle_uplink_connected gauge
spindle_uplink_connected{uplink="nats"} 1
# HELP spindle_uplink_delivered_observations_total Observations the destination acknowledged.
# TYPE spindle_uplink_delivered_observations_total counter
spindle_uplink_delivered_observations_total{uplink="nats"} 100
# HELP spindle_uplink_lag_observations Durable observations not yet acknowledged by the destination.
# TYPE spindle_uplink_lag_observations gauge
spindle_uplink_lag_observations{uplink="nats"} 7
# HELP spindle_uplink_lag_seconds Age of the oldest observation awaiting acknowledgement.
# TYPE spindle_uplink_lag_seconds gauge
spindle_uplink_lag_seconds{uplink="nats"} 0.5
# HELP spindle_uplink_retries_total Records the uplink answered Retry.
# TYPE spindle_uplink_retries_total counter
spindle_uplink_retries_total{uplink="nats"} 1
# HELP spindle_uplink_held_observations_total Observations the destination rejected (held beside the journal or lost).
# TYPE spindle_uplink_held_observations_total counter
spindle_uplink_held_observations_total{uplink="nats"} 0
# HELP spindle_uplink_evicted_observations_total Observations retention dropped before the uplink delivered them.
# TYPE spindle_uplink_evicted_observations_total counter
spindle_uplink_evicted_observations_total{uplink="nats"} 0
# HELP spindle_uplink_in_flight_records Records sent and not yet acknowledged.
# TYPE spindle_uplink_in_flight_records gauge
spindle_uplink_in_flight_records{uplink="nats"} 2
# HELP spindle_uplink_in_flight_bytes Bytes sent and not yet acknowledged.
# TYPE spindle_uplink_in_flight_bytes gauge
spindle_uplink_in_flight_bytes{uplink="nats"} 512
# HELP spindle_uplink_last_ok_timestamp_seconds When the destination last acknowledged a record, Unix time.
# TYPE spindle_uplink_last_ok_timestamp_seconds gauge
spindle_uplink_last_ok_timestamp_seconds{uplink="nats"} 1700000200
# HELP spindle_clock_offset_seconds Edge clock minus NTP time (positive: ahead).
# TYPE spindle_clock_offset_seconds gauge
spindle_clock_offset_seconds -0.25
# HELP spindle_dns_server_info The DNS server asked first now; always 1.
# TYPE spindle_dns_server_info gauge
spindle_dns_server_info{server="8.8.8.8:53",source="preferred"} 1
# HELP spindle_process_cpu_percent Process CPU since the previous sample; 100 is one core.
# TYPE spindle_process_cpu_percent gauge
spindle_process_cpu_percent 12.5
# HELP spindle_process_resident_memory_bytes Process resident memory.
# TYPE spindle_process_resident_memory_bytes gauge
spindle_process_resident_memory_bytes 1048576
# HELP spindle_process_threads Process threads.
# TYPE spindle_process_threads gauge
spindle_process_threads 9
# HELP spindle_process_open_fds Open file descriptors.
# TYPE spindle_process_open_fds gauge
spindle_process_open_fds 17
# HELP spindle_disk_free_bytes Free space for the process on the data directory's file system.
# TYPE spindle_disk_free_bytes gauge
spindle_disk_free_bytes 1000
# HELP spindle_disk_total_bytes Size of the data directory's file system.
# TYPE spindle_disk_total_bytes gauge
spindle_disk_total_bytes 2000
)";
  const std::string text = renderMetrics(smallReport(), smallExtras());
  EXPECT_EQ(text, expected);
  EXPECT_EQ(checkExposition(text), "");
}

// Everything set, so every family in the table is written at least once.
control::HealthReport fullReport() {
  control::HealthReport r = smallReport();
  r.config.rejectedVersion = "kv:9";
  r.config.pendingRestart = {"web"};
  r.config.refused = {"journal.max_size: too small", "net.dns: bad"};
  r.update = control::UpdateHealth{};
  r.update->onTrial = true;
  r.journal->heldFor = {"old-uplink"};
  r.journal->stalled = true;
  r.process.memTotalBytes = 8 << 20;
  r.process.memAvailableBytes = 4 << 20;
  r.process.load1 = 0.75;
  return r;
}

MetricsExtras fullExtras() {
  MetricsExtras x = smallExtras();
  x.journalFirstSequence = 10;
  x.journalNextSequence = 20;
  x.journalDurableSequence = 19;
  x.journalSyncs = 5;
  x.journalIoErrors = 0;
  x.journalSyncSeconds.buckets = {{0.001, 2}, {0.01, 4}, {0.1, 4}};
  x.journalSyncSeconds.count = 5;
  x.journalSyncSeconds.sum = 0.3125;
  x.pipelineRefusedPushes = 6;
  x.pipelineHolding = false;
  return x;
}

TEST(ManagementMetrics, WritesTheSyncLatencyAsAPrometheusHistogram) {
  const std::string text = renderMetrics(fullReport(), fullExtras());
  EXPECT_EQ(checkExposition(text), "");
  const std::string expected =
      "# TYPE spindle_journal_fsync_seconds histogram\n"
      "spindle_journal_fsync_seconds_bucket{le=\"0.001\"} 2\n"
      "spindle_journal_fsync_seconds_bucket{le=\"0.01\"} 4\n"
      "spindle_journal_fsync_seconds_bucket{le=\"0.1\"} 4\n"
      "spindle_journal_fsync_seconds_bucket{le=\"+Inf\"} 5\n"
      "spindle_journal_fsync_seconds_sum 0.3125\n"
      "spindle_journal_fsync_seconds_count 5\n";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  // No buckets (no journal figures): no family at all, not an empty histogram.
  EXPECT_EQ(renderMetrics(fullReport(), MetricsExtras{}).find("fsync_seconds"), std::string::npos);
}

TEST(ManagementMetrics, EveryListedFamilyIsWrittenOnceWithOneType) {
  const std::string text = renderMetrics(fullReport(), fullExtras());
  EXPECT_EQ(checkExposition(text), "");
  std::set<std::string> listed;
  for (const MetricFamily& f : metricFamilies()) {
    EXPECT_TRUE(listed.insert(f.name).second) << "listed twice: " << f.name;
    EXPECT_TRUE(isMetricName(f.name) && std::string(f.name).rfind("spindle_", 0) == 0) << f.name;
    const std::string type = f.type;
    EXPECT_TRUE(type == "gauge" || type == "counter" || type == "histogram") << f.name;
    EXPECT_EQ(type == "counter", std::string(f.name).ends_with("_total")) << f.name;
    EXPECT_EQ(std::string(f.help).find_first_of("\\\n"), std::string::npos) << f.name;
    // One TYPE line per family, and it says what the table says.
    const std::string typeLine = std::string("# TYPE ") + f.name + " " + f.type + "\n";
    const std::size_t at = text.find(typeLine);
    EXPECT_NE(at, std::string::npos) << f.name;
    EXPECT_EQ(text.find(std::string("# TYPE ") + f.name + " ", at + 1), std::string::npos)
        << f.name;
  }
  EXPECT_EQ(familiesIn(text), listed);
  EXPECT_EQ(listed.size(), metricFamilies().size());
}

TEST(ManagementMetrics, EscapesHostileNames) {
  control::HealthReport r;
  control::MachineHealth m;
  m.id = "a\"b\\c\nd";
  m.state = "connected";
  r.machines.push_back(m);
  m.id = "bad\xff\xc0utf8 Prüfstand \xed\xa0\x80";  // invalid bytes, valid ü, a surrogate
  r.machines.push_back(m);
  control::UplinkHealth u;
  u.name = "} 1\nspindle_fake 2";
  r.uplinks.push_back(u);
  MetricsExtras x;
  x.machines.push_back({"a\"b\\c\nd", "ty\"pe", std::nullopt, 0});
  x.dnsServer = "\\\\host\"";
  x.dnsSource = "configured";
  const std::string text = renderMetrics(r, x);
  EXPECT_EQ(checkExposition(text), "");
  EXPECT_NE(text.find("spindle_machine_up{machine=\"a\\\"b\\\\c\\nd\",type=\"ty\\\"pe\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("spindle_machine_up{machine=\"bad\xEF\xBF\xBD\xEF\xBF\xBDutf8 "
                      "Pr\xC3\xBC"
                      "fstand \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("spindle_uplink_connected{uplink=\"} 1\\nspindle_fake 2\"} 0\n"),
            std::string::npos);
  EXPECT_NE(
      text.find("spindle_dns_server_info{server=\"\\\\\\\\host\\\"\",source=\"configured\"} 1"),
      std::string::npos);
  EXPECT_EQ(familiesIn(text).count("spindle_fake"), 0U);
  // What a reader gets back is the name as it was (valid UTF-8 parts unchanged).
  std::set<std::string> machines;
  for (const Sample& s : samples(text)) {
    if (s.name == "spindle_machine_up") machines.insert(s.labels.at("machine"));
  }
  EXPECT_EQ(machines.count("a\"b\\c\nd"), 1U);
  EXPECT_EQ(machines.size(), 2U);
}

TEST(ManagementMetrics, LeavesUnknownFiguresOut) {
  control::HealthReport r;  // no journal, no clock offset, process figures unread
  control::MachineHealth m;
  m.id = "lathe";
  m.state = "connecting";
  m.lastDataAgeSeconds = -1;  // nothing since the start
  r.machines.push_back(m);
  control::UplinkHealth u;
  u.name = "nats";
  r.uplinks.push_back(u);
  MetricsExtras x;
  x.machines.push_back({"lathe", "", std::nullopt, 0});  // type, reconnects and since unknown
  x.uplinks.push_back({"nats", 0, std::nullopt});
  x.journalSegments = 3;  // no journal in the report: not written
  const std::string text = renderMetrics(r, x);
  EXPECT_EQ(checkExposition(text), "");
  const std::set<std::string> families = familiesIn(text);
  for (const char* absent :
       {"spindle_machine_last_data_age_seconds", "spindle_machine_reconnects_total",
        "spindle_machine_state_since_timestamp_seconds", "spindle_clock_offset_seconds",
        "spindle_dns_server_info", "spindle_journal_bytes", "spindle_journal_segments",
        "spindle_uplink_in_flight_bytes", "spindle_uplink_last_ok_timestamp_seconds",
        "spindle_process_resident_memory_bytes", "spindle_process_threads",
        "spindle_process_open_fds", "spindle_disk_free_bytes", "spindle_disk_total_bytes",
        "spindle_host_memory_total_bytes", "spindle_config_info",
        "spindle_config_applied_timestamp_seconds", "spindle_pipeline_queued_observations",
        "spindle_update_on_trial"}) {
    EXPECT_EQ(families.count(absent), 0U) << absent;
    EXPECT_EQ(text.find(std::string("# TYPE ") + absent + " "), std::string::npos) << absent;
  }
  EXPECT_NE(text.find("spindle_machine_up{machine=\"lathe\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("spindle_machine_state{machine=\"lathe\",state=\"connecting\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("spindle_machine_observations_total{machine=\"lathe\"} 0\n"),
            std::string::npos);
}

TEST(ManagementMetrics, ZeroAgeIsWrittenWhenKnown) {
  control::HealthReport r;
  control::MachineHealth m;
  m.id = "lathe";
  m.lastDataAgeSeconds = 0;  // data this instant: known, not "never"
  r.machines.push_back(m);
  const std::string text = renderMetrics(r, {});
  EXPECT_NE(text.find("spindle_machine_last_data_age_seconds{machine=\"lathe\"} 0\n"),
            std::string::npos);
  // No state at all: no state samples, and not up.
  EXPECT_EQ(familiesIn(text).count("spindle_machine_state"), 0U);
  EXPECT_NE(text.find("spindle_machine_up{machine=\"lathe\"} 0\n"), std::string::npos);
}

TEST(ManagementMetrics, AnUnexpectedStateIsShownBesideTheKnownOnes) {
  control::HealthReport r;
  control::MachineHealth m;
  m.id = "m";
  m.state = "paused";
  r.machines.push_back(m);
  const std::string text = renderMetrics(r, {});
  EXPECT_EQ(checkExposition(text), "");
  std::map<std::string, std::string> states;
  for (const Sample& s : samples(text)) {
    if (s.name == "spindle_machine_state") states[s.labels.at("state")] = s.value;
  }
  const std::map<std::string, std::string> expected = {
      {"connected", "0"}, {"connecting", "0"}, {"backoff", "0"}, {"stopped", "0"}, {"paused", "1"}};
  EXPECT_EQ(states, expected);
}

TEST(ManagementMetrics, WritesNaNAndInfinitiesInTheFormatsSpelling) {
  control::HealthReport r;
  r.uptimeSeconds = std::numeric_limits<double>::quiet_NaN();
  r.clockOffsetMs = -std::numeric_limits<double>::infinity();
  r.process.cpuPercent = std::numeric_limits<double>::infinity();
  control::MachineHealth m;
  m.id = "m";
  m.observations = std::numeric_limits<std::uint64_t>::max();
  m.lastDataAgeSeconds = std::numeric_limits<double>::infinity();
  r.machines.push_back(m);
  const std::string text = renderMetrics(r, {});
  EXPECT_EQ(checkExposition(text), "");
  EXPECT_NE(text.find("\nspindle_uptime_seconds NaN\n"), std::string::npos);
  EXPECT_NE(text.find("\nspindle_clock_offset_seconds -Inf\n"), std::string::npos);
  EXPECT_NE(text.find("\nspindle_process_cpu_percent +Inf\n"), std::string::npos);
  EXPECT_NE(text.find("spindle_machine_last_data_age_seconds{machine=\"m\"} +Inf\n"),
            std::string::npos);
  EXPECT_NE(text.find("spindle_machine_observations_total{machine=\"m\"} 18446744073709551615\n"),
            std::string::npos);
}

TEST(ManagementMetrics, DoublesReadBackExactly) {
  control::HealthReport r;
  const double values[] = {
      0.1,    1.0 / 3.0, 1e-300, 123456789.125,          1e21,      -2.5e-7, -0.0, 1e-4,
      9.9e15, 1e16,      5e-324, 1.7976931348623157e308, 1e15 + 0.5};
  for (const double v : values) {
    r.uptimeSeconds = v;
    std::string value;
    for (const Sample& s : samples(renderMetrics(r, {}))) {
      if (s.name == "spindle_uptime_seconds") value = s.value;
    }
    ASSERT_FALSE(value.empty());
    EXPECT_EQ(std::strtod(value.c_str(), nullptr), v) << value;
  }
}

TEST(ManagementMetrics, ARepeatedNameIsWrittenOnce) {
  control::HealthReport r;
  control::MachineHealth m;
  m.id = "twin";
  m.observations = 1;
  r.machines.push_back(m);
  m.observations = 2;
  r.machines.push_back(m);
  control::SubscriptionHealth s;
  s.name = "follower";
  r.subscriptions = {s, s};
  const std::string text = renderMetrics(r, {});
  EXPECT_EQ(checkExposition(text), "");
  EXPECT_NE(text.find("spindle_machine_observations_total{machine=\"twin\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("spindle_machine_observations_total{machine=\"twin\"} 2\n"),
            std::string::npos);
}

TEST(ManagementMetrics, TheCheckerRefusesBrokenText) {
  // The checker above must be able to fail, or the other tests prove nothing.
  const char* broken[] = {
      "# TYPE a gauge\na{x=\"1\"} 1 2\n",   // a timestamp we never write
      "# TYPE a gauge\na{x=\"a\nb\"} 1\n",  // raw line feed in a value
      "# TYPE a gauge\na{x=\"\\q\"} 1\n",   // unknown escape
      "# TYPE a gauge\na{1x=\"v\"} 1\n",    // bad label name
      "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\na{x=\"y\"} 1\n",  // repeated
      "# TYPE a gauge\n# TYPE a counter\na 1\n",                                   // two types
      "# TYPE a gauge\na one\n",                                                   // not a number
      "# TYPE a gauge\na 1\na 2\n",                                                // series twice
      "# TYPE a counter\na 1\n",            // counter without _total
      "b 1\n",                              // no TYPE
      "# TYPE a gauge\na{x=\"\xff\"} 1\n",  // not UTF-8
  };
  for (const char* text : broken) EXPECT_NE(checkExposition(text), "") << text;
}

TEST(ManagementMetrics, TheUserDocumentationListsEveryFamily) {
  std::ifstream in(std::string(SPINDLE_SOURCE_DIR) + "/docs/metrics.md");
  ASSERT_TRUE(in.good());
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  std::set<std::string> listed;
  for (const MetricFamily& f : metricFamilies()) {
    listed.insert(f.name);
    EXPECT_NE(text.find(std::string("`") + f.name + "`"), std::string::npos) << f.name;
  }
  // And it names no family the edge does not write.
  const std::regex name("`(spindle_[a-z0-9_]+)`");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator();
       ++it) {
    EXPECT_EQ(listed.count((*it)[1].str()), 1U) << (*it)[1].str();
  }
}

// ---- countOpenFds -----------------------------------------------------------------------------

TEST(ManagementMetrics, CountsOpenFileDescriptors) {
  const auto before = countOpenFds();
  ASSERT_TRUE(before.ok()) << before.error().describe();
  EXPECT_GE(before.value(), 3U);  // at least what a test runner inherits: stdin, stdout, stderr
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const int third = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(third, 0);
  const auto during = countOpenFds();
  ::close(fds[0]);
  ::close(fds[1]);
  ::close(third);
  const auto after = countOpenFds();
  ASSERT_TRUE(during.ok() && after.ok());
  EXPECT_EQ(during.value(), before.value() + 3);
  EXPECT_EQ(after.value(), before.value());
}

TEST(ManagementMetrics, CountsTheEntriesOfADirectoryAndFailsOnAMissingOne) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("spindle_metrics_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char* file : {"a", "b", "c"}) std::ofstream(dir / file) << "x";
  const auto count = countOpenFds(dir.c_str());
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(count.ok()) << count.error().describe();
  EXPECT_EQ(count.value(), 3U);

  const auto missing = countOpenFds(dir.c_str());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kIo);
  EXPECT_NE(missing.error().describe().find(dir.string()), std::string::npos)
      << missing.error().describe();
}

}  // namespace
}  // namespace spindle::web::management
