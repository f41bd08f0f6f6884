#include "cli/sim_control_args.hpp"

#include "base/log.hpp"
#include "cli/command.hpp"

namespace spindle::cli {

void addSimFaultOptions(CLI::App& cmd, const SimFaultTexts& texts, sim::ReplyFaults& faults,
                        SimFaultArgs& args) {
  const std::string& p = texts.protocol;
  cmd.add_option("--" + p + "-split", faults.splitBytes,
                 p + ": send replies in TCP segments of this many bytes (0: whole)")
      ->capture_default_str();
  cmd.add_option("--" + p + "-delay", args.delayMs,
                 p + ": answer every " + texts.unit + " this late (ms)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  cmd.add_option("--" + p + "-cut-every", faults.cutEvery,
                 p + ": cut every n-th reply off " + texts.cutHow + "and close (0: never)")
      ->capture_default_str();
  cmd.add_option("--" + p + "-garbage-every", faults.garbageEvery,
                 p + ": send garbage instead of every n-th reply (0: never)")
      ->capture_default_str();
  cmd.add_option("--" + p + "-drop-every", args.dropEveryMs,
                 p + ": drop every client connection at this interval (ms, 0: never)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{86400000}))
      ->capture_default_str();
}

void applySimArgs(sim::ControlSimOptions& o, const SimCommonArgs& common,
                  const SimFaultArgs& faults) {
  o.bindAddress = common.bind;
  o.machines = common.machines;
  o.seed = common.seed;
  o.timeScale = common.timeScale;
  o.tick = common.tick;
  o.names = common.names;
  if (common.basePort) o.basePort = *common.basePort;
  o.replyDelay = std::chrono::milliseconds(faults.delayMs);
  o.dropEvery = std::chrono::milliseconds(faults.dropEveryMs);
}

int serveControls(boost::asio::io_context& io, sim::ControlHost& sim, const std::string& bind,
                  const std::function<std::string(std::size_t)>& what) {
  auto log = makeLogger("sim");
  if (auto status = sim.start(); !status) {
    log->error("{}", status.error().describe());
    return kExitFailure;
  }
  const auto ports = sim.ports();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    log->info("{} serving {} on {}:{}", sim.names()[i], what(i), bind, ports[i]);
  }
  return runUntilSignal(io, *log, [&] { sim.stop(); });
}

}  // namespace spindle::cli
