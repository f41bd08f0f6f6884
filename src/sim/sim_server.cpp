#include "sim/sim_server.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "sim/machine_host.hpp"

namespace spindle::sim {
namespace {

constexpr int kMaxMachines = 1000;

}  // namespace

SimServer::SimServer(boost::asio::io_context& io, SimOptions options)
    : m_io(io), m_options(std::move(options)) {
  const int count = std::clamp(m_options.machines, 0, kMaxMachines);
  for (int i = 0; i < count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    m_names.push_back(index < m_options.names.size() ? m_options.names[index]
                                                     : fmt::format("mill-{}", i + 1));
  }
}

SimServer::~SimServer() { stop(); }

Status SimServer::validate() const {
  const SimOptions& o = m_options;
  auto invalid = [](std::string message) {
    return Error(ErrorCode::kInvalidArgument, std::move(message));
  };
  if (o.machines < 1 || o.machines > kMaxMachines) {
    return invalid(fmt::format("machines is {}, must be 1..{}", o.machines, kMaxMachines));
  }
  if (o.names.size() > static_cast<std::size_t>(o.machines)) {
    return invalid(fmt::format("{} names given for {} machines", o.names.size(), o.machines));
  }
  if (o.basePort != 0 && o.basePort + o.machines - 1 > 65535) {
    return invalid(
        fmt::format("ports {}..{} run past 65535", o.basePort, o.basePort + o.machines - 1));
  }
  if (o.tick.count() <= 0) return invalid("tick must be positive");
  if (o.heartbeat.count() <= 0) return invalid("heartbeat must be positive");
  if (!(o.timeScale > 0) || !std::isfinite(o.timeScale)) {
    return invalid(fmt::format("time scale is {}, must be a positive number", o.timeScale));
  }
  if (o.flakyMachine < -1 || o.flakyMachine >= o.machines) {
    return invalid(
        fmt::format("flaky machine {} is not -1 or 0..{}", o.flakyMachine, o.machines - 1));
  }
  if (o.maxClientQueueBytes == 0) return invalid("client queue limit must be positive");
  std::set<std::string> seen;
  for (const auto& name : m_names) {
    if (name.empty()) return invalid("a machine name is empty");
    if (!seen.insert(name).second) return invalid(fmt::format("machine name {} repeats", name));
  }
  return okStatus();
}

Status SimServer::start() {
  if (m_started) return Error(ErrorCode::kInvalidArgument, "start() called twice");
  if (m_stopped) return Error(ErrorCode::kInvalidArgument, "start() called after stop()");
  if (auto status = validate(); !status) {
    return std::move(status).error().with("starting the simulator");
  }
  boost::system::error_code error;
  const auto address = boost::asio::ip::make_address(m_options.bindAddress, error);
  if (error) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("bind address \"{}\" is not an IP address", m_options.bindAddress))
        .with("starting the simulator");
  }

  const HostSettings settings{m_options.tick, m_options.heartbeat, m_options.maxClientQueueBytes};
  std::vector<std::shared_ptr<MachineHost>> hosts;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < m_options.machines; ++i) {
    MachineProfile profile{.name = m_names[static_cast<std::size_t>(i)],
                           .seed = m_options.seed,
                           .flaky = i == m_options.flakyMachine,
                           .timeScale = m_options.timeScale,
                           .index = static_cast<std::uint32_t>(i)};
    auto host = std::make_shared<MachineHost>(m_io, std::move(profile), settings);
    const auto port = m_options.basePort == 0 ? std::uint16_t{0}
                                              : static_cast<std::uint16_t>(m_options.basePort + i);
    // On failure the hosts bound so far are dropped here, which closes their listeners.
    if (auto status = host->bind(address, port); !status) {
      return std::move(status).error().with("starting the simulator");
    }
    ports.push_back(host->port());
    hosts.push_back(std::move(host));
  }

  m_hosts = std::move(hosts);
  m_ports = std::move(ports);
  m_started = true;
  for (const auto& host : m_hosts) host->start();
  return okStatus();
}

void SimServer::stop() {
  if (m_stopped.exchange(true)) return;
  for (const auto& host : m_hosts) host->stop();
}

MachineHost* SimServer::host(int machine) const {
  if (machine < 0 || static_cast<std::size_t>(machine) >= m_hosts.size()) return nullptr;
  return m_hosts[static_cast<std::size_t>(machine)].get();
}

void SimServer::setSilent(int machine, bool silent) {
  if (auto* h = host(machine)) h->setSilent(silent);
}

void SimServer::dropConnections(int machine) {
  if (auto* h = host(machine)) h->dropConnections();
}

std::size_t SimServer::clientCount(int machine) const {
  const auto* h = host(machine);
  return h ? h->clientCount() : 0;
}

}  // namespace spindle::sim
