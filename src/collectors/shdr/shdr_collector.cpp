#include "collectors/shdr/shdr_collector.hpp"

#include <algorithm>
#include <charconv>

#include "base/log_limiter.hpp"
#include "collectors/emitter.hpp"
#include "collectors/input_limit_options.hpp"
#include "collectors/registry.hpp"
#include "collectors/shdr/shdr_parser.hpp"
#include "collectors/shdr/shdr_session.hpp"

namespace spindle::collectors::shdr {

namespace asio = boost::asio;

class ShdrCollector::Connection final : public SessionHandler,
                                        public std::enable_shared_from_this<Connection> {
 public:
  Connection(CollectorContext& ctx, const ShdrOptions& options)
      : m_ctx(ctx),
        m_options(options),
        m_parser(ctx.catalog(), ctx.machine(), parserOptions(options)),
        m_strand(asio::make_strand(ctx.io())),
        m_emitter(ctx, m_strand, inputLimits(options)) {}

  void start() {
    m_session = std::make_shared<ShdrSession>(m_strand, sessionOptions(m_options, m_ctx.resolver()),
                                              std::weak_ptr<SessionHandler>(shared_from_this()));
    // Resumes reading once the pipeline took what it refused.
    m_emitter.start(weak_from_this(), [this] { m_session->resumeReading(); });
    // A device file's items exist before the adapter connects: UNAVAILABLE until it speaks.
    m_output.clear();
    m_parser.initialObservations(m_ctx.clock().now(), m_output);
    if (!m_output.observations.empty()) {
      m_emitter.append(m_output.observations, m_parser.stats().itemsRefused);
      m_emitter.flush();
    }
    m_ctx.setState(ConnectionState::kConnecting,
                   m_options.host + ":" + std::to_string(m_options.port.value));
    m_session->start();
  }

  void stop() {
    m_emitter.stop();
    if (m_session) m_session->stop();
    m_ctx.setState(ConnectionState::kStopped);
  }

  void onConnected(const std::string& peer) override {
    m_connectionLog.log(*m_ctx.logger(), spdlog::level::info, "connected to SHDR adapter {}", peer);
    m_ctx.setState(ConnectionState::kConnected, peer);
    m_parser.resetStream();
    m_wasUnreachable = false;
    m_emitter.connected();
    m_emitter.flush();
  }

  bool onData(std::string_view bytes) override {
    m_output.clear();
    // The batch goes to the pipeline with its storage, so each read starts from none: room
    // for as many observations as the last read made saves the vector's growth steps (six
    // allocations for a line of 32 values).
    m_output.observations.reserve(m_lastObservations);
    m_parser.feed(bytes, m_ctx.clock().now(), m_output);
    m_lastObservations = std::min<std::size_t>(m_output.observations.size(), kMaxReserve);
    for (const auto& cmd : m_output.commands) handleCommand(cmd);
    for (const auto& r : m_output.rejections) {
      m_emitter.reject("skipped SHDR line {}: {}: \"{}\"", r.lineNumber, printable(r.reason),
                       printable(r.excerpt));
    }
    m_emitter.append(m_output.observations, m_parser.stats().itemsRefused);
    return m_emitter.flush();
  }

  void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) override {
    if (wasConnected) {
      m_connectionLog.log(
          *m_ctx.logger(), spdlog::level::warn,
          "lost the SHDR adapter: {}; its items are UNAVAILABLE; reconnecting in {}", reason,
          formatDuration(retryIn));
      m_emitter.disconnected(m_parser.knownItems());
      m_emitter.flush();
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

  CollectorContext& m_ctx;
  ShdrOptions m_options;
  ShdrParser m_parser;
  ShdrSession::Strand m_strand;
  Emitter m_emitter;
  std::shared_ptr<ShdrSession> m_session;
  ParseOutput m_output;
  static constexpr std::size_t kMaxReserve = 1024;
  std::size_t m_lastObservations = 0;  ///< what the last read made (at most kMaxReserve)
  bool m_sawPong = false;
  bool m_wasUnreachable = false;
  // One limiter per kind of line the adapter can trigger, so one flood cannot hide another
  // (rejected lines are the emitter's).
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
  registry.add(makeCollectorInfo<ShdrCollector>(
      "shdr", "MTConnect SHDR adapter client (TCP, connects out to the adapter)", kDefaultPort,
      optionTable(), validate, true));
}

}  // namespace spindle::collectors::shdr
