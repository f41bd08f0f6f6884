#include "sim/machine_host.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "base/log.hpp"
#include "base/time.hpp"
#include "sim/shdr_writer.hpp"

namespace spindle::sim {

using boost::asio::ip::tcp;
using std::chrono::steady_clock;

MachineHost::MachineHost(boost::asio::io_context& io, MachineProfile profile, HostSettings settings)
    : m_strand(boost::asio::make_strand(io)),
      m_acceptor(m_strand),
      m_tickTimer(m_strand),
      m_retryTimer(m_strand),
      m_model(std::move(profile)),
      m_settings(settings),
      m_log(makeLogger("sim." + m_model.profile().name)),
      m_pong(std::make_shared<const std::string>(
          fmt::format("* PONG {}\n", settings.heartbeat.count()))) {}

Status MachineHost::bind(const boost::asio::ip::address& address, std::uint16_t port) {
  const tcp::endpoint endpoint(address, port);
  boost::system::error_code error;
  m_acceptor.open(endpoint.protocol(), error);
  // SO_REUSEADDR only lets us reuse a port left in TIME_WAIT; a live listener still refuses.
  if (!error) m_acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error) m_acceptor.bind(endpoint, error);
  if (!error) m_acceptor.listen(tcp::socket::max_listen_connections, error);
  if (!error) m_port = m_acceptor.local_endpoint(error).port();
  if (error) {
    boost::system::error_code ignored;
    m_acceptor.close(ignored);
    return Error(ErrorCode::kIo, error.message())
        .with(fmt::format("listening on {}:{} for {}", address.to_string(), port,
                          m_model.profile().name));
  }
  return okStatus();
}

void MachineHost::start() {
  boost::asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_stopped) return;
    self->m_log->info("serving SHDR on port {}", self->m_port);
    self->accept();
    self->m_nextTick = steady_clock::now();
    self->scheduleTick();
  });
}

void MachineHost::stop() {
  if (m_stopped.exchange(true)) return;
  boost::asio::post(m_strand, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->m_acceptor.close(ignored);
    self->m_tickTimer.cancel();
    self->m_retryTimer.cancel();
    self->closeAll("simulator stopping");
  });
}

void MachineHost::setSilent(bool silent) {
  boost::asio::post(m_strand, [self = shared_from_this(), silent] {
    if (self->m_stopped || self->m_silent == silent) return;
    self->m_silent = silent;
    if (silent) {
      self->m_log->info("silent: sending nothing and answering no PING");
      return;
    }
    // The clients missed every change while silent: give them the whole state again.
    self->m_log->info("talking again");
    self->broadcast(self->m_model.snapshot());
  });
}

void MachineHost::dropConnections() {
  boost::asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_clients.empty()) return;
    self->m_log->info("dropping {} connection(s) on request", self->m_clients.size());
    self->closeAll("dropped on request");
  });
}

void MachineHost::accept() {
  m_accepting.emplace(m_strand);
  m_acceptor.async_accept(*m_accepting,
                          [self = shared_from_this()](const boost::system::error_code& error) {
                            self->onAccept(error);
                          });
}

void MachineHost::onAccept(const boost::system::error_code& error) {
  if (m_stopped || error == boost::asio::error::operation_aborted) {
    m_accepting.reset();
    return;
  }
  if (error) {  // e.g. out of file descriptors: back off instead of spinning
    m_log->warn("accepting a client failed: {}; retrying", error.message());
    m_retryTimer.expires_after(std::chrono::milliseconds(200));
    m_retryTimer.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
      if (!e && !self->m_stopped) self->accept();
    });
    return;
  }
  auto client =
      std::make_shared<ClientConnection>(std::move(*m_accepting), m_log, m_settings.maxQueueBytes);
  m_accepting.reset();
  m_log->info("client {} connected", client->peer());
  m_clients.push_back(client);
  m_clientCount = m_clients.size();

  // The client only calls these from its own handlers, so the raw pointer is alive; the host
  // may be gone by then, hence the weak pointer.
  std::weak_ptr<MachineHost> weak = weak_from_this();
  ClientConnection* raw = client.get();
  client->start({[weak, raw](std::string_view line) {
                   if (auto host = weak.lock()) host->onLine(*raw, line);
                 },
                 [weak] {
                   if (auto host = weak.lock()) host->removeClosed();
                 }});
  if (!m_silent) {
    const auto text = formatShdrLines(formatTimestamp(wallClockNs()), m_model.snapshot());
    client->send(std::make_shared<const std::string>(text));
  }
  accept();
}

void MachineHost::scheduleTick() {
  const auto now = steady_clock::now();
  m_nextTick += m_settings.tick;
  // After a stall (suspended process, overloaded host) carry on from now, without a burst.
  if (m_nextTick + 10 * m_settings.tick < now) m_nextTick = now;
  m_tickTimer.expires_at(m_nextTick);
  m_tickTimer.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
    if (!error) self->onTick();
  });
}

void MachineHost::onTick() {
  if (m_stopped) return;
  const auto updates = m_model.step(m_settings.tick);
  if (m_model.takeDisconnectRequest() && !m_clients.empty()) {
    m_log->info("flaky: dropping {} connection(s)", m_clients.size());
    closeAll("flaky machine dropped it");
  }
  checkHeartbeats();
  if (!m_silent) broadcast(updates);
  scheduleTick();
}

void MachineHost::onLine(ClientConnection& client, std::string_view line) {
  if (!line.starts_with("* PING")) return;  // adapters ignore anything else an agent sends
  client.markHeartbeating();
  if (!m_silent) client.send(m_pong);
}

void MachineHost::checkHeartbeats() {
  const auto limit = 2 * m_settings.heartbeat;
  const auto now = steady_clock::now();
  const auto clients = m_clients;  // close() removes from m_clients
  for (const auto& client : clients) {
    if (client->heartbeating() && now - client->lastInput() > limit) {
      client->close(fmt::format("no PING for {} ms", limit.count()));
    }
  }
}

void MachineHost::broadcast(const std::vector<Update>& updates) {
  if (updates.empty() || m_clients.empty()) return;
  const auto text =
      std::make_shared<const std::string>(formatShdrLines(formatTimestamp(wallClockNs()), updates));
  const auto clients = m_clients;  // send() may close a slow client, which removes it
  for (const auto& client : clients) client->send(text);
}

void MachineHost::closeAll(std::string_view reason) {
  const auto clients = m_clients;
  for (const auto& client : clients) client->close(reason);
  m_clients.clear();
  m_clientCount = 0;
}

void MachineHost::removeClosed() {
  std::erase_if(m_clients, [](const auto& client) { return client->closed(); });
  m_clientCount = m_clients.size();
}

}  // namespace spindle::sim
