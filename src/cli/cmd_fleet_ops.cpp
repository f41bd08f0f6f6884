// `spindle fleet diag|update|watch`: a diagnostics request to one edge, an update offer for
// one edge or a channel (waiting for the edge's verdict), and a live table of the fleet with
// alert lines (docs/fleet.md).

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include "cli/cmd_fleet.hpp"
#include "fleet/alert_tracker.hpp"
#include "fleet/edge_table.hpp"
#include "fleet/fleet_listing.hpp"
#include "fleet/health_fields.hpp"
#include "fleet/heartbeat_watch.hpp"
#include "fleet/kv_bucket.hpp"
#include "fleet/update_offer.hpp"
#include "uplinks/nats/nats_options.hpp"

namespace spindle::cli {

using nlohmann::json;

int runFleetDiag(const FleetArgs& args) {
  if (!checkEdgeId(args.edge, "diag")) return kExitUsage;
  if (!uplinks::nats::validSubjectToken(args.command)) {
    std::cerr << "spindle fleet diag: '" << args.command << "' is not a command name\n";
    return kExitUsage;
  }
  if (!args.diagArgs.empty() && !json::parse(args.diagArgs, nullptr, false).is_object()) {
    std::cerr << "spindle fleet diag: --args must be a JSON object, e.g. '{\"lines\":50}'\n";
    return kExitUsage;
  }
  const auto timeout = fleetDuration("--timeout", args.diagTimeout);
  if (!timeout) return kExitUsage;
  auto hub = connectHub(args, "diag");
  if (!hub) return kExitFailure;
  const std::string subject = "spindle." + args.edge + ".diag." + args.command;
  natsMsg* reply = nullptr;
  const natsStatus s = natsConnection_Request(
      &reply, hub->nc(), subject.c_str(), args.diagArgs.data(),
      static_cast<int>(args.diagArgs.size()),
      std::chrono::duration_cast<std::chrono::milliseconds>(*timeout).count());
  if (s == NATS_TIMEOUT || s == NATS_NO_RESPONDERS) {
    std::cerr << "spindle fleet diag: no answer from " << args.edge << " within "
              << formatDuration(*timeout)
              << (s == NATS_NO_RESPONDERS ? " (nothing listens on " + subject + ")" : "")
              << " (is it connected? fleet ls shows when it was last seen)\n";
    return kExitFailure;
  }
  if (s != NATS_OK) {
    std::cerr << "spindle fleet diag: " << fleet::hubError(s, "asking " + subject).describe()
              << "\n";
    return kExitFailure;
  }
  const std::string body(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
  natsMsg_Destroy(reply);
  const json answer = json::parse(body, nullptr, false);
  if (!answer.is_object()) {
    std::cerr << "spindle fleet diag: the answer is not a JSON object:\n" << body << "\n";
    return kExitFailure;
  }
  if (!fleet::flagAt(answer, "ok", false)) {
    std::cerr << args.edge << " answered " << args.command << ": " << fleet::textAt(answer, "error")
              << "\n";
    return kExitFailure;
  }
  std::cout << (args.json ? answer : fleet::memberAt(answer, "result")).dump(2) << "\n";
  return kExitOk;
}

namespace {

int clearOffer(fleet::KvBucket& bucket, const FleetArgs& args) {
  const std::string key = fleet::offerKey(args.edge, args.channel);
  if (auto s = bucket.remove(key); !s) {
    std::cerr << "spindle fleet update: " << s.error().describe() << "\n";
    return kExitFailure;
  }
  std::cout << "deleted " << bucket.name() << "/" << key << ": " << args.edge
            << " follows its channel again\n";
  return kExitOk;
}

int waitForUpdate(const FleetArgs& args, fleet::HeartbeatWatch& watch, const std::string& version,
                  Duration wait) {
  std::cout << "waiting up to " << formatDuration(wait) << " for " << args.edge << " to run "
            << version << std::endl;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::string running, said;
  while (auto beat = watch.next(deadline)) {
    const auto& update = fleet::memberAt(*beat, "update");
    running = fleet::textAt(update, "running");
    const auto& last = fleet::memberAt(update, "last");
    const auto outcome = fleet::updateOutcome(*beat, version);
    if (outcome == fleet::Outcome::kDone) {
      std::cout << args.edge << " runs " << version
                << (fleet::flagAt(update, "on_trial", false) ? " (on trial)" : "") << "\n";
      return kExitOk;
    }
    if (outcome == fleet::Outcome::kFailed) {
      const std::string reason = fleet::textAt(last, "reason");
      std::string detail = fleet::textAt(last, "detail");
      if (detail.starts_with(reason + ": ")) detail.erase(0, reason.size() + 2);
      std::cerr << args.edge << " " << fleet::textAt(last, "result") << " " << version << " ("
                << reason << "): " << detail << "\n";
      return kExitFailure;
    }
    if (!update.is_object() && said.empty()) {
      said = "no update system";
      std::cout << args.edge << " reports no update system (no update.trusted_keys?)" << std::endl;
    } else if (fleet::textAt(update, "pending") == version && said != "pending") {
      said = "pending";
      std::cout << args.edge << ": " << version << " verified, pending (its window, policy "
                << "manual, or a trial in progress)" << std::endl;
    }
  }
  std::cerr << args.edge << " has not reported " << version << " within " << formatDuration(wait)
            << (running.empty() ? std::string(" (no heartbeat)") : " (it runs " + running + ")")
            << "; the offer stays in the bucket\n";
  return kExitFailure;
}

}  // namespace

int runFleetUpdate(const FleetArgs& args) {
  if (args.all == !args.edge.empty()) {
    std::cerr << "spindle fleet update: give an EDGE or --all\n";
    return kExitUsage;
  }
  if (!args.edge.empty() && !checkEdgeId(args.edge, "update")) return kExitUsage;
  if (args.clear == !args.envelope.empty() || (args.clear && args.all)) {
    std::cerr << "spindle fleet update: give --envelope FILE, or EDGE --clear\n";
    return kExitUsage;
  }
  std::string text;
  std::string version;
  if (!args.clear) {
    std::ifstream in(args.envelope, std::ios::binary);
    if (!in) {
      std::cerr << "spindle fleet update: cannot read " << args.envelope << "\n";
      return kExitUsage;
    }
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
    auto manifest = fleet::inspectEnvelope(text, args.version);
    if (!manifest) {
      std::cerr << "spindle fleet update: " << args.envelope << ": " << manifest.error().describe()
                << "\n";
      return kExitUsage;
    }
    version = manifest->version.text();
  }
  const auto wait = fleetDuration("--wait", args.wait.empty() ? "10m" : args.wait);
  if (!wait) return kExitUsage;
  auto hub = connectHub(args, "update");
  if (!hub) return kExitFailure;
  auto bucket = fleet::KvBucket::open(*hub, fleet::kUpdateBucket);
  if (!bucket) {
    std::cerr << "spindle fleet update: " << bucket.error().describe() << "\n";
    return kExitFailure;
  }
  if (args.clear) return clearOffer(**bucket, args);
  std::unique_ptr<fleet::HeartbeatWatch> watch;
  if (!args.all && !args.noWait) {
    auto w = fleet::HeartbeatWatch::open(*hub, args.edge);
    if (!w) {
      std::cerr << "spindle fleet update: " << w.error().describe() << "\n";
      return kExitFailure;
    }
    watch = std::move(*w);
  }
  const std::string key = fleet::offerKey(args.edge, args.channel);
  auto revision = (*bucket)->overwrite(key, text);
  if (!revision) {
    std::cerr << "spindle fleet update: " << revision.error().describe() << "\n";
    return kExitFailure;
  }
  std::cout << "offered " << version << " in " << (*bucket)->name() << "/" << key << " (revision "
            << *revision << ")" << std::endl;
  if (args.all) {
    std::cout << "every edge following the channel " << args.channel
              << " takes it in its update window; follow with: spindle fleet ls --sort version\n";
    return kExitOk;
  }
  if (!watch) return kExitOk;
  return waitForUpdate(args, *watch, version, *wait);
}

namespace {

/// SIGINT and SIGTERM, blocked in every thread so the watch loop takes them with sigtimedwait.
sigset_t stopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

int runFleetWatch(const FleetArgs& args) {
  const auto thresholds = fleetThresholds(args);
  const auto interval = fleetDuration("--interval", args.interval);
  auto sort = fleet::parseSortKey(args.sort);
  if (!sort) std::cerr << "spindle fleet watch: --sort: " << sort.error().describe() << "\n";
  if (!thresholds || !interval || !sort) return kExitUsage;
  const sigset_t signals = stopSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before cnats starts its threads
  auto hub = connectHub(args, "watch");
  if (!hub) return kExitFailure;
  auto live = fleet::HeartbeatWatch::open(*hub, "*");
  if (!live) {
    std::cerr << "spindle fleet watch: " << live.error().describe() << "\n";
    return kExitFailure;
  }
  std::map<std::string, fleet::Heartbeat> latest;
  if (auto stored = fleet::readLatest(*hub)) {
    for (auto& h : *stored) latest[h.subject] = std::move(h);
  } else {
    std::cerr << "spindle fleet watch: " << stored.error().describe()
              << "; the table fills as heartbeats arrive\n";
  }
  const bool tty = ::isatty(STDOUT_FILENO) == 1;
  fleet::AlertTracker alerts;
  std::vector<std::string> history;  ///< the last alerts, under the table on a terminal
  for (int refresh = 1;; ++refresh) {
    for (auto& h : (*live)->drain()) latest[h.subject] = std::move(h);
    std::vector<fleet::Heartbeat> beats;
    beats.reserve(latest.size());
    for (const auto& [subject, h] : latest) beats.push_back(h);
    const TimestampNs now = wallClockNs();
    auto listing = fleet::buildListing(beats, now, *thresholds);
    auto rows = fleet::selectRows(std::move(listing.rows), {args.filter}, *sort);
    const auto lines = alerts.update(rows, now);
    if (tty) {
      history.insert(history.end(), lines.begin(), lines.end());
      if (history.size() > 10) history.erase(history.begin(), history.end() - 10);
      std::cout << "\x1b[H\x1b[2J"
                << "spindle fleet watch  " << hub->url() << "  "
                << formatTimestamp(now).substr(0, 19) << "Z  (Ctrl-C stops)\n\n"
                << fleet::renderTable(rows, now);
      if (!history.empty()) std::cout << "\n";
      for (const auto& l : history) std::cout << l << "\n";
    } else {
      std::cout << "--- " << formatTimestamp(now) << " refresh " << refresh << "\n"
                << fleet::renderTable(rows, now);
      for (const auto& l : lines) std::cout << l << "\n";
    }
    std::cout << std::flush;
    if (args.count > 0 && refresh >= args.count) break;
    const auto ns = interval->count();
    const timespec wait{static_cast<time_t>(ns / 1'000'000'000),
                        static_cast<long>(ns % 1'000'000'000)};
    if (sigtimedwait(&signals, nullptr, &wait) > 0) break;
  }
  return kExitOk;
}

void addFleetOpsCommands(CLI::App& fleet, FleetArgs& a) {
  auto* diag = fleet.add_subcommand("diag", "ask EDGE a diagnostics command (status, logs, ...)");
  diag->add_option("edge", a.edge, "edge id")->required();
  diag->add_option("command", a.command, "status, netcheck, logs, config, restart, journal")
      ->required();
  diag->add_option("--args", a.diagArgs, "the command's arguments as a JSON object");
  diag->add_option("--timeout", a.diagTimeout, "how long to wait for the answer")
      ->capture_default_str();
  diag->add_flag("--json", a.json, "print the whole answer");

  auto* update = fleet.add_subcommand(
      "update", "offer a signed update to EDGE (or --all on a channel) and wait for its verdict");
  update->add_option("edge", a.edge, "edge id");
  update->add_flag("--all", a.all, "offer it on the channel every edge follows");
  update->add_option("--envelope", a.envelope, "the signed envelope (spindle update sign)");
  update->add_option("--version", a.version, "refuse unless the envelope offers this version");
  update->add_option("--channel", a.channel, "the channel key for --all")->capture_default_str();
  update->add_option("--wait", a.wait, "how long to wait for the edge (default 10m)");
  update->add_flag("--no-wait", a.noWait, "offer and return");
  update->add_flag("--clear", a.clear, "delete EDGE's own offer: it follows its channel again");

  auto* watch = fleet.add_subcommand("watch", "a live table of the edges, with alert lines");
  watch->add_option("--interval", a.interval, "refresh period")->capture_default_str();
  watch->add_option("--count", a.count, "stop after this many refreshes (0: at Ctrl-C)");
  watch->add_option("--sort", a.sort, "edge, version, age, lag or seen")->capture_default_str();
  watch->add_option("--filter", a.filter, "edge ids: a substring, or a glob");
  watch->add_option("--silent-after", a.silentAfter, "silent: no heartbeat for longer than this")
      ->capture_default_str();
  watch->add_option("--behind-after", a.behindAfter, "behind: journal age or uplink lag above this")
      ->capture_default_str();
}

}  // namespace spindle::cli
