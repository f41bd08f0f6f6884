// `spindle fleet config get|set|diff EDGE [FILE]`: an edge's desired configuration in the KV
// bucket spindle_config (docs/cloud-protocol.md). `set` validates the file as `spindle
// validate` does, writes it only over the revision it was based on, and waits for the edge to
// report it applied or rejected.

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cmd_fleet.hpp"
#include "cli/config_loading.hpp"
#include "fleet/health_fields.hpp"
#include "fleet/health_stream.hpp"
#include "fleet/heartbeat_watch.hpp"
#include "fleet/kv_bucket.hpp"
#include "fleet/line_diff.hpp"

namespace spindle::cli {

namespace {

std::optional<std::string> readText(const std::string& path, const std::string& verb) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "spindle fleet config " << verb << ": cannot read " << path << "\n";
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string revisionName(const std::optional<fleet::KvValue>& v) {
  return v ? "revision " + std::to_string(v->revision) : "no value yet";
}

/// Connects and opens spindle_config; prints why not.
struct Opened {
  std::unique_ptr<fleet::HubConnection> hub;
  std::unique_ptr<fleet::KvBucket> bucket;
  std::optional<fleet::KvValue> current;
};
std::optional<Opened> openEdgeKey(const FleetArgs& args, const std::string& verb) {
  Opened o;
  o.hub = connectHub(args, "config " + verb);
  if (!o.hub) return std::nullopt;
  auto bucket = fleet::KvBucket::open(*o.hub, fleet::kConfigBucket);
  if (!bucket) {
    std::cerr << "spindle fleet config " << verb << ": " << bucket.error().describe() << "\n";
    return std::nullopt;
  }
  o.bucket = std::move(*bucket);
  auto current = o.bucket->get(args.edge);
  if (!current) {
    std::cerr << "spindle fleet config " << verb << ": " << current.error().describe() << "\n";
    return std::nullopt;
  }
  o.current = std::move(*current);
  return o;
}

int runGet(const FleetArgs& args) {
  auto o = openEdgeKey(args, "get");
  if (!o) return kExitFailure;
  if (!o->current) {
    std::cerr << "spindle fleet config get: " << fleet::kConfigBucket
              << " has no configuration for " << args.edge
              << " (the edge runs its local file); `spindle fleet config set` writes one\n";
    return kExitFailure;
  }
  std::cout << o->current->value;
  if (!o->current->value.empty() && o->current->value.back() != '\n') std::cout << "\n";
  std::cerr << fleet::kConfigBucket << "/" << args.edge << " revision " << o->current->revision
            << ", written " << formatTimestamp(o->current->written) << "\n";
  return kExitOk;
}

int runDiff(const FleetArgs& args) {
  constexpr int kTrouble = 2;  // as diff(1): 0 same, 1 different, 2 trouble
  const auto text = readText(args.file, "diff");
  if (!text) return kTrouble;
  auto o = openEdgeKey(args, "diff");
  if (!o) return kTrouble;
  const std::string name =
      std::string(fleet::kConfigBucket) + "/" + args.edge + " (" + revisionName(o->current) + ")";
  const std::string diff =
      fleet::unifiedDiff(o->current ? o->current->value : "", *text, name, args.file);
  if (diff.empty()) {
    std::cerr << "no differences: " << name << " holds " << args.file << "\n";
    return kExitOk;
  }
  std::cout << diff;
  return kExitFailure;
}

/// What the edge says of `version` in its heartbeats, until `wait` passes.
int waitForEdge(const FleetArgs& args, fleet::HeartbeatWatch& watch, const std::string& version,
                Duration wait) {
  std::cout << "waiting up to " << formatDuration(wait) << " for " << args.edge
            << " to report it (--no-wait does not wait)" << std::endl;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::string running;
  int beats = 0;
  while (auto beat = watch.next(deadline)) {
    ++beats;
    const auto& config = fleet::memberAt(*beat, "config");
    running = fleet::textAt(config, "version");
    const auto outcome = fleet::configOutcome(*beat, version);
    if (outcome == fleet::Outcome::kDone) {
      std::cout << args.edge << " applied " << version << "\n";
      for (const auto& p : fleet::memberAt(config, "pending_restart")) {
        if (p.is_string())
          std::cout << "  waits for the next start: " << p.get<std::string>() << "\n";
      }
      for (const auto& r : fleet::memberAt(config, "refused")) {
        if (r.is_string()) std::cout << "  refused: " << r.get<std::string>() << "\n";
      }
      return kExitOk;
    }
    if (outcome == fleet::Outcome::kFailed) {
      std::cerr << args.edge << " rejected " << version << "; it keeps running " << running << ":\n"
                << fleet::textAt(config, "error") << "\n";
      return kExitFailure;
    }
  }
  if (beats == 0) {
    std::cerr << "no heartbeat from " << args.edge << " within " << formatDuration(wait)
              << ": is it connected? (fleet ls shows when it was last seen); the configuration "
                 "stays in the bucket and applies when it comes back\n";
  } else {
    std::cerr << args.edge << " has not reported " << version << " within " << formatDuration(wait)
              << " (it still runs " << running
              << "); is control.config_watch on, and is the bucket its control.config_bucket?\n";
  }
  return kExitFailure;
}

int runSet(const FleetArgs& args, const CommandContext& ctx) {
  const auto text = readText(args.file, "set");
  if (!text) return kExitUsage;
  // The same rules as `spindle validate`; the edge checks again with its own limits.
  auto loaded = loadConfiguration(args.file, false, ctx.registry);
  if (!loaded.config) {
    printDiagnostics(loaded.diagnostics);
    std::cerr << "spindle fleet config set: nothing written: " << args.file << " is not valid\n";
    return kExitUsage;
  }
  if (loaded.config->edge.id != args.edge) {
    std::cerr << "spindle fleet config set: " << args.file << " is for edge.id '"
              << loaded.config->edge.id << "', not '" << args.edge
              << "' (the edge would reject it); nothing written\n";
    return kExitUsage;
  }
  std::optional<std::uint64_t> given;
  if (!args.revision.empty()) {
    try {
      given = std::stoull(args.revision);
    } catch (const std::exception&) {
      std::cerr << "spindle fleet config set: --revision: '" << args.revision
                << "' is not a revision number\n";
      return kExitUsage;
    }
  }
  const auto wait = fleetDuration("--wait", args.wait.empty() ? "60s" : args.wait);
  if (!wait) return kExitUsage;
  auto o = openEdgeKey(args, "set");
  if (!o) return kExitFailure;
  const std::uint64_t expected = given.value_or(o->current ? o->current->revision : 0);
  if (o->current && o->current->value == *text && o->current->revision == expected) {
    std::cout << fleet::kConfigBucket << "/" << args.edge << " revision " << o->current->revision
              << " already holds " << args.file << "; nothing written\n";
    return kExitOk;
  }
  std::unique_ptr<fleet::HeartbeatWatch> watch;
  if (!args.noWait) {
    // Subscribed before writing: the heartbeat that answers can come at once.
    auto w = fleet::HeartbeatWatch::open(*o->hub, args.edge);
    if (!w) {
      std::cerr << "spindle fleet config set: " << w.error().describe() << "\n";
      return kExitFailure;
    }
    watch = std::move(*w);
  }
  auto revision = o->bucket->put(args.edge, *text, expected, nullptr);
  if (!revision) {
    std::cerr << "spindle fleet config set: " << revision.error().describe() << "\n";
    return kExitFailure;
  }
  std::cout << "wrote " << fleet::kConfigBucket << "/" << args.edge << " revision " << *revision
            << " (was " << revisionName(o->current) << ")" << std::endl;
  if (!watch) return kExitOk;
  return waitForEdge(args, *watch, "kv:" + std::to_string(*revision), *wait);
}

}  // namespace

void addFleetConfigCommands(CLI::App& fleet, FleetArgs& a) {
  auto* config = fleet.add_subcommand("config", "an edge's desired configuration (KV bucket)");
  config->require_subcommand(1);
  auto* get = config->add_subcommand("get", "print the desired configuration of EDGE");
  get->add_option("edge", a.edge, "edge id")->required();
  auto* set = config->add_subcommand(
      "set", "validate FILE, write it for EDGE and wait for the edge to apply or reject it");
  set->add_option("edge", a.edge, "edge id")->required();
  set->add_option("file", a.file, "configuration file (spindle.yaml)")->required();
  set->add_option("--revision", a.revision,
                  "write only if the key is still at this revision (default: the one read now)");
  set->add_option("--wait", a.wait, "how long to wait for the edge's answer (default 60s)");
  set->add_flag("--no-wait", a.noWait, "write and return");
  auto* diff = config->add_subcommand(
      "diff", "the differences between EDGE's desired configuration and FILE (exit 1 if any)");
  diff->add_option("edge", a.edge, "edge id")->required();
  diff->add_option("file", a.file, "configuration file")->required();
  for (auto* verb : config->get_subcommands({})) verb->fallthrough();
}

int runFleetConfig(const FleetArgs& args, const std::string& verb, const CommandContext& ctx) {
  if (!checkEdgeId(args.edge, "config " + verb)) return kExitUsage;
  if (verb == "get") return runGet(args);
  if (verb == "set") return runSet(args, ctx);
  if (verb == "diff") return runDiff(args);
  return kExitUsage;
}

}  // namespace spindle::cli
