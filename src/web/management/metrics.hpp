#pragma once
/// The management server's `GET /metrics`: the edge's health in the Prometheus text exposition
/// format, version 0.0.4 (Content-Type `text/plain; version=0.0.4; charset=utf-8`).
/// renderMetrics() is pure: figures in, text out, no clock, no I/O, no logging. The only I/O
/// here is countOpenFds(), kept apart so the server calls it when it fills MetricsExtras.
/// Every family is listed in metricFamilies() and documented in docs/metrics.md.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "control/health.hpp"

namespace spindle::web::management {

/// What a machine's figures lack in control::MachineHealth. Matched to it by `id`; a machine
/// without extras simply has none of these samples.
struct MachineMetricsExtras {
  std::string id;    ///< MachineHealth::id
  std::string type;  ///< collector type ("modbus_tcp"); "" unknown: no `type` label
  /// Connections made again after a loss since the process started; unset when unknown.
  std::optional<std::uint64_t> reconnects;
  /// Wall clock when the machine entered its current state (MachineHealth::state); 0 unknown.
  TimestampNs stateSince = 0;
};

/// What an uplink's figures lack in control::UplinkHealth (from uplinks::DeliveryStats),
/// matched by `name`.
struct UplinkMetricsExtras {
  std::string name;  ///< UplinkHealth::name
  /// Wall clock of the last record the destination acknowledged (DeliveryStats::lastOk); 0 none.
  TimestampNs lastOk = 0;
  std::optional<std::uint64_t> inFlightBytes;  ///< DeliveryStats::inFlightBytes
};

/// What control::HealthReport lacks. Plain values: the server fills what it knows and leaves
/// the rest unset; an unset figure is left out of the text, never written as 0.
struct MetricsExtras {
  /// The DNS server asked first now (net::ResolverStatus): its name ("8.8.8.8:53" or its
  /// label) and source ("preferred", "configured", "system", net::toString(DnsSource)).
  /// Empty name: no `spindle_dns_server_info` sample.
  std::string dnsServer;
  std::string dnsSource;

  /// From journal::JournalStats; used only when the report has a journal.
  std::optional<std::uint64_t> journalSegments;
  std::optional<std::uint64_t> journalFirstSequence;
  std::optional<std::uint64_t> journalNextSequence;
  std::optional<std::uint64_t> journalDurableSequence;
  std::optional<std::uint64_t> journalSyncs;     ///< fdatasync calls so far
  std::optional<std::uint64_t> journalIoErrors;  ///< failed writes, syncs, creates so far
  /// How long the journal's fdatasync calls took: (upper bound in seconds, syncs at or below
  /// it) in rising order, cumulative as Prometheus histograms are; count and sum in seconds.
  /// No buckets: no `spindle_journal_fsync_seconds` family.
  struct Histogram {
    std::vector<std::pair<double, std::uint64_t>> buckets;
    std::uint64_t count = 0;
    double sum = 0;
  };
  Histogram journalSyncSeconds;

  /// From app::PipelineStats: observations waiting between the collectors and the journal,
  /// collector pushes refused because the queue was full, and whether the journal refuses the
  /// batch at hand.
  std::optional<std::uint64_t> pipelineQueued;
  std::optional<std::uint64_t> pipelineRefusedPushes;
  std::optional<bool> pipelineHolding;

  /// File descriptors the process has open (countOpenFds()); unset when it could not count.
  std::optional<std::uint64_t> openFds;

  std::vector<MachineMetricsExtras> machines;
  std::vector<UplinkMetricsExtras> uplinks;
};

/// One metric family: what `# HELP` and `# TYPE` say of it.
struct MetricFamily {
  const char* name;  ///< e.g. "spindle_machine_up"
  const char* type;  ///< "gauge", "counter" or "histogram"
  const char* help;  ///< one line, no backslash (the text is written as it is)
};

/// Every family renderMetrics() may write, in the order it writes them. Static storage.
std::span<const MetricFamily> metricFamilies();

/// The whole `/metrics` body for `report` and `extras`. Each family appears once, with its
/// HELP and TYPE lines, followed by all its samples; a family with no sample is left out
/// (no machines: no machine families). Label values are escaped and invalid UTF-8 in them is
/// replaced by U+FFFD, so a hostile machine or uplink name cannot break the format. A second
/// machine, uplink or subscription with the same name is left out (Prometheus refuses a scrape
/// with a duplicate series). Unknown figures are left out: a machine that has sent nothing has
/// no last-data-age sample, an unknown clock offset no offset sample, and process figures that
/// read 0 where 0 is impossible (resident memory, threads, disk size) are taken as unread.
/// Never fails; any thread.
std::string renderMetrics(const control::HealthReport& report, const MetricsExtras& extras);

/// Counts the entries of `fdDir` (default: this process's open file descriptors), leaving out
/// the descriptor this function opens to read the directory. Linux. kIo when the directory
/// cannot be read. Any thread; it opens and closes one descriptor.
Result<std::uint64_t> countOpenFds(const char* fdDir = "/proc/self/fd");

}  // namespace spindle::web::management
