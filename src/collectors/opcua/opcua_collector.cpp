#include "collectors/opcua/opcua_collector.hpp"

#include <boost/asio/strand.hpp>

#include "base/log_limiter.hpp"
#include "collectors/emitter.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::opcua {

namespace asio = boost::asio;

class OpcuaCollector::Connection final : public SessionHandler,
                                         public std::enable_shared_from_this<Connection> {
 public:
  Connection(CollectorContext& ctx, const OpcuaOptions& options, std::vector<ScriptTag> tags,
             SessionSettings settings)
      : m_ctx(ctx),
        m_options(options),
        m_tags(std::move(tags)),
        m_settings(std::move(settings)),
        m_strand(asio::make_strand(ctx.io())),
        m_emitter(ctx, m_strand, inputLimits(options)),
        m_items(m_tags.size()),
        m_kinds(m_tags.size(), model::Kind::kEvent),
        m_lastTime(m_tags.size(), 0),
        m_last(m_tags.size()),
        m_problems(m_tags.size()),
        m_timestamps(timestampSourceOf(options)) {}

  void start() {
    std::vector<TagNode> nodes;
    nodes.reserve(m_tags.size());
    for (const auto& t : m_tags) nodes.push_back(t.node);
    m_session = std::make_shared<OpcuaSession>(m_strand, std::move(m_settings), std::move(nodes),
                                               std::weak_ptr<SessionHandler>(shared_from_this()));
    m_emitter.start(weak_from_this(), [this] {
      if (m_session) m_session->resume();
    });
    m_ctx.setState(ConnectionState::kConnecting, endpointUrl(m_options));
    m_session->start();
  }

  void stop() {
    m_emitter.stop();
    if (m_session) m_session->stop();
    m_ctx.setState(ConnectionState::kStopped);
  }

  SessionStats stats() const { return m_session ? m_session->stats() : SessionStats{}; }

  void onUp(const std::string& detail) override {
    if (!m_up) {
      m_ctx.logger()->info("connected: {}", detail);
      m_emitter.connected();
      m_up = true;
    }
    m_lastDown.clear();
    m_detail = detail;
    m_ctx.setState(ConnectionState::kConnected, stateDetail());
    onValuesEnd();
  }

  void onValue(std::size_t index, const ua::DataValue& value, bool late) override {
    const TimestampNs now = m_ctx.clock().now();
    ItemValue v = fromDataValue(value, now, m_timestamps);
    if (late && !v.arrivalTime && v.time < m_lastTime[index]) return;  // newer already reported
    if (!v.problem.empty()) {
      if (m_problems[index] != v.problem) {
        m_problems[index] = v.problem;
        m_ctx.logger()->warn("tag '{}' ({}): {}; UNAVAILABLE until it reads again",
                             m_tags[index].name, m_tags[index].node.text, v.problem);
        m_ctx.setState(ConnectionState::kConnected, stateDetail());
      }
    } else if (!m_problems[index].empty()) {
      m_ctx.logger()->info("tag '{}' reads again", m_tags[index].name);
      m_problems[index].clear();
      m_ctx.setState(ConnectionState::kConnected, stateDetail());
    }
    // Polled values are reported when they change; a subscription sends changes only.
    if (!m_options.subscribe && m_last[index] && *m_last[index] == v.value) return;
    auto item = itemOf(index, v.value);
    if (!item) return;
    m_lastTime[index] = std::max(m_lastTime[index], v.time);
    m_last[index] = v.value;
    const model::Kind kind = m_kinds[index];
    m_batch.push_back(model::Observation{m_ctx.machine(), *item, v.time, kind,
                                         v.arrivalTime ? model::kFlagArrivalTime : model::kFlagNone,
                                         std::move(v.value)});
    m_emitter.append(m_batch, 0);
  }

  void onValuesEnd() override {
    if (!m_emitter.flush() && m_session) m_session->pause();
  }

  void onNodeProblem(std::size_t index, const std::string& problem) override {
    if (m_problems[index] != problem) {
      m_problems[index] = problem;
      m_ctx.logger()->warn("tag '{}' ({}): {}; UNAVAILABLE, tried again with the next session",
                           m_tags[index].name, m_tags[index].node.text, problem);
    }
    m_last[index].reset();
    if (auto item = itemOf(index, model::Unavailable{})) {
      m_batch.push_back(model::Observation{m_ctx.machine(), *item, m_ctx.clock().now(),
                                           m_kinds[index], model::kFlagArrivalTime,
                                           model::Unavailable{}});
      m_emitter.append(m_batch, 0);
    }
  }

  void onDown(const std::string& reason, Duration retryIn, bool) override {
    if (m_up) {
      m_up = false;
      m_ctx.logger()->warn(
          "lost the OPC UA server: {}; its items are UNAVAILABLE; reconnecting "
          "in {}",
          reason, formatDuration(retryIn));
      m_emitter.disconnected(m_known);
      m_emitter.flush();
      for (auto& last : m_last) last.reset();
    } else if (reason != m_lastDown) {
      // Said once per reason, not once per attempt.
      m_ctx.logger()->warn("{}; retrying in {} (backoff up to {})", reason, formatDuration(retryIn),
                           formatDuration(m_options.reconnectMax));
    }
    m_lastDown = reason;
    m_ctx.setState(ConnectionState::kBackoff, reason);
  }

  void onNotice(spdlog::level::level_enum level, const std::string& text) override {
    m_noticeLog.log(*m_ctx.logger(), level, "{}", text);
  }

 private:
  std::optional<model::ItemId> itemOf(std::size_t index, const model::Value& first) {
    if (m_items[index]) return m_items[index];
    // Numbers and arrays of numbers are samples, everything else events; the script's
    // data items say what each becomes in MTConnect.
    const bool sample = std::holds_alternative<double>(first) ||
                        std::holds_alternative<std::int64_t>(first) ||
                        std::holds_alternative<std::vector<double>>(first);
    const model::Kind kind = sample ? model::Kind::kSample : model::Kind::kEvent;
    auto id = m_ctx.catalog().intern(m_ctx.machine(), m_tags[index].name, kind);
    if (!id) {
      m_emitter.reject("{}: {}", m_tags[index].name, id.error().message());
      return std::nullopt;
    }
    m_items[index] = *id;
    m_kinds[index] = kind;
    m_known.emplace_back(*id, kind);
    return *id;
  }

  std::string stateDetail() const {
    std::size_t bad = 0;
    for (const auto& p : m_problems) bad += p.empty() ? 0 : 1;
    if (bad == 0) return m_detail;
    return m_detail + "; " + std::to_string(bad) + " UNAVAILABLE (see the log)";
  }

  CollectorContext& m_ctx;
  OpcuaOptions m_options;
  std::vector<ScriptTag> m_tags;
  SessionSettings m_settings;
  OpcuaSession::Strand m_strand;
  Emitter m_emitter;
  std::shared_ptr<OpcuaSession> m_session;
  std::vector<std::optional<model::ItemId>> m_items;  ///< per tag, interned at its first value
  std::vector<model::Kind> m_kinds;                   ///< per tag, set with m_items
  std::vector<TimestampNs> m_lastTime;
  std::vector<std::optional<model::Value>> m_last;  ///< polling: the last value reported
  std::vector<std::string> m_problems;              ///< per tag: why it is UNAVAILABLE
  std::vector<std::pair<model::ItemId, model::Kind>> m_known;
  TimestampSource m_timestamps;
  model::Batch m_batch;
  bool m_up = false;
  std::string m_detail;
  std::string m_lastDown;
  LogLimiter m_noticeLog;
};

OpcuaCollector::OpcuaCollector(OpcuaOptions options) : m_options(std::move(options)) {}

OpcuaCollector::~OpcuaCollector() { stop(); }

Status OpcuaCollector::start(CollectorContext& context) {
  if (m_connection) return Error(ErrorCode::kInternal, "opcua collector started twice");
  const std::string where = "machine '" + context.machineName() + "'";
  auto tags = scriptTags(context.script().get(), m_options.namespaces);
  if (!tags) return std::move(tags).error().with(where);
  auto settings =
      sessionSettings(m_options, context.machineName(), context.dataDir(), context.resolver());
  if (!settings) return std::move(settings).error().with(where);
  auto connection =
      std::make_shared<Connection>(context, m_options, std::move(*tags), std::move(*settings));
  connection->start();
  m_connection = std::move(connection);
  return okStatus();
}

void OpcuaCollector::stop() {
  if (m_connection) {
    m_connection->stop();
    m_connection.reset();
  }
}

SessionStats OpcuaCollector::stats() const {
  return m_connection ? m_connection->stats() : SessionStats{};
}

}  // namespace spindle::collectors::opcua
