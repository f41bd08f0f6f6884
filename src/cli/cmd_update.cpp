// `spindle update status|check|apply|rollback`: the update system from the edge's shell
// (docs/updates.md). They read the same configuration as `spindle run` and change the same
// versions/ folder; apply and rollback then ask the running edge (its pid in state.json) to
// stop in order, and the supervisor starts the version `current` names.

#include "cli/cmd_update.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <signal.h>
#include <unistd.h>

#include "cli/config_loading.hpp"
#include "update/installer.hpp"
#include "update/kv_offer.hpp"
#include "update/refusal.hpp"
#include "update/version_store.hpp"

namespace spindle::cli {

namespace {

struct Loaded {
  app::SpindleConfig config;
  update::InstallEnv env;
};

std::optional<Loaded> loadFor(const std::string& command, const UpdateArgs& args,
                              const CommandContext& ctx) {
  auto loaded = loadConfiguration(args.config, false, ctx.registry);
  if (!loaded.config) {
    printDiagnostics(loaded.diagnostics);
    return std::nullopt;
  }
  Loaded out{std::move(*loaded.config), {}};
  out.env.dataDir = out.config.edge.dataDir;
  out.env.options = out.config.cloud.update.value_or(update::UpdateOptions{});
  auto keys = update::loadTrustedKeys(out.env.options);
  if (!keys) {
    std::cerr << "spindle update " << command << ": " << keys.error().describe() << "\n";
    return std::nullopt;
  }
  out.env.keys = std::move(*keys);
  return out;
}

/// The offer: from --envelope, or the bucket (edge.<id> first, then the channel).
Result<std::optional<update::Offer>> findOffer(const Loaded& l, const UpdateArgs& args) {
  if (!args.envelope.empty()) {
    std::ifstream in(args.envelope);
    if (!in) return Error(ErrorCode::kIo, "cannot read " + args.envelope);
    std::stringstream text;
    text << in.rdbuf();
    return std::optional<update::Offer>(update::Offer{args.envelope, text.str()});
  }
  if (!l.config.cloud.nats) {
    return Error(ErrorCode::kInvalidArgument,
                 "no offer source: this configuration has no uplinks: nats: (use --envelope FILE)");
  }
  return update::readOffer(*l.config.cloud.nats, l.config.edge.id, l.env.options,
                           std::chrono::seconds(10));
}

/// Asks the running edge to stop in order (the supervisor restarts it into `current`).
void restartEdge(const std::string& dataDir) {
  auto state = update::StateFile(update::VersionStore(dataDir).dir()).load();
  const int pid = state ? state->pid : 0;
  std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
  std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
  if (pid <= 0 || args.find("spindle") == std::string::npos ||
      args.find(std::string("run") + '\0') == std::string::npos) {
    std::cout << "no running edge found; the new version runs from its next start "
                 "(sudo systemctl restart spindle)\n";
    return;
  }
  if (::kill(pid, SIGTERM) != 0) {
    std::cout << "cannot signal the running edge (pid " << pid
              << "); restart it: sudo systemctl restart spindle\n";
    return;
  }
  std::cout << "the running edge (pid " << pid << ") stops in order and its supervisor "
            << "starts the version current names\n";
}

int runStatus(const Loaded& l, const UpdateArgs& args) {
  update::VersionStore store(l.env.dataDir);
  auto state = update::StateFile(store.dir()).load();
  if (!state) {
    std::cerr << "spindle update status: " << state.error().describe() << "\n";
    return kExitFailure;
  }
  auto installed = store.list();
  std::sort(installed.begin(), installed.end());
  const std::string current = store.current().value_or("");
  const std::string running = current.empty() ? update::runningVersion().text() : current;
  const auto& s = *state;
  if (args.json) {
    nlohmann::json j = nlohmann::json::parse(update::toJson(s));
    j["current"] = running;
    j["installed"] = installed;
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "current:   " << running << (current.empty() ? " (the installed package)" : "")
            << "\n";
  if (s.trial) {
    std::cout << "on trial:  " << s.trial->version << " (from " << s.trial->from << ", "
              << s.trial->starts << " starts)\n";
  }
  if (!s.pending.empty()) {
    std::cout << "pending:   " << s.pending << (s.pendingNotes.empty() ? "" : ": " + s.pendingNotes)
              << "\n";
  }
  std::string list;
  for (const auto& v : installed) list += (list.empty() ? "" : ", ") + v;
  std::cout << "installed: " << (list.empty() ? "none under versions/" : list) << "\n";
  if (!s.failed.empty()) {
    std::string failed;
    for (const auto& v : s.failed) failed += (failed.empty() ? "" : ", ") + v;
    std::cout << "failed:    " << failed << "\n";
  }
  if (!s.last.result.empty()) {
    std::cout << "last:      " << s.last.result << " " << s.last.version
              << (s.last.reason.empty() ? "" : " (" + s.last.reason + ")") << " at "
              << formatTimestamp(s.last.at) << "\n           " << s.last.detail << "\n";
  }
  return kExitOk;
}

int runCheckOrApply(const Loaded& l, const UpdateArgs& args, bool apply) {
  const char* name = apply ? "apply" : "check";
  if (l.env.keys.empty()) {
    std::cerr << "spindle update " << name << ": no update.trusted_keys in the configuration\n";
    return kExitFailure;
  }
  auto offer = findOffer(l, args);
  if (!offer) {
    std::cerr << "spindle update " << name << ": " << offer.error().describe() << "\n";
    return kExitFailure;
  }
  if (!*offer) {
    std::cout << "no update offered (keys edge." << l.config.edge.id << " and "
              << l.env.options.channel << " of bucket " << l.env.options.bucket << ")\n";
    return kExitOk;
  }
  auto state = update::StateFile(update::VersionStore(l.env.dataDir).dir()).load();
  if (!state) {
    std::cerr << "spindle update " << name << ": " << state.error().describe() << "\n";
    return kExitFailure;
  }
  auto manifest = update::evaluate((*offer)->envelope, l.env, *state);
  if (!manifest) {
    std::cout << "offer (" << (*offer)->key << ") refused: " << manifest.error().describe() << "\n";
    return kExitFailure;
  }
  const std::string version = manifest->version.text();
  if (manifest->version == update::runningVersion()) {
    std::cout << version << " is the running version\n";
    return kExitOk;
  }
  std::cout << "offer (" << (*offer)->key << "): " << version << ", verified"
            << (manifest->notes.empty() ? "" : ": " + manifest->notes) << "\n";
  if (!apply) return kExitOk;
  if (auto s = update::fetchAndInstall(*manifest, l.env); !s) {
    update::recordRefusal(l.env.dataDir, version, s.error());
    std::cerr << "spindle update apply: " << s.error().describe() << "\n";
    return kExitFailure;
  }
  if (auto s = update::switchTo(*manifest, l.env, {}); !s) {
    std::cerr << "spindle update apply: " << s.error().describe() << "\n";
    return kExitFailure;
  }
  std::cout << "installed " << version << "; it runs on trial from the next start\n";
  restartEdge(l.env.dataDir);
  return kExitOk;
}

int runRollback(const Loaded& l) {
  update::VersionStore store(l.env.dataDir);
  auto state = update::StateFile(store.dir()).load();
  const auto current = store.current();
  if (!state || !current) {
    std::cerr << "spindle update rollback: no update was installed here; nothing to roll back\n";
    return kExitFailure;
  }
  const std::string target = state->trial && state->trial->version == *current
                                 ? state->trial->from
                                 : state->previousGood(*current);
  if (target.empty() || target == *current ||
      (!store.installed(target) && target != state->launcher)) {
    std::cerr << "spindle update rollback: no previous version of " << *current
              << " is installed\n";
    return kExitFailure;
  }
  auto back = update::rollBack(l.env.dataDir, *current, "operator",
                               "rolled back by spindle update rollback");
  if (!back) {
    std::cerr << "spindle update rollback: " << back.error().describe() << "\n";
    return kExitFailure;
  }
  std::cout << "current: " << *back << " (was " << *current << ")\n";
  restartEdge(l.env.dataDir);
  return kExitOk;
}

}  // namespace

Command addUpdateCommand(CLI::App& app) {
  auto args = std::make_shared<UpdateArgs>();
  auto* cmd = app.add_subcommand("update",
                                 "signed updates: status, check, apply, rollback; "
                                 "keygen and sign for releases");
  cmd->require_subcommand(1);
  auto addConfig = [&](CLI::App* sub) {
    sub->add_option("-c,--config", args->config, "configuration file (spindle.yaml)")
        ->required()
        ->check(CLI::ExistingFile);
  };
  auto* status = cmd->add_subcommand("status", "versions installed, on trial, the last result");
  addConfig(status);
  status->add_flag("--json", args->json, "print the state as JSON");
  auto* check = cmd->add_subcommand("check", "ask the offer source once and verify the offer");
  addConfig(check);
  check->add_option("--envelope", args->envelope, "a signed envelope file instead of the bucket");
  auto* apply = cmd->add_subcommand("apply", "install the offered update now and restart into it");
  addConfig(apply);
  apply->add_option("--envelope", args->envelope, "a signed envelope file instead of the bucket");
  auto* rollback = cmd->add_subcommand("rollback", "go back to the previous good version");
  addConfig(rollback);
  addKeygenCommand(*cmd, *args);
  addSignCommand(*cmd, *args);
  return {cmd, [args, cmd](const CommandContext& ctx) {
            const auto chosen = cmd->get_subcommands();
            if (chosen.empty()) return kExitUsage;
            const std::string name = chosen.front()->get_name();
            if (name == "keygen") return runKeygen(*args);
            if (name == "sign") return runSign(*args);
            auto loaded = loadFor(name, *args, ctx);
            if (!loaded) return kExitUsage;
            if (name == "status") return runStatus(*loaded, *args);
            if (name == "rollback") return runRollback(*loaded);
            return runCheckOrApply(*loaded, *args, name == "apply");
          }};
}

}  // namespace spindle::cli
