// `spindle fleet`: the cloud team's view of the edges through the NATS hub (docs/fleet.md).
// This file declares the verbs and the hub options they share, and runs init, ls and show.

#include "cli/cmd_fleet.hpp"

#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "fleet/edge_detail.hpp"
#include "fleet/edge_table.hpp"
#include "fleet/fleet_listing.hpp"
#include "fleet/health_stream.hpp"
#include "uplinks/nats/nats_options.hpp"

namespace spindle::cli {

std::optional<Duration> fleetDuration(const std::string& option, const std::string& text) {
  auto d = parseDuration(text);
  if (!d) {
    std::cerr << "spindle fleet: " << option << ": " << d.error().describe() << "\n";
    return std::nullopt;
  }
  return *d;
}

std::unique_ptr<fleet::HubConnection> connectHub(const FleetArgs& args, const std::string& verb) {
  auto options = fleet::withDefaults(
      args.hub, [](const char* name) -> const char* { return std::getenv(name); });
  const auto timeout = fleetDuration("--timeout", args.timeout);
  if (!timeout) return nullptr;
  options.timeout = *timeout;
  auto hub = fleet::HubConnection::connect(options);
  if (!hub) {
    std::cerr << "spindle fleet " << verb << ": " << hub.error().describe() << "\n";
    return nullptr;
  }
  return std::move(*hub);
}

bool checkEdgeId(const std::string& edge, const std::string& verb) {
  if (uplinks::nats::validSubjectToken(edge)) return true;
  std::cerr << "spindle fleet " << verb << ": '" << edge
            << "' is not an edge id (1-64 letters, digits, '-' or '_')\n";
  return false;
}

std::optional<fleet::Thresholds> fleetThresholds(const FleetArgs& args) {
  const auto silent = fleetDuration("--silent-after", args.silentAfter);
  const auto behind = fleetDuration("--behind-after", args.behindAfter);
  if (!silent || !behind) return std::nullopt;
  return fleet::Thresholds{*silent, *behind};
}

namespace {

int runInit(const FleetArgs& args) {
  const auto maxAge = fleetDuration("--max-age", args.maxAge);
  if (!maxAge) return kExitUsage;
  auto hub = connectHub(args, "init");
  if (!hub) return kExitFailure;
  int code = kExitOk;
  auto say = [&](const Result<std::string>& done) {
    if (done) {
      std::cout << done.value() << "\n";
    } else {
      std::cerr << "spindle fleet init: " << done.error().describe() << "\n";
      code = kExitFailure;
    }
  };
  say(fleet::ensureHealthStream(*hub, {args.replicas, *maxAge}));
  say(fleet::ensureBucket(*hub, fleet::kConfigBucket, 10, args.replicas));
  say(fleet::ensureBucket(*hub, fleet::kUpdateBucket, 5, args.replicas));
  return code;
}

int runLs(const FleetArgs& args) {
  const auto thresholds = fleetThresholds(args);
  const auto listen = fleetDuration("--listen", args.listen);
  auto sort = fleet::parseSortKey(args.sort);
  if (!sort) std::cerr << "spindle fleet ls: --sort: " << sort.error().describe() << "\n";
  if (!thresholds || !listen || !sort) return kExitUsage;
  auto hub = connectHub(args, "ls");
  if (!hub) return kExitFailure;
  auto listing = fleet::listFleet(*hub, *thresholds, *listen, [&](const std::string& why) {
    std::cerr << "spindle fleet ls: " << why << "; listening for heartbeats for "
              << formatDuration(*listen) << " instead\n";
  });
  if (!listing) {
    std::cerr << "spindle fleet ls: " << listing.error().describe() << "\n";
    return kExitFailure;
  }
  for (const auto& problem : listing->problems) std::cerr << "warning: " << problem << "\n";
  const auto rows =
      fleet::selectRows(std::move(listing->rows), {args.filter, args.behind, args.silent}, *sort);
  const TimestampNs now = wallClockNs();
  std::cout << (args.json ? fleet::renderJson(rows, now) : fleet::renderTable(rows, now));
  return kExitOk;
}

int runShow(const FleetArgs& args) {
  const auto thresholds = fleetThresholds(args);
  const auto listen = fleetDuration("--listen", args.listen);
  if (!thresholds || !listen) return kExitUsage;
  if (!checkEdgeId(args.edge, "show")) return kExitUsage;
  auto hub = connectHub(args, "show");
  if (!hub) return kExitFailure;
  auto stored = fleet::readLatestOf(*hub, args.edge);
  std::optional<fleet::Heartbeat> beat;
  if (stored && *stored) {
    beat = std::move(**stored);
  } else {
    if (!stored && stored.error().code() != ErrorCode::kNotFound) {
      std::cerr << "spindle fleet show: " << stored.error().describe() << "\n";
      return kExitFailure;
    }
    std::cerr << (stored ? "no heartbeat of " + args.edge + " in " + fleet::kHealthStream
                         : stored.error().message())
              << "; waiting up to " << formatDuration(*listen) << " for one\n";
    auto live = fleet::listenLive(*hub, "spindle." + args.edge + ".health", *listen, true);
    if (!live) {
      std::cerr << "spindle fleet show: " << live.error().describe() << "\n";
      return kExitFailure;
    }
    if (!live->empty()) beat = std::move(live->front());
  }
  if (!beat) {
    std::cerr << "spindle fleet show: no heartbeat from " << args.edge << " within "
              << formatDuration(*listen)
              << ": check the edge id (fleet ls lists the edges that sent one) and whether it is "
                 "connected\n";
    return kExitFailure;
  }
  const auto parsed = nlohmann::json::parse(beat->body, nullptr, false);
  auto row = fleet::rowOf(parsed, args.edge, beat->received);
  if (!row) {
    std::cerr << "spindle fleet show: " << row.error().describe() << "\n" << beat->body << "\n";
    return kExitFailure;
  }
  if (args.json) {
    std::cout << parsed.dump(2) << "\n";
    return kExitOk;
  }
  const TimestampNs now = wallClockNs();
  fleet::classify(*row, now, *thresholds);
  std::cout << fleet::renderDetail(*row, parsed, now);
  return kExitOk;
}

void addHubOptions(CLI::App& cmd, FleetArgs& a) {
  const char* group = "Hub";
  cmd.add_option("--server,-s", a.hub.servers,
                 "NATS server URL; repeat for several (default: $NATS_URL, else "
                 "nats://127.0.0.1:4222)")
      ->allow_extra_args(
          false)  // one URL per --server, so a verb's argument after it stays the verb's
      ->group(group);
  cmd.add_option("--creds", a.hub.credentials, "NATS .creds file (user JWT and NKey seed)")
      ->group(group);
  cmd.add_option("--user", a.hub.user, "user name")->group(group);
  cmd.add_option("--password", a.hub.password, "password (default: $SPINDLE_FLEET_PASSWORD)")
      ->group(group);
  cmd.add_option("--nkey", a.hub.nkey, "NKey public key (U...), with --nkey-seed")->group(group);
  cmd.add_option("--nkey-seed", a.hub.nkeySeedFile, "file holding the NKey seed")->group(group);
  cmd.add_option("--tls-ca", a.hub.tlsCa, "PEM file of the CAs to trust (enables TLS)")
      ->group(group);
  cmd.add_option("--tls-cert", a.hub.tlsCert, "PEM client certificate")->group(group);
  cmd.add_option("--tls-key", a.hub.tlsKey, "PEM private key of --tls-cert")->group(group);
  cmd.add_option("--js-domain", a.hub.jsDomain, "JetStream domain of the hub")->group(group);
  cmd.add_option("--inbox-prefix", a.hub.inboxPrefix,
                 "prefix of reply subjects (default _INBOX; leaf setups: _INBOX.cloud)")
      ->group(group);
  cmd.add_option("--timeout", a.timeout, "connecting and each JetStream call")
      ->capture_default_str()
      ->group(group);
}

void addTableOptions(CLI::App* cmd, FleetArgs& a) {
  cmd->add_option("--silent-after", a.silentAfter, "silent: no heartbeat for longer than this")
      ->capture_default_str();
  cmd->add_option("--behind-after", a.behindAfter, "behind: journal age or uplink lag above this")
      ->capture_default_str();
}

}  // namespace

Command addFleetCommand(CLI::App& app) {
  auto args = std::make_shared<FleetArgs>();
  auto* cmd = app.add_subcommand(
      "fleet", "the cloud team's tool: list, inspect, configure and update edges via the hub");
  cmd->require_subcommand(1);
  cmd->fallthrough();  // hub options may follow the verb
  addHubOptions(*cmd, *args);

  auto* init = cmd->add_subcommand(
      "init", "create the SPINDLE_HEALTH stream and the spindle_config/spindle_updates buckets");
  init->add_option("--replicas", args->replicas, "replicas (3 on a JetStream cluster)")
      ->capture_default_str()
      ->check(CLI::Range(1, 5));
  init->add_option("--max-age", args->maxAge, "how long an edge's last heartbeat is kept")
      ->capture_default_str();

  auto* ls = cmd->add_subcommand("ls", "every edge that sent a heartbeat, one line each");
  ls->add_option("--sort", args->sort, "edge, version, age, lag or seen")->capture_default_str();
  ls->add_option("--filter", args->filter, "edge ids: a substring, or a glob (plant-*)");
  ls->add_flag("--behind", args->behind, "only edges that are behind");
  ls->add_flag("--silent", args->silent, "only edges that are silent");
  ls->add_flag("--json", args->json, "print the rows as JSON");
  ls->add_option("--listen", args->listen, "without the stream: how long to listen instead")
      ->capture_default_str();
  addTableOptions(ls, *args);

  auto* show = cmd->add_subcommand("show", "the full health of one edge and its machines");
  show->add_option("edge", args->edge, "edge id")->required();
  show->add_flag("--json", args->json, "print the heartbeat itself");
  show->add_option("--listen", args->listen, "without a stored heartbeat: how long to wait")
      ->capture_default_str();
  addTableOptions(show, *args);

  addFleetConfigCommands(*cmd, *args);
  addFleetOpsCommands(*cmd, *args);
  for (auto* verb : cmd->get_subcommands({})) verb->fallthrough();

  return {cmd, [args, cmd](const CommandContext& ctx) {
            const auto chosen = cmd->get_subcommands();
            if (chosen.empty()) return kExitUsage;
            const std::string verb = chosen.front()->get_name();
            if (verb == "init") return runInit(*args);
            if (verb == "ls") return runLs(*args);
            if (verb == "show") return runShow(*args);
            if (verb == "config") {
              const auto sub = chosen.front()->get_subcommands();
              return sub.empty() ? kExitUsage : runFleetConfig(*args, sub.front()->get_name(), ctx);
            }
            if (verb == "diag") return runFleetDiag(*args);
            if (verb == "update") return runFleetUpdate(*args);
            if (verb == "watch") return runFleetWatch(*args);
            return kExitUsage;
          }};
}

}  // namespace spindle::cli
