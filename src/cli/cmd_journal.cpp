// spindle journal inspect|verify|dump|export|consumers DIR: the operator's view of a journal
// directory. These only read (never the writer's lock), so they work while spindle runs.
// drop-consumer DIR NAME leaves a request file the journal takes when it next looks (within a
// second while spindle runs, else when it next opens).

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/atomic_file.hpp"
#include "base/time.hpp"
#include "base/units.hpp"
#include "cli/command.hpp"
#include "journal/export.hpp"
#include "journal/inspect.hpp"

namespace spindle::cli {
namespace {

std::string size(std::uint64_t bytes) { return formatByteSize(ByteSize{bytes}); }

std::string when(TimestampNs ns) { return ns == 0 ? "-" : formatTimestamp(ns); }

void printSegment(const journal::SegmentReport& s) {
  const std::string name = std::filesystem::path(s.path).filename().string();
  std::cout << fmt::format("  {}  {:>10}  {:>8} records  {:>10} obs", name, size(s.bytes),
                           s.records, s.observations);
  if (s.records > 0) {
    std::cout << fmt::format("  seq {}-{}  {} .. {}", s.firstRecordSequence, s.endSequence - 1,
                             when(s.firstAppend), when(s.lastAppend));
  }
  if (s.compressedRecords > 0) std::cout << fmt::format("  zstd {}", s.compressedRecords);
  std::cout << "\n";
  if (!s.headerOk) std::cout << "    segment header damaged or missing\n";
  for (const auto& d : s.damage) {
    std::cout << fmt::format("    damaged: offset {}, {} bytes: {}\n", d.offset, d.length,
                             d.reason);
  }
  if (s.undecodable > 0) {
    std::cout << fmt::format("    {} records pass their checksums but do not decode\n",
                             s.undecodable);
  }
  if (s.gaps > 0) std::cout << fmt::format("    {} sequences missing between records\n", s.gaps);
  if (s.superseded > 0) {
    std::cout << fmt::format("    {} records superseded by the next segment (ignored)\n",
                             s.superseded);
  }
  if (s.tornTail) {
    std::cout << fmt::format(
        "    torn tail: {} bytes at offset {} ({}): an append the last run did not finish, "
        "never reported durable; cut when spindle next opens the journal\n",
        s.tornTail->length, s.tornTail->offset, s.tornTail->reason);
  }
}

void printReport(const journal::JournalReport& r) {
  std::uint64_t first = 0, end = 0, records = 0;
  for (const auto& s : r.segments) {
    if (s.records == 0) continue;
    if (first == 0) first = s.firstRecordSequence;
    end = std::max(end, s.endSequence);
    records += s.records;
  }
  std::cout << fmt::format("journal {}\n", r.dir);
  if (!r.segments.empty() && r.segments.front().headerOk) {
    std::cout << fmt::format("  journal id {:016x}, format version {}\n",
                             r.segments.front().journalId, r.segments.front().version);
  }
  std::cout << fmt::format("  {} segments, {}, {} records, {} observations", r.segments.size(),
                           size(r.bytes()), records, r.observations());
  if (records > 0) std::cout << fmt::format(", sequences {}-{}", first, end - 1);
  std::cout << "\nsegments:\n";
  for (const auto& s : r.segments) printSegment(s);
  std::cout << "cursors:\n";
  if (r.cursors.empty()) std::cout << "  (none)\n";
  for (const auto& c : r.cursors) {
    if (c.next) {
      const std::uint64_t lag = end > *c.next ? end - *c.next : 0;
      std::cout << fmt::format("  {:<16} next {:>12}  lag {}\n", c.name, *c.next, lag);
    } else {
      std::cout << fmt::format(
          "  {:<16} unreadable: {} (the consumer restarts at the oldest "
          "observation held)\n",
          c.name, c.problem);
    }
  }
  for (const auto& f : r.strayFiles) std::cout << fmt::format("  not a journal file: {}\n", f);
}

int inspect(const std::string& dir, bool decode) {
  auto report = journal::inspectJournal(dir, decode);
  if (!report) {
    std::cerr << "spindle journal: " << report.error().describe() << "\n";
    return kExitFailure;
  }
  printReport(*report);
  if (!decode) return kExitOk;
  std::uint64_t undecodable = 0;
  bool torn = false;
  for (const auto& s : report->segments) {
    undecodable += s.undecodable;
    torn = torn || s.tornTail.has_value();
  }
  if (report->clean()) {
    std::cout << fmt::format("verify: clean: every record's checksums and payload are sound{}\n",
                             torn ? " (plus a torn tail, cut on the next open)" : "");
    return kExitOk;
  }
  std::cout << fmt::format(
      "verify: DAMAGED: {} damaged stretches, {} undecodable records; "
      "spindle skips them, counts them and keeps the rest\n",
      report->damagedRecords(), undecodable);
  return kExitFailure;
}

int dump(const std::string& dir, std::uint64_t from, std::uint64_t limit) {
  std::string line;
  auto visited =
      journal::dumpJournal(dir, from, limit,
                           [&](std::uint64_t sequence, const model::Observation& obs,
                               const model::ItemCatalog& catalog) {
                             line.clear();
                             journal::appendObservationLine(line, sequence, obs, catalog);
                             std::fwrite(line.data(), 1, line.size(), stdout);
                           });
  std::fflush(stdout);
  if (!visited) {
    std::cerr << "spindle journal: " << visited.error().describe() << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

struct ExportArgs {
  std::string from, to;
  std::vector<std::string> machines;
  std::string out;
  std::string edge;
  bool zstd = false;
};

int exportRange(const std::string& dir, const ExportArgs& args) {
  journal::ExportRequest request;
  request.dir = dir;
  for (auto [text, into] : {std::pair{&args.from, &request.from}, {&args.to, &request.to}}) {
    auto t = journal::parseExportTime(*text);
    if (!t) {
      std::cerr << "spindle journal export: " << t.error().describe() << "\n";
      return kExitUsage;
    }
    *into = t.value();
  }
  request.machines = args.machines;
  if (!args.edge.empty()) request.edge = args.edge;
  request.zstd = args.zstd;
  auto summary = args.out.empty() || args.out == "-"
                     ? journal::exportJournal(request, std::cout)
                     : journal::exportJournalToFile(request, args.out);
  std::cout.flush();
  if (!summary) {
    std::cerr << "spindle journal export: " << summary.error().describe() << "\n";
    return summary.error().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  const auto& s = summary.value();
  std::string text = fmt::format("spindle journal export: {} observations", s.observations);
  if (s.observations > 0) text += fmt::format(", sequences {}-{}", s.firstSequence, s.lastSequence);
  text += fmt::format(", {} bytes{} to {}, {} scanned, in {:.3f} s", s.bytes,
                      args.zstd ? " (zstd)" : "",
                      args.out.empty() || args.out == "-" ? "stdout" : args.out, s.scanned,
                      std::chrono::duration<double>(s.elapsed).count());
  if (s.damagedRecords > 0) {
    text += fmt::format("; {} damaged records skipped (see 'spindle journal verify')",
                        s.damagedRecords);
  }
  if (s.unreadableSegments > 0) {
    text += fmt::format("; {} unreadable segment files skipped", s.unreadableSegments);
  }
  std::cerr << text << "\n";
  return kExitOk;
}

std::uint64_t journalEnd(const journal::JournalReport& r) {
  std::uint64_t end = 0;
  for (const auto& s : r.segments) end = std::max(end, s.endSequence);
  return end;
}

int listConsumers(const std::string& dir) {
  auto report = journal::inspectJournal(dir, false);
  if (!report) {
    std::cerr << "spindle journal: " << report.error().describe() << "\n";
    return kExitFailure;
  }
  const std::uint64_t end = journalEnd(*report);
  std::cout << fmt::format("{:<16} {:>12} {:>12}  {}\n", "consumer", "next", "lag",
                           "cursor updated");
  for (const auto& c : report->cursors) {
    std::error_code ec;
    const auto modified = std::filesystem::last_write_time(c.path, ec);
    const auto ns = ec ? 0
                       : std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::file_clock::to_sys(modified).time_since_epoch())
                             .count();
    std::string note;
    if (std::filesystem::exists(std::filesystem::path(c.path).parent_path() / (c.name + ".drop"))) {
      note = "  (drop requested)";
    }
    if (c.next) {
      std::cout << fmt::format("{:<16} {:>12} {:>12}  {}{}\n", c.name, *c.next,
                               end > *c.next ? end - *c.next : 0, when(ns), note);
    } else {
      std::cout << fmt::format("{:<16} {:>12} {:>12}  {}  unreadable: {}{}\n", c.name, "-", "-",
                               when(ns), c.problem, note);
    }
  }
  if (report->cursors.empty()) std::cout << "(no consumer has a cursor)\n";
  return kExitOk;
}

/// True when a running edge holds the journal's lock.
bool journalInUse(const std::string& dir) {
  const int fd = ::open((std::filesystem::path(dir) / "LOCK").c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);
  return held;
}

int dropConsumer(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path cursors = fs::path(dir) / "cursors";
  const fs::path cursor = cursors / (name + ".cursor");
  if (name.empty() || name.find('/') != std::string::npos || !fs::exists(cursor)) {
    std::cerr << "spindle journal: no consumer '" << name << "' in " << dir
              << " (see 'spindle journal consumers')\n";
    return kExitFailure;
  }
  const fs::path request = cursors / (name + ".drop");
  if (auto s = writeFileAtomically(request.string(), "drop\n"); !s) {
    std::cerr << "spindle journal: " << s.error().describe() << "\n";
    return kExitFailure;
  }
  if (!journalInUse(dir)) {
    std::cout << fmt::format(
        "drop of consumer {} recorded: the edge drops it (counted and logged) when it next "
        "opens the journal, unless its configuration still runs it\n",
        name);
    return kExitOk;
  }
  // The running edge takes requests within a second.
  for (int i = 0; i < 100 && fs::exists(request); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (fs::exists(request)) {
    std::cout << fmt::format(
        "drop of consumer {} requested; the running edge has not taken it yet\n", name);
    return kExitOk;
  }
  if (fs::exists(cursor)) {
    std::cerr << fmt::format(
        "spindle journal: the running edge refused to drop consumer {}: its configuration runs "
        "it (remove the uplink from the configuration first)\n",
        name);
    return kExitFailure;
  }
  std::cout << fmt::format(
      "consumer {} dropped by the running edge (see its log for what it had "
      "not received)\n",
      name);
  return kExitOk;
}

}  // namespace

Command addJournalCommand(CLI::App& app) {
  struct Args {
    std::string dir;
    std::string consumer;
    std::uint64_t from = 0;
    std::uint64_t limit = 0;
  };
  auto args = std::make_shared<Args>();
  auto exportArgs = std::make_shared<ExportArgs>();
  auto* cmd =
      app.add_subcommand("journal", "look into a journal directory, list its consumers, drop one");
  cmd->require_subcommand(1);
  auto* inspectCmd =
      cmd->add_subcommand("inspect", "segments, sequences, sizes, cursors and any damage");
  auto* verifyCmd = cmd->add_subcommand(
      "verify", "check every record (checksums and decoding); exit 1 when any is damaged");
  auto* dumpCmd = cmd->add_subcommand("dump", "print observations as JSON lines with their seq");
  auto* exportCmd = cmd->add_subcommand(
      "export", "the observations of a time range [from, to) as JSON lines, for an upload");
  auto* consumersCmd = cmd->add_subcommand(
      "consumers", "the consumers retention keeps data for: position, lag, last cursor update");
  auto* dropCmd = cmd->add_subcommand(
      "drop-consumer",
      "stop keeping data for a consumer the configuration no longer runs (counted and logged)");
  for (auto* sub : {inspectCmd, verifyCmd, dumpCmd, exportCmd, consumersCmd, dropCmd}) {
    sub->add_option("dir", args->dir, "the journal directory (default <data_dir>/journal)")
        ->required()
        ->check(CLI::ExistingDirectory);
  }
  dropCmd->add_option("name", args->consumer, "the consumer (see 'consumers')")->required();
  dumpCmd->add_option("--from", args->from, "first sequence to print")->capture_default_str();
  dumpCmd->add_option("--limit", args->limit, "most observations to print; 0 for all")
      ->capture_default_str();
  const std::string timeForms =
      "UTC time: RFC 3339 (2026-12-06T05:00:00Z, fractions and offsets allowed) or a date "
      "(2026-12-06, its midnight)";
  exportCmd->add_option("--from", exportArgs->from, "first time included; " + timeForms)
      ->required();
  exportCmd->add_option("--to", exportArgs->to, "first time excluded; " + timeForms)->required();
  exportCmd
      ->add_option("--machine", exportArgs->machines,
                   "only this machine (repeat for several); default every machine")
      ->allow_extra_args(false);  // one name per --machine: never swallows DIR
  exportCmd->add_option("--out", exportArgs->out,
                        "write this file atomically (temporary file, then rename); default stdout");
  exportCmd->add_flag("--zstd", exportArgs->zstd, "compress the output (one zstd stream)");
  exportCmd->add_option("--edge", exportArgs->edge, "edge id to name in the header line");
  return {cmd, [args, exportArgs, inspectCmd, verifyCmd, exportCmd, consumersCmd,
                dropCmd](const CommandContext&) {
            if (inspectCmd->parsed()) return inspect(args->dir, false);
            if (exportCmd->parsed()) return exportRange(args->dir, *exportArgs);
            if (verifyCmd->parsed()) return inspect(args->dir, true);
            if (consumersCmd->parsed()) return listConsumers(args->dir);
            if (dropCmd->parsed()) return dropConsumer(args->dir, args->consumer);
            return dump(args->dir, args->from, args->limit);
          }};
}

}  // namespace spindle::cli
