#pragma once
/// `spindle fleet`: the cloud team's tool (docs/fleet.md). cmd_fleet.cpp declares the verbs and
/// runs init, ls and show; cmd_fleet_config.cpp runs config get|set|diff; cmd_fleet_ops.cpp
/// runs diag, update and watch. All of them talk to the NATS hub only (src/fleet/).

#include <memory>
#include <optional>
#include <string>

#include "cli/command.hpp"
#include "fleet/edge_row.hpp"
#include "fleet/hub_connection.hpp"

namespace spindle::cli {

struct FleetArgs {
  fleet::HubOptions hub;
  std::string timeout = "5s";  ///< connecting and each JetStream call
  // ls, watch, show
  std::string sort = "edge";
  std::string filter;
  bool behind = false;
  bool silent = false;
  bool json = false;
  std::string listen = "11s";
  std::string silentAfter = "35s";
  std::string behindAfter = "60s";
  // init
  int replicas = 1;
  std::string maxAge = "24h";
  // show, config, diag, update
  std::string edge;
  std::string file;
  std::string revision;  ///< config set: the expected revision; "" = the one read at the start
  std::string wait;      ///< config set (60s), update (10m)
  bool noWait = false;
  std::string command;
  std::string diagArgs;
  std::string diagTimeout = "10s";
  // update
  bool all = false;
  bool clear = false;
  std::string envelope;
  std::string version;
  std::string channel = "stable";
  // watch
  std::string interval = "1s";
  int count = 0;  ///< refreshes before stopping; 0 = until SIGINT/SIGTERM
};

/// A duration option's value; prints "spindle fleet: --name: why" and returns nullopt when it
/// does not parse.
std::optional<Duration> fleetDuration(const std::string& option, const std::string& text);
/// Connects with the hub options (defaults from the environment); prints why not and returns
/// nullptr when it cannot.
std::unique_ptr<fleet::HubConnection> connectHub(const FleetArgs& args, const std::string& verb);
/// True for a usable edge id (one subject token); prints why not.
bool checkEdgeId(const std::string& edge, const std::string& verb);
/// The --silent-after/--behind-after thresholds; nullopt (printed) when one does not parse.
std::optional<fleet::Thresholds> fleetThresholds(const FleetArgs& args);

void addFleetConfigCommands(CLI::App& fleet, FleetArgs& args);
int runFleetConfig(const FleetArgs& args, const std::string& verb, const CommandContext& ctx);
void addFleetOpsCommands(CLI::App& fleet, FleetArgs& args);
int runFleetDiag(const FleetArgs& args);
int runFleetUpdate(const FleetArgs& args);
int runFleetWatch(const FleetArgs& args);

}  // namespace spindle::cli
