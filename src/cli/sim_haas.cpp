#include "cli/sim_haas.hpp"

#include <boost/asio/io_context.hpp>

#include "base/log.hpp"
#include "cli/command.hpp"

namespace spindle::cli {

void addHaasSimOptions(CLI::App& cmd, HaasSimArgs& args) {
  auto& o = args.options;
  cmd.add_option("--haas-port", o.port, "haas: TCP port (0: any free)")->capture_default_str();
  cmd.add_flag("--haas-ngc", o.ngc,
               "haas: NGC framing (?Q100, '>' lines), two clients, every reply to both");
  cmd.add_flag("--haas-pty", o.pty,
               "haas: serve on a pseudo-terminal instead of TCP; prints the device to open");
  cmd.add_option("--haas-garbage-every", o.garbageEvery,
                 "haas: precede every n-th reply with garbage (0: never)")
      ->capture_default_str();
  cmd.add_option("--haas-truncate-every", o.truncateEvery,
                 "haas: cut every n-th reply off half-way (0: never)")
      ->capture_default_str();
}

int runHaasSim(HaasSimArgs& args, const std::string& bind, std::uint64_t seed, double timeScale,
               std::chrono::milliseconds tick) {
  auto& o = args.options;
  o.bindAddress = bind;
  o.seed = seed;
  o.timeScale = timeScale;
  o.tick = tick;
  auto log = makeLogger("sim");
  boost::asio::io_context io;
  sim::HaasSim control(io, o);
  if (auto status = control.start(); !status) {
    log->error("{}", status.error().describe());
    return kExitFailure;
  }
  const char* framing = o.ngc ? "NGC" : "classic";
  if (o.pty) {
    log->info("{} serving Haas Q-commands ({} framing) on the serial device {}", o.name, framing,
              control.ptyPath());
  } else {
    log->info("{} serving Haas Q-commands ({} framing) on {}:{}", o.name, framing, bind,
              control.port());
  }
  return runUntilSignal(io, *log, [&] { control.stop(); });
}

}  // namespace spindle::cli
