#include "cli/sim_focas.hpp"

#include <boost/asio/io_context.hpp>

namespace spindle::cli {

void addFocasSimOptions(CLI::App& cmd, FocasSimArgs& args) {
  auto& o = args.options;
  cmd.add_option("--focas-series", args.series,
                 "focas: series of the controls, one per machine in turn: 0i, 16i, 30i")
      ->check(CLI::IsMember({"0i", "16i", "30i"}))
      ->capture_default_str();
  cmd.add_option("--focas-paths", o.paths, "focas: paths per control (1-4)")
      ->check(CLI::Range(1, 4))
      ->capture_default_str();
  cmd.add_option("--focas-max-connections", o.maxConnections,
                 "focas: FOCAS sessions a control accepts at once (1-20)")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  addSimFaultOptions(cmd, {"focas", "request", "mid sub-packet "}, o, args.faults);
}

int runFocasSim(FocasSimArgs& args, const SimCommonArgs& common) {
  auto& o = args.options;
  applySimArgs(o, common, args.faults);
  o.series.clear();
  for (const auto& s : args.series) o.series.push_back(sim::parseFocasSeries(s).value());
  boost::asio::io_context io;
  sim::FocasSim server(io, o);
  return serveControls(io, server, common.bind, [&](std::size_t i) {
    return "FOCAS (" + args.series[i % args.series.size()] + " series, " + std::to_string(o.paths) +
           " path(s), " + std::to_string(o.maxConnections) + " sessions)";
  });
}

}  // namespace spindle::cli
