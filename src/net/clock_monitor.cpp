#include "net/clock_monitor.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

#include <boost/asio/post.hpp>

#include "base/log.hpp"
#include "model/observation.hpp"
#include "net/sntp_client.hpp"

namespace spindle::net {
namespace {

namespace asio = boost::asio;

std::string endpointText(const asio::ip::udp::endpoint& ep) {
  const std::string a = ep.address().to_string();
  return (ep.address().is_v6() ? "[" + a + "]" : a) + ":" + std::to_string(ep.port());
}

}  // namespace

const char* toString(ClockState state) {
  switch (state) {
    case ClockState::kUnknown:
      return "unknown";
    case ClockState::kTrusted:
      return "trusted";
    case ClockState::kUntrusted:
      return "untrusted";
  }
  return "unknown";
}

std::string formatOffset(Duration offset) {
  const double ms = std::chrono::duration<double, std::milli>(offset).count();
  char buffer[48];
  if (std::fabs(ms) < 1000.0) {
    std::snprintf(buffer, sizeof buffer, "%+.1f ms", ms);
  } else {
    std::snprintf(buffer, sizeof buffer, "%+.3f s", ms / 1000.0);
  }
  return buffer;
}

struct ClockMonitor::Round {
  std::function<void(ClockReport)> done;
  ClockOptions options;  ///< as when the round started
  std::uint64_t generation = 0;
  std::size_t server = 0;
  std::vector<asio::ip::udp::endpoint> addresses;
  std::size_t address = 0;
  std::optional<SntpSample> sample;
  std::string sampleServer;
  std::vector<std::string> failures;
};

ClockMonitor::ClockMonitor(Strand strand, std::shared_ptr<ResolverChain> resolver,
                           ClockOptions options, std::shared_ptr<const Clock> clock)
    : m_strand(std::move(strand)),
      m_resolver(std::move(resolver)),
      m_options(std::move(options)),
      m_clock(clock ? std::move(clock) : std::make_shared<SystemClock>()),
      m_timer(m_strand) {}

std::shared_ptr<ClockMonitor> ClockMonitor::create(asio::any_io_executor executor,
                                                   std::shared_ptr<ResolverChain> resolver,
                                                   ClockOptions options,
                                                   std::shared_ptr<const Clock> clock) {
  return std::shared_ptr<ClockMonitor>(new ClockMonitor(
      asio::make_strand(executor), std::move(resolver), std::move(options), std::move(clock)));
}

void ClockMonitor::start() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_running) return;
    self->m_running = true;
    if (self->m_options.servers.empty()) {
      self->turnOff();
      return;
    }
    self->checkNow([self](const ClockReport&) { self->schedule(); });
  });
}

void ClockMonitor::reconfigure(ClockOptions options) {
  asio::post(m_strand, [self = shared_from_this(), options = std::move(options)]() mutable {
    self->m_options = std::move(options);
    ++self->m_generation;
    self->m_timer.cancel();
    if (self->m_options.servers.empty()) {
      self->turnOff();
      return;
    }
    if (self->m_running) self->checkNow([self](const ClockReport&) { self->schedule(); });
  });
}

void ClockMonitor::turnOff() {
  ClockReport report;
  report.reason = "clock check off: no NTP server configured (net.ntp_servers)";
  report.checkedAt = m_clock->now();
  if (m_untrusted.exchange(false)) {
    makeLogger("net.clock")->info("clock check off: observations are no longer flagged");
  }
  std::lock_guard lock(m_mutex);
  m_report = report;
}

void ClockMonitor::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    self->m_running = false;
    self->m_timer.cancel();
  });
}

void ClockMonitor::schedule() {
  if (!m_running || m_options.servers.empty()) return;
  m_timer.expires_after(m_options.interval);
  m_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || !self->m_running) return;
    self->checkNow([self](const ClockReport&) { self->schedule(); });
  });
}

void ClockMonitor::checkNow(std::function<void(ClockReport)> done) {
  auto round = std::make_shared<Round>();
  round->done = std::move(done);
  asio::post(m_strand, [self = shared_from_this(), round] {
    round->options = self->m_options;
    round->generation = self->m_generation;
    self->nextServer(round);
  });
}

void ClockMonitor::nextServer(const std::shared_ptr<Round>& round) {
  if (round->sample || round->server >= round->options.servers.size()) {
    conclude(round);
    return;
  }
  const ServerAddress server = round->options.servers[round->server++];
  round->addresses.clear();
  round->address = 0;
  boost::system::error_code ec;
  const auto literal = asio::ip::make_address(server.host, ec);
  if (!ec) {
    round->addresses.emplace_back(literal, server.port);
    nextAddress(round);
    return;
  }
  if (!m_resolver) {
    round->failures.push_back(server.toString() + ": a name, and no resolver to look it up");
    nextServer(round);
    return;
  }
  m_resolver->resolve(
      server.host, server.port, m_strand,
      [self = shared_from_this(), round, server](Result<ResolverChain::Endpoints> resolved) {
        if (!resolved) {
          round->failures.push_back(server.toString() + ": " + resolved.error().describe());
          self->nextServer(round);
          return;
        }
        // A pool name gives several servers; two tries are enough per name.
        for (const auto& ep : *resolved) {
          if (round->addresses.size() == 2) break;
          round->addresses.emplace_back(ep.address(), ep.port());
        }
        self->nextAddress(round);
      });
}

void ClockMonitor::nextAddress(const std::shared_ptr<Round>& round) {
  if (round->address >= round->addresses.size()) {
    nextServer(round);
    return;
  }
  const auto endpoint = round->addresses[round->address++];
  const std::string name = round->options.servers[round->server - 1].toString();
  querySntp(
      m_strand, endpoint, round->options.timeout,
      [self = shared_from_this(), round, endpoint, name](Result<SntpSample> result) {
        const std::string where =
            name == endpointText(endpoint) ? name : name + " (" + endpointText(endpoint) + ")";
        if (result) {
          round->sample = *result;
          round->sampleServer = where;
          self->conclude(round);
          return;
        }
        round->failures.push_back(result.error().describe());
        self->nextAddress(round);
      },
      m_clock);
}

void ClockMonitor::conclude(const std::shared_ptr<Round>& round) {
  ClockReport report;
  report.checkedAt = m_clock->now();
  report.failures = round->failures;
  if (!round->sample) {
    report.state = ClockState::kUntrusted;
    report.reason =
        round->options.servers.empty() ? "no NTP servers configured" : "no NTP server answered";
    for (const auto& f : round->failures) report.reason += "; " + f;
  } else {
    report.sample = round->sample;
    report.server = round->sampleServer;
    const Duration offset = round->sample->offset;
    const Duration magnitude = offset < Duration{0} ? -offset : offset;
    const std::string text = "offset " + formatOffset(offset) + " against " + report.server +
                             " (stratum " + std::to_string(round->sample->stratum) + ")";
    // The true offset lies within offset +- delay/2: only a clock surely beyond the limit is
    // distrusted (a slow path must not flag a good clock).
    const Duration limit = round->options.maxOffset;
    if (magnitude > limit + round->sample->delay / 2) {
      report.state = ClockState::kUntrusted;
      report.reason = text + ", more than the " + formatDuration(limit) + " allowed";
    } else {
      report.state = ClockState::kTrusted;
      report.reason = text;
    }
  }
  if (round->generation != m_generation) {
    // Servers changed meanwhile: the caller hears what it asked, the report waits for the
    // round on the new servers.
    if (auto done = std::exchange(round->done, nullptr)) done(std::move(report));
    return;
  }
  const bool wasUntrusted = m_untrusted.exchange(report.state == ClockState::kUntrusted);
  if (wasUntrusted != (report.state == ClockState::kUntrusted)) {
    auto log = makeLogger("net.clock");
    if (report.state == ClockState::kUntrusted) {
      log->warn("clock untrusted: {}", report.reason);
    } else {
      log->info("clock trusted again: {}", report.reason);
    }
  }
  {
    std::lock_guard lock(m_mutex);
    m_report = report;
  }
  if (round->done) {
    auto done = std::move(round->done);
    round->done = nullptr;
    done(std::move(report));
  }
}

ClockReport ClockMonitor::report() const {
  std::lock_guard lock(m_mutex);
  return m_report;
}

std::uint8_t ClockMonitor::observationFlags() const {
  return untrusted() ? model::kFlagUntrustedClock : model::kFlagNone;
}

}  // namespace spindle::net
