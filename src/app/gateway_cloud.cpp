// The Gateway's part of the cloud link: making it over the EdgeApi (the machine manager) and
// starting it once the hub's names are resolved.

#include <future>

#include <fmt/format.h>

#include "app/cloud_servers.hpp"
#include "app/gateway.hpp"
#include "base/log.hpp"
#include "base/redact.hpp"

namespace spindle::app {

void Gateway::makeCloud() {
  m_cloud = std::make_unique<CloudLink>(m_config, m_catalog, *m_machines, m_options.updater);
}

Status Gateway::startCloud() {
  if (!m_cloud) return okStatus();
  resolveCloudServers();
  if (auto s = m_cloud->start(); !s) return s;
  // The high-frequency channel follows the applied batches. Its offer only copies samples into
  // its own bounded, lossy buffer, so it takes them on the worker as they come: the queue
  // never holds more than one batch. Closed before the cloud link stops (stopJournal).
  auto hf = &m_cloud->link().hf();
  m_hfSubscription = m_pipeline->subscribe("uplink.nats.hf", kHfSubscriptionCapacity,
                                           [hf](state::BatchSubscription& sub) {
                                             std::vector<state::AppliedBatch> taken;
                                             sub.take(taken);
                                             for (const auto& a : taken) hf->offer(*a.batch);
                                           });
  m_log->info("cloud link: NATS uplink to {} as edge {}",
              redactUrl(fmt::format("{}", fmt::join(m_config.cloud.nats->servers, ", "))),
              m_config.edge.id);
  return okStatus();
}

// The hub's names through the DNS chain (app/cloud_servers.hpp), with a bounded wait: the
// chain answers or gives up within its per-server timeouts.
void Gateway::resolveCloudServers() {
  auto& nats = *m_config.cloud.nats;
  if (!m_resolver) return;
  const Duration limit =
      m_config.net.dnsTimeout * static_cast<int>(m_resolver->servers().size() + 1);
  auto resolve = [&](const std::string& host, std::uint16_t port) -> Result<std::string> {
    auto done = std::make_shared<std::promise<Result<net::ResolverChain::Endpoints>>>();
    auto future = done->get_future();
    m_resolver->resolve(host, port, [done](Result<net::ResolverChain::Endpoints> r) {
      done->set_value(std::move(r));
    });
    if (future.wait_for(limit) != std::future_status::ready) {
      return Error(ErrorCode::kTimeout, "no answer within " + formatDuration(limit));
    }
    auto endpoints = future.get();
    if (!endpoints) return std::move(endpoints).error();
    if (endpoints->empty()) return Error(ErrorCode::kNotFound, "no address");
    return endpoints->front().address().to_string();
  };
  const bool tls = !nats.tlsCa.empty() || !nats.tlsCert.empty();
  auto resolved = resolveServers(nats.servers, tls, resolve);
  for (const auto& note : resolved.notes) m_log->info("cloud link: {}", note);
  nats.servers = std::move(resolved.servers);
  nats.expectedHostname = std::move(resolved.expectedHostname);
  m_cloud->link().useServers(nats.servers, nats.expectedHostname);
}

}  // namespace spindle::app
