#include "cli/sim_focas.hpp"

#include <boost/asio/io_context.hpp>

#include "base/log.hpp"
#include "cli/command.hpp"

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
  cmd.add_option("--focas-split", o.splitBytes,
                 "focas: send replies in TCP segments of this many bytes (0: whole)")
      ->capture_default_str();
  cmd.add_option("--focas-delay", args.delayMs, "focas: answer every request this late (ms)")
      ->check(CLI::Range(0, 60000))
      ->capture_default_str();
  cmd.add_option("--focas-cut-every", o.cutEvery,
                 "focas: cut every n-th reply off mid sub-packet and close (0: never)")
      ->capture_default_str();
  cmd.add_option("--focas-garbage-every", o.garbageEvery,
                 "focas: send garbage instead of every n-th reply (0: never)")
      ->capture_default_str();
  cmd.add_option("--focas-drop-every", args.dropEveryMs,
                 "focas: drop every client connection at this interval (ms, 0: never)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{86400000}))
      ->capture_default_str();
}

int runFocasSim(FocasSimArgs& args, const std::string& bind, int machines, std::uint64_t seed,
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
  o.replyDelay = std::chrono::milliseconds(args.delayMs);
  o.dropEvery = std::chrono::milliseconds(args.dropEveryMs);
  o.series.clear();
  for (const auto& s : args.series) o.series.push_back(sim::parseFocasSeries(s).value());
  auto log = makeLogger("sim");
  boost::asio::io_context io;
  sim::FocasSim server(io, o);
  if (auto status = server.start(); !status) {
    log->error("{}", status.error().describe());
    return kExitFailure;
  }
  const auto ports = server.ports();
  for (std::size_t i = 0; i < ports.size(); ++i) {
    log->info("{} serving FOCAS ({} series, {} path(s), {} sessions) on {}:{}", server.names()[i],
              args.series[i % args.series.size()], o.paths, o.maxConnections, bind, ports[i]);
  }
  return runUntilSignal(io, *log, [&] { server.stop(); });
}

}  // namespace spindle::cli
