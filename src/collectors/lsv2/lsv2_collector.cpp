#include "collectors/lsv2/lsv2_collector.hpp"

#include <map>
#include <mutex>
#include <set>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log_limiter.hpp"
#include "collectors/emitter.hpp"
#include "collectors/input_limit_options.hpp"
#include "collectors/lsv2/lsv2_run_info.hpp"

namespace spindle::collectors::lsv2 {

namespace asio = boost::asio;

namespace {

/// One telegram of a round: run information, a PLC operand, a data path, or the error list.
struct Ask {
  enum Kind { kRunInfo, kPlc, kDataPath, kErrors } kind = kRunInfo;
  std::uint16_t info = 0;  ///< kRunInfo
  std::size_t index = 0;   ///< kPlc, kDataPath: which read
  std::string id() const {
    return std::to_string(kind) + ":" + std::to_string(info) + ":" + std::to_string(index);
  }
};

/// A control's answer that it will never give this one (then it is no longer asked).
bool permanent(std::uint8_t code) {
  return code == status::kUnknownTelegram || code == status::kWrongParameter;
}

}  // namespace

class Lsv2Collector::Connection final : public SessionHandler,
                                        public std::enable_shared_from_this<Connection> {
 public:
  Connection(CollectorContext& ctx, const Lsv2Options& options, std::vector<PlcRead> plc)
      : m_ctx(ctx),
        m_options(options),
        m_plc(std::move(plc)),
        m_paths(options.dataPaths.begin(), options.dataPaths.end()),
        m_strand(asio::make_strand(ctx.io())),
        m_emitter(ctx, m_strand, inputLimits(options)),
        m_fastTimer(m_strand),
        m_slowTimer(m_strand) {}

  void start() {
    m_session = std::make_shared<Lsv2Session>(
        m_strand, sessionOptions(m_options, !m_plc.empty(), m_ctx.resolver()),
        std::weak_ptr<SessionHandler>(shared_from_this()));
    m_emitter.start(weak_from_this(), [this] {
      m_paused = false;
      next();
    });
    m_ctx.setState(ConnectionState::kConnecting,
                   m_options.host + ":" + std::to_string(m_options.port.value));
    m_session->start();
    asio::post(m_strand, [self = shared_from_this()] {
      self->schedule(self->m_fastTimer, self->m_options.pollInterval, false);
      self->schedule(self->m_slowTimer, self->m_options.slowInterval, true);
    });
  }

  void stop() {
    m_stopped = true;
    m_emitter.stop();
    if (m_session) m_session->stop();
    asio::post(m_strand, [self = shared_from_this()] {
      self->m_fastTimer.cancel();
      self->m_slowTimer.cancel();
    });
    m_ctx.setState(ConnectionState::kStopped);
  }

  Lsv2Stats stats() const {
    std::lock_guard lock(m_statsMutex);
    return m_stats;
  }

  void onConnected(const std::string& peer, const Identity& id) override {
    m_identity = id;
    m_peer = peer;
    m_caps = capabilitiesOf(id.type);
    m_wasUnreachable = false;
    m_last.clear();
    m_refused.clear();
    m_unsupported.clear();
    m_round.clear();
    m_ctx.logger()->info("connected to {} {} ({}), NC software {}, buffer {} bytes, logins {}",
                         controlTypeName(id.type), id.versions.control, peer,
                         id.versions.ncSoftware, id.buffer, joined(id.logins));
    for (const auto& r : id.refused) {
      if (r.starts_with("DNC") && !m_saidNoDnc) {
        m_saidNoDnc = true;  // once per collector: it will not change until the option is bought
        m_ctx.logger()->warn(
            "the control refused the DNC login ({}): it lacks the DNC option or it is locked; "
            "reporting what INSPECT gives (identification) only",
            r.substr(5));
      } else if (!r.starts_with("DNC")) {
        m_ctx.logger()->info("the control refused {}", r);
      }
    }
    m_emitter.connected();
    emit("control", id.versions.control, model::Kind::kEvent);
    emit("control_type", controlTypeName(id.type), model::Kind::kEvent);
    emit("nc_software", id.versions.ncSoftware, model::Kind::kEvent);
    emit("plc_program", id.versions.plc, model::Kind::kEvent);
    emit("login", id.has("DNC") ? std::string("DNC") : std::string("INSPECT"), model::Kind::kEvent);
    m_ready = true;
    m_ctx.setState(ConnectionState::kConnected, stateDetail());
    if (!m_emitter.flush()) m_paused = true;
    asio::post(m_strand, [self = shared_from_this()] {
      self->poll(false);
      self->poll(true);
    });
  }

  void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) override {
    m_ready = false;
    m_round.clear();
    m_slowWanted = false;
    if (wasConnected) {
      m_ctx.logger()->warn(
          "lost the LSV2 control: {}; its items are UNAVAILABLE; reconnecting in {}", reason,
          formatDuration(retryIn));
      m_emitter.disconnected(m_known);
      m_emitter.flush();
      m_last.clear();
      m_alarms.clear();
      m_alarmsSeen = false;
    } else if (!m_wasUnreachable) {
      m_ctx.logger()->warn("{}; retrying in {} (backoff up to {})", reason, formatDuration(retryIn),
                           formatDuration(m_options.reconnectMax));
      m_wasUnreachable = true;
    }
    m_ctx.setState(ConnectionState::kBackoff, reason);
  }

 private:
  static std::string joined(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  }

  void schedule(asio::steady_timer& timer, Duration interval, bool slow) {
    timer.expires_after(interval);
    timer.async_wait([weak = weak_from_this(), &timer, interval, slow](const auto& ec) {
      auto self = weak.lock();
      if (ec || !self || self->m_stopped) return;
      self->schedule(timer, interval, slow);
      self->poll(slow);
    });
  }

  void poll(bool slow) {
    if (!m_ready || !m_session->connected()) return;
    if (!m_round.empty()) {
      if (slow) {
        m_slowWanted = true;  // after the round in progress
      } else {
        std::lock_guard lock(m_statsMutex);
        ++m_stats.overruns;
      }
      return;
    }
    std::vector<Ask> asks;
    auto add = [&](Ask a) {
      if (!m_refused.count(a.id())) asks.push_back(a);
    };
    const bool dnc = m_identity.has("DNC");
    if (slow) {
      if (dnc && m_caps.ncErrors) add(Ask{Ask::kErrors, info::kFirstError, 0});
    } else {
      if (dnc) {
        for (std::uint16_t i : {info::kAxisLocation, info::kExecutionMode, info::kProgramStack,
                                info::kOverrides, info::kProgramState}) {
          add(Ask{Ask::kRunInfo, i, 0});
        }
        if (m_caps.currentTool) add(Ask{Ask::kRunInfo, info::kCurrentTool, 0});
      }
      if (m_identity.has("PLCDEBUG") && m_identity.parameters) {
        for (std::size_t i = 0; i < m_plc.size(); ++i) add(Ask{Ask::kPlc, 0, i});
      }
      if (m_identity.has("DATA")) {
        for (std::size_t i = 0; i < m_paths.size(); ++i) add(Ask{Ask::kDataPath, 0, i});
      }
    }
    if (asks.empty()) return;
    m_round = std::move(asks);
    m_at = 0;
    m_errorsRead = 0;
    m_roundErrors.clear();
    next();
  }

  Telegram request(const Ask& a) const {
    switch (a.kind) {
      case Ask::kPlc: {
        const auto& r = m_plc[a.index];
        return memoryRequest(operandAddress(*m_identity.parameters, r.operand, r.number),
                             static_cast<std::uint8_t>(operandSize(r.operand)));
      }
      case Ask::kDataPath:
        return dataPathRequest(m_paths[a.index].second);
      case Ask::kErrors:
        return runInfoRequest(m_errorsRead == 0 ? info::kFirstError : info::kNextError);
      default:
        return runInfoRequest(a.info);
    }
  }

  void next() {
    if (m_stopped || m_paused || !m_session->connected() || m_session->busy()) return;
    if (m_round.empty()) return;
    if (m_at >= m_round.size()) {
      m_round.clear();
      if (!m_emitter.flush()) m_paused = true;
      if (m_slowWanted) {
        m_slowWanted = false;
        asio::post(m_strand, [self = shared_from_this()] { self->poll(true); });
      }
      return;
    }
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.requests;
    }
    m_session->transact(request(m_round[m_at]), [weak = weak_from_this()](Result<Telegram> r) {
      auto self = weak.lock();
      if (!self || self->m_stopped || self->m_round.empty()) return;
      if (!r) return;  // lost: onDisconnected says so
      {
        std::lock_guard lock(self->m_statsMutex);
        ++self->m_stats.answers;
      }
      self->onAnswer(self->m_round[self->m_at], *r);
      self->next();
    });
  }

  void onAnswer(const Ask& a, const Telegram& t) {
    if (a.kind == Ask::kErrors) return onError(a, t);
    ++m_at;
    if (t.isError()) return onRefusal(a, t);
    Status good = okStatus();
    if (a.kind == Ask::kRunInfo && t.is(code::kRunInfo)) {
      good = runInfo(a.info, t.payload);
    } else if (a.kind == Ask::kPlc && t.is(code::kMemory)) {
      const auto& r = m_plc[a.index];
      auto v = decodeMemory(t.payload, r.operand, 1);
      if (v) {
        emit(r.key, v->front(), model::Kind::kEvent);
      } else {
        good = std::move(v).error();
      }
    } else if (a.kind == Ask::kDataPath && t.is(code::kDataPath)) {
      auto v = decodeDataPath(t.payload);
      if (v) {
        const bool number = std::holds_alternative<double>(*v);
        emit(m_paths[a.index].first, std::visit([](auto x) { return model::Value(x); }, *v),
             number ? model::Kind::kSample : model::Kind::kEvent);
      }
      if (!v) good = std::move(v).error();
    } else {
      good = Error(ErrorCode::kProtocol, "answered " + t.code);
    }
    if (!good) {
      m_emitter.reject("{}: {}", what(a), good.error().message());
      for (const auto& k : keysOf(a)) emit(k, model::Unavailable{}, model::Kind::kEvent);
    }
  }

  Status runInfo(std::uint16_t i, std::span<const std::uint8_t> p) {
    auto values = runInfoValues(i, p);
    if (!values) return std::move(values).error();
    if (i == info::kAxisLocation) m_axes.clear();
    for (auto& v : *values) {
      if (i == info::kAxisLocation) m_axes.push_back(axisOfKey(v.key));
      emit(v.key, std::move(v.value), v.kind);
    }
    return okStatus();
  }

  std::vector<std::string> keysOf(const Ask& a) const {
    switch (a.kind) {
      case Ask::kPlc:
        return {m_plc[a.index].key};
      case Ask::kDataPath:
        return {m_paths[a.index].first};
      case Ask::kErrors:
        return {};
      default:
        break;
    }
    return runInfoKeys(a.info, m_axes);
  }

  std::string what(const Ask& a) const {
    switch (a.kind) {
      case Ask::kPlc:
        return "PLC operand " + m_plc[a.index].key;
      case Ask::kDataPath:
        return "data path " + m_paths[a.index].second;
      case Ask::kErrors:
        return "NC error list";
      default:
        return "R_RI " + std::to_string(a.info) + " (" + runInfoName(a.info) + ")";
    }
  }

  void onRefusal(const Ask& a, const Telegram& t) {
    for (const auto& k : keysOf(a)) emit(k, model::Unavailable{}, model::Kind::kEvent);
    if (a.kind == Ask::kErrors) emitAlarmsUnavailable();
    auto e = decodeError(t);
    if (!e || !permanent(e->code)) {
      m_errorLog.log(*m_ctx.logger(), spdlog::level::warn, "{}: {}", what(a), describeError(t));
      return;
    }
    m_refused.insert(a.id());
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.refused;
    }
    m_ctx.logger()->info("the control answers {} to {}; no longer asked", describeError(t),
                         what(a));
    m_unsupported +=
        (m_unsupported.empty() ? "" : ", ") + what(a) + " (" + errorName(e->code) + ")";
    m_ctx.setState(ConnectionState::kConnected, stateDetail());
  }

  // R_RI 27, then 28 until T_ER 57 (the end of the list) or max_errors.
  void onError(const Ask& a, const Telegram& t) {
    if (t.is(code::kRunInfo)) {
      auto e = decodeNcError(t.payload);
      if (!e) {
        m_emitter.reject("NC error: {}", e.error().message());
      } else {
        m_roundErrors.push_back(std::move(*e));
      }
      if (++m_errorsRead < static_cast<std::size_t>(m_options.maxErrors)) return;  // ask 28
    } else if (t.isError()) {
      auto e = decodeError(t);
      if (!e || e->code != status::kNoNextError) {
        ++m_at;
        return onRefusal(a, t);
      }
    } else {
      m_emitter.reject("NC error list: answered {}", t.code);
    }
    ++m_at;
    publishAlarms();
  }

  void publishAlarms() {
    std::map<std::string, std::string> now;
    for (const auto& e : m_roundErrors) now[std::to_string(e.number)] = e.text;
    auto item = itemOf("alarms", model::Kind::kCondition);
    if (!item) return;
    auto push = [&](const std::string& code, const std::string& text, model::Level level) {
      auto cond = std::make_shared<model::Condition>();
      cond->level = level;
      cond->nativeCode = code;
      cond->text = text;
      m_batch.push_back(model::Observation{m_ctx.machine(), *item, m_ctx.clock().now(),
                                           model::Kind::kCondition, model::kFlagArrivalTime,
                                           std::shared_ptr<const model::Condition>(cond)});
    };
    for (const auto& [code, text] : now) {
      auto it = m_alarms.find(code);
      if (it == m_alarms.end() || it->second != text) push(code, text, model::Level::kFault);
    }
    for (const auto& [code, text] : m_alarms) {
      if (!now.count(code)) push(code, "", model::Level::kNormal);
    }
    if (now.empty() && (!m_alarms.empty() || !m_alarmsSeen)) push("", "", model::Level::kNormal);
    m_alarmsSeen = true;
    m_alarms = std::move(now);
    if (!m_batch.empty()) m_emitter.append(m_batch, 0);
  }

  void emitAlarmsUnavailable() {
    if (!m_alarmsSeen) return;
    emit("alarms", model::Unavailable{}, model::Kind::kCondition);
    m_alarms.clear();
    m_alarmsSeen = false;
  }

  std::optional<model::ItemId> itemOf(const std::string& key, model::Kind kind) {
    auto it = m_items.find(key);
    if (it != m_items.end()) return it->second;
    auto id = m_ctx.catalog().intern(m_ctx.machine(), key, kind);
    if (!id) {
      m_emitter.reject("{}: {}", key, id.error().message());
      return std::nullopt;
    }
    m_items.emplace(key, *id);
    m_known.emplace_back(*id, kind);
    return *id;
  }

  void emit(const std::string& key, model::Value value, model::Kind kind) {
    auto item = itemOf(key, kind);
    if (!item) return;
    auto last = m_last.find(*item);
    if (last != m_last.end() && last->second == value) return;  // report changes only
    m_last[*item] = value;
    m_batch.push_back(model::Observation{m_ctx.machine(), *item, m_ctx.clock().now(), kind,
                                         model::kFlagArrivalTime, std::move(value)});
    m_emitter.append(m_batch, 0);
  }

  std::string stateDetail() const {
    std::string d = m_peer + " (" + controlTypeName(m_identity.type) + " " +
                    m_identity.versions.control + ", NC software " +
                    m_identity.versions.ncSoftware + "; login " + joined(m_identity.logins) +
                    "; buffer " + std::to_string(m_identity.buffer) + ")";
    if (m_options.dnc && !m_identity.has("DNC")) {
      d += "; DNC login refused: identification only";
    }
    if (!m_unsupported.empty()) d += "; not supported by the control: " + m_unsupported;
    return d;
  }

  CollectorContext& m_ctx;
  Lsv2Options m_options;
  std::vector<PlcRead> m_plc;
  std::vector<std::pair<std::string, std::string>> m_paths;
  Lsv2Session::Strand m_strand;
  Emitter m_emitter;
  std::shared_ptr<Lsv2Session> m_session;
  asio::steady_timer m_fastTimer;
  asio::steady_timer m_slowTimer;
  Identity m_identity;
  Capabilities m_caps;
  std::vector<Ask> m_round;  ///< the round in progress; empty: none
  std::size_t m_at = 0;
  std::size_t m_errorsRead = 0;
  std::vector<NcError> m_roundErrors;
  bool m_slowWanted = false;
  std::vector<std::string> m_axes;
  std::set<std::string> m_refused;
  std::string m_unsupported;
  std::string m_peer;
  std::map<std::string, model::ItemId> m_items;
  std::vector<std::pair<model::ItemId, model::Kind>> m_known;
  std::map<model::ItemId, model::Value> m_last;
  std::map<std::string, std::string> m_alarms;
  bool m_alarmsSeen = false;
  model::Batch m_batch;
  std::atomic<bool> m_stopped{false};
  bool m_ready = false;
  bool m_paused = false;
  bool m_wasUnreachable = false;
  bool m_saidNoDnc = false;
  mutable std::mutex m_statsMutex;
  Lsv2Stats m_stats;
  LogLimiter m_errorLog;
};

Lsv2Collector::Lsv2Collector(Lsv2Options options) : m_options(std::move(options)) {}

Lsv2Collector::~Lsv2Collector() { stop(); }

Status Lsv2Collector::start(CollectorContext& context) {
  if (m_connection) return Error(ErrorCode::kInternal, "lsv2 collector started twice");
  auto plc = plcReads(context.script().get());
  if (!plc) return std::move(plc).error().with("machine '" + context.machineName() + "'");
  auto connection = std::make_shared<Connection>(context, m_options, std::move(*plc));
  connection->start();
  m_connection = std::move(connection);
  return okStatus();
}

void Lsv2Collector::stop() {
  if (m_connection) {
    m_connection->stop();
    m_connection.reset();
  }
}

Lsv2Stats Lsv2Collector::stats() const {
  return m_connection ? m_connection->stats() : Lsv2Stats{};
}

}  // namespace spindle::collectors::lsv2
