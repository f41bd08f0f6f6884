#include "collectors/shdr/shdr_collector.hpp"

#include <charconv>
#include <mutex>

#include <boost/asio/steady_timer.hpp>

#include "base/log_limiter.hpp"
#include "collectors/guarded_input.hpp"
#include "collectors/input_limit_options.hpp"
#include "collectors/registry.hpp"
#include "collectors/shdr/shdr_parser.hpp"
#include "collectors/shdr/shdr_session.hpp"

namespace spindle::collectors::shdr {

namespace asio = boost::asio;

/// Name of the item that reports the adapter connection (MTConnect CONNECTION_STATUS values).
constexpr std::string_view kConnectionKey = "connection_status";
/// How long to wait before offering a batch again when the pipeline is full.
constexpr auto kEmitRetry = std::chrono::milliseconds(5);

class ShdrCollector::Connection final : public SessionHandler,
                                        public std::enable_shared_from_this<Connection> {
 public:
  Connection(CollectorContext& ctx, const ShdrOptions& options)
      : m_ctx(ctx),
        m_options(options),
        m_parser(ctx.catalog(), ctx.machine(), parserOptions(options)),
        m_strand(asio::make_strand(ctx.io())),
        m_retry(m_strand),
        m_connectionItem(ctx.catalog().intern(ctx.machine(), kConnectionKey)),
        m_guard(ctx, inputLimits(options)) {}

  void start() {
    m_session = std::make_shared<ShdrSession>(m_strand, sessionOptions(m_options, m_ctx.resolver()),
                                              std::weak_ptr<SessionHandler>(shared_from_this()));
    m_ctx.setState(ConnectionState::kConnecting,
                   m_options.host + ":" + std::to_string(m_options.port.value));
    m_session->start();
  }

  void stop() {
    {
      std::lock_guard lock(m_emitMutex);
      m_stopped = true;
    }
    if (m_session) m_session->stop();
    asio::post(m_strand, [self = shared_from_this()] { self->m_retry.cancel(); });
    m_ctx.setState(ConnectionState::kStopped);
  }

  void onConnected(const std::string& peer) override {
    m_connectionLog.log(*m_ctx.logger(), spdlog::level::info, "connected to SHDR adapter {}", peer);
    m_ctx.setState(ConnectionState::kConnected, peer);
    m_parser.resetStream();
    m_wasUnreachable = false;
    pushStatus("ESTABLISHED");
    flush();
  }

  bool onData(std::string_view bytes) override {
    m_output.clear();
    m_parser.feed(bytes, m_ctx.clock().now(), m_output);
    for (const auto& cmd : m_output.commands) handleCommand(cmd);
    for (const auto& r : m_output.rejections) {
      m_rejectLog.log(*m_ctx.logger(), spdlog::level::warn, "skipped SHDR line {}: {}: \"{}\"",
                      r.lineNumber, printable(r.reason), printable(r.excerpt));
    }
    guard(m_output.observations);
    if (m_pending.empty()) {
      m_pending.swap(m_output.observations);
    } else {
      std::move(m_output.observations.begin(), m_output.observations.end(),
                std::back_inserter(m_pending));
    }
    return flush();
  }

  void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) override {
    if (wasConnected) {
      m_connectionLog.log(
          *m_ctx.logger(), spdlog::level::warn,
          "lost the SHDR adapter: {}; its items are UNAVAILABLE; reconnecting in {}", reason,
          formatDuration(retryIn));
      markUnavailable();
      pushStatus("CLOSED");
      flush();
    } else if (!m_wasUnreachable) {
      m_ctx.logger()->warn("{}; retrying in {} (backoff up to {})", reason, formatDuration(retryIn),
                           formatDuration(m_options.reconnectMax));
      m_wasUnreachable = true;
    } else {
      m_ctx.logger()->debug("{}; retrying in {}", reason, formatDuration(retryIn));
    }
    m_ctx.setState(ConnectionState::kBackoff, reason);
  }

 private:
  /// Queues the connection_status observation (none when the catalog refused the item).
  void pushStatus(const char* status) {
    if (!m_connectionItem.ok()) return;
    m_pending.push_back(model::Observation{m_ctx.machine(), *m_connectionItem, m_ctx.clock().now(),
                                           model::Kind::kEvent, model::kFlagArrivalTime,
                                           std::string(status)});
  }

  void markUnavailable() {
    m_guard.forgetConditions();
    const TimestampNs now = m_ctx.clock().now();
    for (const auto& [id, kind] : m_parser.knownItems()) {
      if (kind == model::Kind::kAsset) continue;
      m_pending.push_back(model::Observation{m_ctx.machine(), id, now, kind,
                                             model::kFlagArrivalTime, model::Unavailable{}});
    }
  }

  void handleCommand(const Command& cmd) {
    if (cmd.name == "PONG") {
      std::int64_t ms = 0;
      auto [p, ec] = std::from_chars(cmd.value.data(), cmd.value.data() + cmd.value.size(), ms);
      if (ec == std::errc() && ms > 0) {
        m_session->setHeartbeat(std::chrono::milliseconds(ms));
        if (!m_sawPong) m_ctx.logger()->info("adapter heartbeat every {} ms", ms);
        m_sawPong = true;
      } else {
        m_commandLog.log(*m_ctx.logger(), spdlog::level::warn,
                         "adapter sent a PONG without a valid interval: '{}'",
                         printable(cmd.value));
      }
    } else {
      m_commandLog.log(*m_ctx.logger(), spdlog::level::info, "adapter says {}: {}",
                       printable(cmd.name, 64), printable(cmd.value));
    }
  }

  void guard(model::Batch& batch) { m_guard.filter(batch, m_parser.stats().itemsRefused); }

  /// Offers the pending batch to the pipeline; when it is full, retries shortly and tells
  /// the session to stop reading meanwhile (returns false).
  bool flush() {
    std::lock_guard lock(m_emitMutex);
    if (m_stopped) return false;
    if (m_pending.empty() || m_ctx.tryEmit(m_pending)) return true;
    m_retry.expires_after(kEmitRetry);
    m_retry.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (self->flush()) self->m_session->resumeReading();
    });
    return false;
  }

  CollectorContext& m_ctx;
  ShdrOptions m_options;
  ShdrParser m_parser;
  ShdrSession::Strand m_strand;
  asio::steady_timer m_retry;
  std::shared_ptr<ShdrSession> m_session;
  Result<model::ItemId> m_connectionItem;  ///< refused only when the catalog is full
  ParseOutput m_output;
  model::Batch m_pending;
  std::mutex m_emitMutex;
  bool m_stopped = false;
  bool m_sawPong = false;
  bool m_wasUnreachable = false;
  GuardedInput m_guard;
  // One limiter per kind of line the adapter can trigger, so one flood cannot hide another.
  LogLimiter m_rejectLog;
  LogLimiter m_commandLog;
  LogLimiter m_connectionLog;  ///< an adapter that connects and drops at once
};

ShdrCollector::ShdrCollector(ShdrOptions options) : m_options(std::move(options)) {}

ShdrCollector::~ShdrCollector() { stop(); }

Status ShdrCollector::start(CollectorContext& context) {
  if (m_connection) return Error(ErrorCode::kInternal, "shdr collector started twice");
  m_connection = std::make_shared<Connection>(context, m_options);
  m_connection->start();
  return okStatus();
}

void ShdrCollector::stop() {
  if (m_connection) {
    m_connection->stop();
    m_connection.reset();
  }
}

void registerCollector(Registry& registry) {
  CollectorInfo info;
  info.name = "shdr";
  info.description = "MTConnect SHDR adapter client (TCP, connects out to the adapter)";
  info.defaultPort = 7878;
  info.options = optionTable().describe();
  info.create = [](const YAML::Node& block, const std::string& machineId,
                   config::Diagnostics& diags) -> std::unique_ptr<Collector> {
    ShdrOptions options;
    const size_t before = diags.size();
    optionTable().load(block, options, diags, "machine '" + machineId + "' (shdr)",
                       kCommonMachineKeys);
    validate(options, block, diags);
    if (diags.size() != before) return nullptr;
    return std::make_unique<ShdrCollector>(std::move(options));
  };
  registry.add(std::move(info));
}

}  // namespace spindle::collectors::shdr
