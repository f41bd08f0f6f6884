#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "base/log.hpp"
#include "cli/command.hpp"
#include "cli/sim_focas.hpp"
#include "cli/sim_haas.hpp"
#include "cli/sim_lsv2.hpp"
#include "cli/sim_mitsubishi.hpp"
#include "cli/sim_modbus.hpp"
#include "sim/sim_server.hpp"

namespace spindle::cli {

Command addSimCommand(CLI::App& app) {
  struct Args {
    sim::SimOptions options;
    std::string tick = "100ms";
    std::string heartbeat = "10s";
    std::string protocol = "shdr";
    HaasSimArgs haas;
    FocasSimArgs focas;
    Lsv2SimArgs lsv2;
    MitsubishiSimArgs mitsubishi;
  };
  auto args = std::make_shared<Args>();
  auto& o = args->options;
  auto* cmd = app.add_subcommand(
      "sim",
      "serve simulated machines (SHDR, Modbus TCP, Haas Q-commands, FANUC FOCAS, Mitsubishi "
      "or Heidenhain LSV2)");
  cmd->add_option("--protocol", args->protocol,
                  "what the machines speak: shdr, modbus (Modbus TCP; base port 5020 unless "
                  "given), haas, focas (FOCAS/Ethernet; base port 8193 unless given), "
                  "mitsubishi (EZSocket/GIOP; base port 683 unless given) or lsv2 (Heidenhain "
                  "LSV2; base port 19000 unless given)")
      ->check(CLI::IsMember({"shdr", "modbus", "haas", "focas", "mitsubishi", "lsv2"}))
      ->capture_default_str();
  cmd->add_option("-n,--machines", o.machines, "number of machines")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--bind", o.bindAddress, "listen address")->capture_default_str();
  cmd->add_option("-p,--base-port", o.basePort, "port of the first machine (0: any free)")
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "random seed: same seed, same behaviour")
      ->capture_default_str();
  cmd->add_option("--tick", args->tick, "simulation step")->capture_default_str();
  cmd->add_option("--heartbeat", args->heartbeat, "interval announced in '* PONG'")
      ->capture_default_str();
  cmd->add_option("--flaky", o.flakyMachine,
                  "index of a machine that drops its connection now and then (-1: none)")
      ->capture_default_str();
  cmd->add_option("--time-scale", o.timeScale, "simulated seconds per second")
      ->capture_default_str();
  cmd->add_option("--names", o.names, "machine names");
  addHaasSimOptions(*cmd, args->haas);
  addFocasSimOptions(*cmd, args->focas);
  addLsv2SimOptions(*cmd, args->lsv2);
  addMitsubishiSimOptions(*cmd, args->mitsubishi);

  return {cmd, [args, cmd](const CommandContext&) {
            auto tick = parseDuration(args->tick);
            auto heartbeat = parseDuration(args->heartbeat);
            if (!tick || !heartbeat) {
              std::cerr << "spindle sim: "
                        << (!tick ? "--tick: " + tick.error().message()
                                  : "--heartbeat: " + heartbeat.error().message())
                        << "\n";
              return kExitUsage;
            }
            using std::chrono::duration_cast;
            using std::chrono::milliseconds;
            args->options.tick = duration_cast<milliseconds>(tick.value());
            args->options.heartbeat = duration_cast<milliseconds>(heartbeat.value());
            if (args->protocol == "modbus") {
              sim::ModbusSimOptions m;
              m.bindAddress = args->options.bindAddress;
              m.basePort = cmd->count("--base-port") > 0 ? args->options.basePort : m.basePort;
              m.machines = args->options.machines;
              m.seed = args->options.seed;
              m.tick = args->options.tick;
              m.timeScale = args->options.timeScale;
              m.names = args->options.names;
              return runModbusSim(m);
            }
            const auto& so = args->options;
            SimCommonArgs common{so.bindAddress, so.machines, so.seed, so.timeScale,
                                 so.tick,        so.names,    {}};
            // The protocol's own base port unless given.
            if (cmd->count("--base-port") > 0) common.basePort = so.basePort;
            if (args->protocol == "focas") return runFocasSim(args->focas, common);
            if (args->protocol == "mitsubishi") return runMitsubishiSim(args->mitsubishi, common);
            if (args->protocol == "lsv2") return runLsv2Sim(args->lsv2, common);
            if (args->protocol == "haas") {
              return runHaasSim(args->haas, so.bindAddress, so.seed, so.timeScale, so.tick);
            }
            auto log = makeLogger("sim");
            boost::asio::io_context io;
            sim::SimServer server(io, args->options);
            if (auto status = server.start(); !status) {
              log->error("{}", status.error().describe());
              return kExitFailure;
            }
            const auto ports = server.ports();
            for (size_t i = 0; i < ports.size(); ++i) {
              log->info("{} serving SHDR on {}:{}", server.names()[i], args->options.bindAddress,
                        ports[i]);
            }
            return runUntilSignal(io, *log, [&] { server.stop(); });
          }};
}

int runUntilSignal(boost::asio::io_context& io, spdlog::logger& log,
                   const std::function<void()>& stop) {
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    log.info("stopping");
    stop();
    io.stop();
  });
  io.run();
  return kExitOk;
}

}  // namespace spindle::cli
