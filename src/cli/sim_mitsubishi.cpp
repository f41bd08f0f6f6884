#include "cli/sim_mitsubishi.hpp"

#include <boost/asio/io_context.hpp>

#include "base/log.hpp"
#include "cli/command.hpp"

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
  cmd.add_option("--mitsubishi-split", o.splitBytes,
                 "mitsubishi: send replies in TCP segments of this many bytes (0: whole)")
      ->capture_default_str();
  cmd.add_option("--mitsubishi-delay", args.delayMs,
                 "mitsubishi: answer every request this late (ms)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  cmd.add_option("--mitsubishi-cut-every", o.cutEvery,
                 "mitsubishi: cut every n-th reply off half-way and close (0: never)")
      ->capture_default_str();
  cmd.add_option("--mitsubishi-garbage-every", o.garbageEvery,
                 "mitsubishi: send garbage instead of every n-th reply (0: never)")
      ->capture_default_str();
  cmd.add_option("--mitsubishi-drop-every", args.dropEveryMs,
                 "mitsubishi: drop every client connection at this interval (ms, 0: never)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{86400000}))
      ->capture_default_str();
}

int runMitsubishiSim(MitsubishiSimArgs& args, const std::string& bind, int machines,
                     std::uint64_t seed, double timeScale, std::chrono::milliseconds tick,
                     const std::vector<std::string>& names, std::optional<std::uint16_t> basePort) {
  auto& o = args.options;
  o.bindAddress = bind;
  o.machines = machines;
  o.seed = seed;
  o.timeScale = timeScale;
  o.tick = tick;
  o.names = names;
  if (basePort) o.basePort = *basePort;
  o.replyDelay = std::chrono::milliseconds(args.delayMs);
  o.dropEvery = std::chrono::milliseconds(args.dropEveryMs);
  o.types.clear();
  for (const auto& t : args.types) {
    o.types.push_back(collectors::mitsubishi::parseSystemType(t).value());
  }
  auto log = makeLogger("sim");
  boost::asio::io_context io;
  sim::MitsubishiSim server(io, o);
  if (auto status = server.start(); !status) {
    log->error("{}", status.error().describe());
    return kExitFailure;
  }
  const auto ports = server.ports();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    log->info("{} serving EZSocket ({}, {} part system(s){}) on {}:{}", server.names()[i],
              args.types[i % args.types.size()], o.partSystems, o.bigEndian ? ", big-endian" : "",
              bind, ports[i]);
  }
  return runUntilSignal(io, *log, [&] { server.stop(); });
}

}  // namespace spindle::cli
