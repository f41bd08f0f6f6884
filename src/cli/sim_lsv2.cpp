#include "cli/sim_lsv2.hpp"

#include <boost/asio/io_context.hpp>

namespace spindle::cli {

void addLsv2SimOptions(CLI::App& cmd, Lsv2SimArgs& args) {
  cmd.add_option("--lsv2-controls", args.controls,
                 "lsv2: control of each machine in turn: itnc530, tnc640, tnc320, tnc7, tnc426, "
                 "cncpilot640")
      ->check(CLI::IsMember({"itnc530", "tnc640", "tnc320", "tnc7", "tnc426", "cncpilot640"}))
      ->capture_default_str();
  cmd.add_flag("--lsv2-no-dnc", args.noDnc, "lsv2: controls without the DNC option");
  addSimFaultOptions(cmd, {"lsv2", "telegram", ""}, args.options, args.faults);
}

int runLsv2Sim(Lsv2SimArgs& args, const SimCommonArgs& common) {
  auto& o = args.options;
  applySimArgs(o, common, args.faults);
  o.dncOption = !args.noDnc;
  o.controls.clear();
  for (const auto& c : args.controls) o.controls.push_back(sim::parseLsv2Identity(c).value());
  boost::asio::io_context io;
  sim::Lsv2Sim server(io, o);
  return serveControls(io, server, common.bind, [&](std::size_t i) {
    return "LSV2 (" + args.controls[i % args.controls.size()] +
           (o.dncOption ? "" : ", no DNC option") + ")";
  });
}

}  // namespace spindle::cli
