#include "cli/sim_lsv2.hpp"

#include <boost/asio/io_context.hpp>

#include "base/log.hpp"
#include "cli/command.hpp"

namespace spindle::cli {

void addLsv2SimOptions(CLI::App& cmd, Lsv2SimArgs& args) {
  auto& o = args.options;
  cmd.add_option("--lsv2-controls", args.controls,
                 "lsv2: control of each machine in turn: itnc530, tnc640, tnc320, tnc7, tnc426, "
                 "cncpilot640")
      ->check(CLI::IsMember({"itnc530", "tnc640", "tnc320", "tnc7", "tnc426", "cncpilot640"}))
      ->capture_default_str();
  cmd.add_flag("--lsv2-no-dnc", args.noDnc, "lsv2: controls without the DNC option");
  cmd.add_option("--lsv2-split", o.splitBytes,
                 "lsv2: send replies in TCP segments of this many bytes (0: whole)")
      ->capture_default_str();
  cmd.add_option("--lsv2-delay", args.delayMs, "lsv2: answer every telegram this late (ms)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  cmd.add_option("--lsv2-cut-every", o.cutEvery,
                 "lsv2: cut every n-th reply off and close (0: never)")
      ->capture_default_str();
  cmd.add_option("--lsv2-garbage-every", o.garbageEvery,
                 "lsv2: send garbage instead of every n-th reply (0: never)")
      ->capture_default_str();
  cmd.add_option("--lsv2-drop-every", args.dropEveryMs,
                 "lsv2: drop every client connection at this interval (ms, 0: never)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{86400000}))
      ->capture_default_str();
}

int runLsv2Sim(Lsv2SimArgs& args, const std::string& bind, int machines, std::uint64_t seed,
               double timeScale, std::chrono::milliseconds tick,
               const std::vector<std::string>& names, std::optional<std::uint16_t> basePort) {
  auto& o = args.options;
  o.bindAddress = bind;
  o.machines = machines;
  o.seed = seed;
  o.timeScale = timeScale;
  o.tick = tick;
  o.names = names;
  if (basePort) o.basePort = *basePort;
  o.dncOption = !args.noDnc;
  o.replyDelay = std::chrono::milliseconds(args.delayMs);
  o.dropEvery = std::chrono::milliseconds(args.dropEveryMs);
  o.controls.clear();
  for (const auto& c : args.controls) o.controls.push_back(sim::parseLsv2Identity(c).value());
  auto log = makeLogger("sim");
  boost::asio::io_context io;
  sim::Lsv2Sim server(io, o);
  if (auto status = server.start(); !status) {
    log->error("{}", status.error().describe());
    return kExitFailure;
  }
  const auto ports = server.ports();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    log->info("{} serving LSV2 ({}{}) on {}:{}", server.names()[i],
              args.controls[i % args.controls.size()], o.dncOption ? "" : ", no DNC option", bind,
              ports[i]);
  }
  return runUntilSignal(io, *log, [&] { server.stop(); });
}

}  // namespace spindle::cli
