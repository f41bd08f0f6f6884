#include "cli/sim_mitsubishi.hpp"

#include <boost/asio/io_context.hpp>

namespace spindle::cli {

void addMitsubishiSimOptions(CLI::App& cmd, MitsubishiSimArgs& args) {
  auto& o = args.options;
  cmd.add_option("--mitsubishi-type", args.types,
                 "mitsubishi: system types of the NCs, one per machine in turn: m700m, m700l, "
                 "m800m, m800l")
      ->check(CLI::IsMember({"m700m", "m700l", "m800m", "m800l"}))
      ->capture_default_str();
  cmd.add_option("--mitsubishi-part-systems", o.partSystems,
                 "mitsubishi: part systems per NC (1-4)")
      ->check(CLI::Range(1, 4))
      ->capture_default_str();
  cmd.add_flag("--mitsubishi-big-endian", o.bigEndian,
               "mitsubishi: answer big-endian (GIOP flags byte 0)");
  addSimFaultOptions(cmd, {"mitsubishi", "request", "half-way "}, o, args.faults);
}

int runMitsubishiSim(MitsubishiSimArgs& args, const SimCommonArgs& common) {
  auto& o = args.options;
  applySimArgs(o, common, args.faults);
  o.types.clear();
  for (const auto& t : args.types) {
    o.types.push_back(collectors::mitsubishi::parseSystemType(t).value());
  }
  boost::asio::io_context io;
  sim::MitsubishiSim server(io, o);
  return serveControls(io, server, common.bind, [&](std::size_t i) {
    return "EZSocket (" + args.types[i % args.types.size()] + ", " + std::to_string(o.partSystems) +
           " part system(s)" + (o.bigEndian ? ", big-endian" : "") + ")";
  });
}

}  // namespace spindle::cli
