#include "collectors/haas/haas_collector.hpp"

#include <algorithm>
#include <set>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log_limiter.hpp"
#include "collectors/emitter.hpp"
#include "collectors/haas/haas_codec.hpp"
#include "collectors/haas/haas_session.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::haas {

namespace asio = boost::asio;

std::vector<Query> variableQueries(const transform::CompiledScript* script,
                                   const std::vector<std::string>& extra) {
  std::vector<Query> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& key) {
    const auto variable = variableOfKey(key);
    if (!variable || !seen.insert(key).second) return;
    out.push_back(Query{600, *variable, key});
  };
  if (script != nullptr) {
    for (const auto& input : script->inputs()) {
      if (input.section == transform::InputSection::kKeys) add(input.key);
    }
  }
  for (const auto& key : extra) add(key);
  return out;
}

class HaasCollector::Connection final : public SessionHandler,
                                        public std::enable_shared_from_this<Connection> {
 public:
  Connection(CollectorContext& ctx, const HaasOptions& options)
      : m_ctx(ctx),
        m_options(options),
        m_framing(framingOf(options)),
        m_codec(ctx.catalog(), ctx.machine(), options.maxReply.bytes, options.maxItems),
        m_strand(asio::make_strand(ctx.io())),
        m_timer(m_strand),
        m_watchdog(m_strand),
        m_emitter(ctx, m_strand, inputLimits(options)) {
    const auto script = ctx.script();
    m_variables = variableQueries(script.get(), options.variables);
  }

  void start() {
    m_session = std::make_shared<HaasSession>(m_strand, sessionOptions(m_options, m_ctx.resolver()),
                                              std::weak_ptr<SessionHandler>(shared_from_this()));
    m_emitter.start(weak_from_this(), [this] { resume(); });
    m_ctx.setState(ConnectionState::kConnecting, m_session->endpoint());
    if (!m_variables.empty()) {
      m_ctx.logger()->info("reading {} Q600 variables named by the script", m_variables.size());
    }
    m_session->start();
  }

  void stop() {
    m_emitter.stop();
    if (m_session) m_session->stop();
    asio::post(m_strand, [self = shared_from_this()] {
      ++self->m_token;
      ++self->m_watchdogToken;
      self->m_timer.cancel();
      self->m_watchdog.cancel();
    });
    m_ctx.setState(ConnectionState::kStopped);
  }

  void onConnected(const std::string& peer) override {
    m_peer = peer;
    m_codec.resetStream();
    m_answered = false;
    m_timeouts = 0;
    m_identityDone.clear();
    m_ctx.setState(ConnectionState::kConnecting, peer + ": open, waiting for the control's answer");
    watch(++m_watchdogToken);
    startRound();
  }

  void onData(std::string_view bytes) override {
    if (m_emitter.stopped()) return;
    m_output.clear();
    const Query* waiting = m_waiting ? &m_round[m_index] : nullptr;
    m_codec.feed(bytes, waiting, m_ctx.clock().now(), m_output);
    for (const auto& r : m_output.rejections) {
      m_emitter.reject("refused a reply from the Haas control: {}", printable(r));
    }
    if (m_output.foreign > 0 && m_framing == Framing::kNgc && !m_sawForeign) {
      m_sawForeign = true;
      m_ctx.logger()->info(
          "replies to commands this gateway did not send arrive: another client shares the "
          "control's data collection port; replies are matched by their label");
    }
    if (m_output.answered && waiting != nullptr) {
      if (!m_answered) markAnswered();
      if (isIdentity(waiting->code)) m_identityDone.insert(waiting->code);
      m_emitter.append(m_output.observations, m_codec.itemsRefused());
      m_waiting = false;
      m_timeouts = 0;
      ++m_index;
      after(m_options.pacing, [this] { sendNext(); });
    } else if (m_resyncing && m_output.prompt) {
      m_resyncing = false;
      after(m_options.pacing, [this] { sendNext(); });
    }
  }

  void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) override {
    ++m_token;
    ++m_watchdogToken;
    m_timer.cancel();
    m_watchdog.cancel();
    m_waiting = false;
    m_resyncing = false;
    m_roundWaits = false;
    if (wasConnected && m_answered) {
      m_log.log(*m_ctx.logger(), spdlog::level::warn,
                "lost the Haas control: {}; its items are UNAVAILABLE; opening again in {}", reason,
                formatDuration(retryIn));
      m_emitter.disconnected(m_codec.knownItems());
      m_emitter.flush();
      m_warnedUnreachable = false;
    } else if (!m_warnedUnreachable) {
      m_ctx.logger()->warn("{}; retrying in {} (backoff up to {})", reason, formatDuration(retryIn),
                           formatDuration(m_options.reconnectMax));
      m_warnedUnreachable = true;
    } else {
      m_ctx.logger()->debug("{}; retrying in {}", reason, formatDuration(retryIn));
    }
    m_answered = false;
    m_ctx.setState(ConnectionState::kBackoff, reason);
  }

 private:
  static bool isIdentity(int code) { return code == 100 || code == 101 || code == 102; }

  void markAnswered() {
    m_answered = true;
    m_warnedUnreachable = false;
    m_log.log(*m_ctx.logger(), spdlog::level::info, "the Haas control at {} answers", m_peer);
    m_ctx.setState(ConnectionState::kConnected, m_peer);
    m_emitter.connected();
  }

  /// Runs `step` on the strand after `delay`, unless something else is scheduled first.
  template <typename F>
  void after(Duration delay, F step) {
    const std::uint64_t token = ++m_token;
    m_timer.expires_after(delay);
    m_timer.async_wait(
        [self = shared_from_this(), token, step](const boost::system::error_code& ec) {
          if (ec || token != self->m_token || self->m_emitter.stopped()) return;
          step();
        });
  }

  /// Reply deadlines are checked by a watchdog ticking a quarter of read_timeout, not by a
  /// timer per command: a command answered in time costs no timer at all (issue 14's budget
  /// of 2 % of a core for 50 controls). A timeout is noticed within 1.25 x read_timeout.
  void watch(std::uint64_t token) {
    m_watchdog.expires_after(
        std::max(m_options.readTimeout / 4, Duration(std::chrono::milliseconds(5))));
    m_watchdog.async_wait([self = shared_from_this(), token](const boost::system::error_code& ec) {
      if (ec || token != self->m_watchdogToken || self->m_emitter.stopped()) return;
      if ((self->m_waiting || self->m_resyncing) &&
          std::chrono::steady_clock::now() >= self->m_deadline) {
        if (self->m_waiting) {
          self->onTimeout();
        } else {
          self->m_resyncing = false;  // no prompt came: go on after the silence
          self->sendNext();
        }
      }
      if (token == self->m_watchdogToken) self->watch(token);
    });
  }

  void startRound() {
    m_roundStart = std::chrono::steady_clock::now();
    m_round.clear();
    for (int code : identityCodes()) {
      if (!m_identityDone.count(code)) m_round.push_back(Query{code, -1, {}});
    }
    for (int code : m_options.pollCodes) m_round.push_back(Query{code, -1, {}});
    m_round.insert(m_round.end(), m_variables.begin(), m_variables.end());
    m_index = 0;
    sendNext();
  }

  void sendNext() {
    if (m_index >= m_round.size()) {
      endRound();
      return;
    }
    m_session->send(m_round[m_index].encode(m_framing));
    m_waiting = true;
    m_deadline = std::chrono::steady_clock::now() + m_options.readTimeout;
  }

  void onTimeout() {
    const Query& q = m_round[m_index];
    m_waiting = false;
    ++m_timeouts;
    ++m_index;
    if (m_timeouts >= m_options.maxTimeouts) {
      m_session->drop("no answer to " + std::to_string(m_timeouts) + " commands in a row (" +
                      formatDuration(m_options.readTimeout) + " each, last " + q.name() + ")");
      return;
    }
    m_log.log(*m_ctx.logger(), spdlog::level::info,
              "no answer to {} within {}; waiting for the control's prompt", q.name(),
              formatDuration(m_options.readTimeout));
    // A cut-off or late reply must not be taken for the next command's: drop everything up to
    // the next prompt (or another read_timeout of silence).
    m_codec.resync();
    m_resyncing = true;
    m_deadline = std::chrono::steady_clock::now() + m_options.readTimeout;
  }

  void endRound() {
    if (!m_emitter.flush()) {
      m_roundWaits = true;  // resume() starts the next round once the pipeline took this one
      return;
    }
    scheduleRound();
  }

  void scheduleRound() {
    const auto next = m_roundStart + m_options.pollInterval;
    const auto now = std::chrono::steady_clock::now();
    after(next > now ? Duration(next - now) : Duration(0), [this] { startRound(); });
  }

  void resume() {
    if (!m_roundWaits) return;
    m_roundWaits = false;
    scheduleRound();
  }

  CollectorContext& m_ctx;
  HaasOptions m_options;
  Framing m_framing;
  HaasCodec m_codec;
  HaasSession::Strand m_strand;
  asio::steady_timer m_timer;     ///< pacing, next round: one at a time
  asio::steady_timer m_watchdog;  ///< checks m_deadline while a reply or a prompt is awaited
  std::chrono::steady_clock::time_point m_deadline;
  Emitter m_emitter;
  std::shared_ptr<HaasSession> m_session;
  std::vector<Query> m_variables;
  std::vector<Query> m_round;
  std::size_t m_index = 0;
  std::set<int> m_identityDone;
  std::chrono::steady_clock::time_point m_roundStart;
  CodecOutput m_output;
  std::string m_peer;
  std::uint64_t m_token = 0;
  std::uint64_t m_watchdogToken = 0;  ///< bumped per stream: a stale watchdog stops
  std::int64_t m_timeouts = 0;
  bool m_waiting = false;
  bool m_resyncing = false;
  bool m_roundWaits = false;
  bool m_answered = false;  ///< the control answered on this stream
  bool m_warnedUnreachable = false;
  bool m_sawForeign = false;
  LogLimiter m_log;  ///< losses and timeouts: a control can repeat them at will
};

HaasCollector::HaasCollector(HaasOptions options) : m_options(std::move(options)) {}

HaasCollector::~HaasCollector() { stop(); }

Status HaasCollector::start(CollectorContext& context) {
  if (m_connection) return Error(ErrorCode::kInternal, "haas collector started twice");
  m_connection = std::make_shared<Connection>(context, m_options);
  m_connection->start();
  return okStatus();
}

void HaasCollector::stop() {
  if (m_connection) {
    m_connection->stop();
    m_connection.reset();
  }
}

void registerCollector(Registry& registry) {
  registry.add(makeCollectorInfo<HaasCollector>(
      "haas",
      "Haas Q-commands (serial device server, NGC Machine Data Collection, or a serial port)",
      kDefaultPort, optionTable(), validate, true));
}

}  // namespace spindle::collectors::haas
