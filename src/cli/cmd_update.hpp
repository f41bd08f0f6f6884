#pragma once
/// `spindle update`: status, check, apply, rollback on the edge (cmd_update.cpp); keygen and
/// sign for the cloud team (cmd_update_sign.cpp).

#include <string>
#include <vector>

#include "cli/command.hpp"

namespace spindle::cli {

struct UpdateArgs {
  std::string config;
  std::string envelope;  ///< apply/check: a file instead of the bucket
  bool json = false;
  // keygen
  std::string out;
  std::string name = "spindle-update";
  // sign
  std::vector<std::string> keys;
  std::string artifact, version, url, minVersion, notes;
  std::string channel = "stable";
  bool rollback = false;
};

void addKeygenCommand(CLI::App& update, UpdateArgs& args);
int runKeygen(const UpdateArgs& args);
void addSignCommand(CLI::App& update, UpdateArgs& args);
int runSign(const UpdateArgs& args);

}  // namespace spindle::cli
