#include "collectors/mitsubishi/mitsubishi_collector.hpp"

#include <bit>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log_limiter.hpp"
#include "collectors/emitter.hpp"
#include "collectors/input_limit_options.hpp"

namespace spindle::collectors::mitsubishi {

namespace asio = boost::asio;

namespace {

/// One question of a batch: a mochaGetData read, or the alarms or program block of a system.
struct Ask {
  enum Kind { kData, kAlarms, kBlock } kind = kData;
  Read read;
  std::uint32_t system = 1;
};

struct Job {
  enum Type { kDiscover, kNames, kFast, kSlow } type;
  std::vector<Ask> asks;
};

using AddressId = std::tuple<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>;
AddressId idOf(const DataAddress& a) { return {a.section, a.subSection, a.system, a.axisFlag}; }

std::string describe(const Ask& a) {
  if (a.kind == Ask::kAlarms) return std::string(operation::kAlarms);
  if (a.kind == Ask::kBlock) return std::string(operation::kProgramBlock);
  const auto& d = a.read.address;
  return std::string(operation::kGetData) + " " + std::to_string(d.section) + "/" +
         std::to_string(d.subSection) + " (system " + std::to_string(d.system) + ", axis flag " +
         std::to_string(d.axisFlag) + ", " + dataTypeName(d.type) + ")";
}

Ask dataAsk(std::string key, const DataAddress& a) {
  return Ask{Ask::kData, Read{std::move(key), model::Kind::kEvent, a}, a.system};
}

}  // namespace

class MitsubishiCollector::Connection final : public SessionHandler,
                                              public std::enable_shared_from_this<Connection> {
 public:
  Connection(CollectorContext& ctx, const MitsubishiOptions& options, std::vector<Read> reads)
      : m_ctx(ctx),
        m_options(options),
        m_reads(std::move(reads)),
        m_strand(asio::make_strand(ctx.io())),
        m_emitter(ctx, m_strand, inputLimits(options)),
        m_fastTimer(m_strand),
        m_slowTimer(m_strand) {}

  void start() {
    m_session =
        std::make_shared<MitsubishiSession>(m_strand, sessionOptions(m_options, m_ctx.resolver()),
                                            std::weak_ptr<SessionHandler>(shared_from_this()));
    m_emitter.start(weak_from_this(), [this] {
      m_paused = false;
      dispatch();
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
      self->m_queue.clear();
    });
    m_ctx.setState(ConnectionState::kStopped);
  }

  MitsubishiStats stats() const {
    std::lock_guard lock(m_statsMutex);
    return m_stats;
  }

  void onConnected(const std::string& peer) override {
    m_ctx.logger()->info("connected to Mitsubishi NC {} (EZSocket over GIOP)", peer);
    m_peer = peer;
    m_wasUnreachable = false;
    m_ready = false;
    m_last.clear();
    m_refused.clear();  // learnt again per connection: the NC may have been replaced
    m_unsupported.clear();
    m_undecodedSeen.clear();
    m_version.clear();
    m_emitter.connected();
    m_emitter.flush();
    std::vector<Ask> asks{dataAsk("part_systems", discover::kSystems),
                          dataAsk("machine_type", discover::kMachineType),
                          dataAsk("spindles", discover::kSpindles),
                          dataAsk("nc_version", discover::kNcVersion)};
    for (auto s : m_options.partSystemNumbers) {
      asks.push_back(dataAsk(systemPrefix(s) + "axis_count", discover::axisCount(s)));
    }
    m_queue.clear();
    m_queue.push_back(Job{Job::kDiscover, std::move(asks)});
    dispatch();
  }

  void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) override {
    m_queue.clear();
    m_ready = false;
    if (wasConnected) {
      m_ctx.logger()->warn(
          "lost the Mitsubishi NC: {}; its items are UNAVAILABLE; reconnecting in {}", reason,
          formatDuration(retryIn));
      m_emitter.disconnected(m_known);
      m_emitter.flush();
      m_last.clear();
      m_alarms.clear();
      m_alarmsSeen.clear();
    } else if (!m_wasUnreachable) {
      m_ctx.logger()->warn("{}; retrying in {} (backoff up to {})", reason, formatDuration(retryIn),
                           formatDuration(m_options.reconnectMax));
      m_wasUnreachable = true;
    }
    m_ctx.setState(ConnectionState::kBackoff, reason);
  }

 private:
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
    const auto type = slow ? Job::kSlow : Job::kFast;
    for (const auto& j : m_queue) {
      if (j.type == type) {
        std::lock_guard lock(m_statsMutex);
        ++m_stats.overruns;
        return;
      }
    }
    std::vector<Ask> asks;
    auto add = [&](const Read& r) {
      if (!m_refused.count(idOf(r.address))) asks.push_back(Ask{Ask::kData, r, r.address.system});
    };
    for (auto s : m_options.partSystemNumbers) {
      const auto& axes = m_axes[s];
      for (const Read& r : slow ? slowReads(s, axes) : fastReads(s, axes)) add(r);
      if (slow) {
        asks.push_back(Ask{Ask::kBlock, {systemPrefix(s) + "block_text"}, s});
      } else {
        asks.push_back(Ask{Ask::kAlarms, {systemPrefix(s) + "alarms"}, s});
      }
    }
    if (slow) {
      for (const Read& r : controlReads()) add(r);
      for (const Read& r : m_reads) add(r);
    }
    m_queue.push_back(Job{type, std::move(asks)});
    dispatch();
  }

  Request requestOf(const Ask& a) const {
    switch (a.kind) {
      case Ask::kAlarms:
        return alarmRequest(0, a.system, static_cast<std::uint32_t>(m_options.maxAlarms));
      case Ask::kBlock:
        return programBlockRequest(0, a.system, 1);
      default:
        return getDataRequest(0, a.read.address);
    }
  }

  void dispatch() {
    if (m_stopped || m_paused || m_queue.empty() || !m_session->connected() || m_session->busy()) {
      return;
    }
    auto job = std::make_shared<Job>(std::move(m_queue.front()));
    m_queue.pop_front();
    std::vector<Request> requests;
    requests.reserve(job->asks.size());
    for (const Ask& a : job->asks) requests.push_back(requestOf(a));
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.batches;
    }
    m_session->transact(std::move(requests),
                        [weak = weak_from_this(), job](Result<std::vector<Reply>> result) {
                          auto self = weak.lock();
                          if (!self || self->m_stopped || !result) return;  // lost: said there
                          self->onReplies(*job, *result);
                        });
  }

  void onReplies(const Job& job, const std::vector<Reply>& replies) {
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.answers;
    }
    for (std::size_t i = 0; i < replies.size() && i < job.asks.size(); ++i) {
      onAnswer(job.asks[i], replies[i]);
    }
    if (job.type == Job::kDiscover) return askAxisNames();
    if (job.type == Job::kNames) {
      m_ready = true;
      m_ctx.setState(ConnectionState::kConnected, stateDetail());
      asio::post(m_strand, [self = shared_from_this()] { self->poll(false); });
      asio::post(m_strand, [self = shared_from_this()] { self->poll(true); });
    }
    if (!m_emitter.flush()) {
      m_paused = true;
      return;
    }
    dispatch();
  }

  void askAxisNames() {
    std::vector<Ask> asks;
    for (auto s : m_options.partSystemNumbers) {
      const auto count = std::min<std::int64_t>(m_axisCount[s], kMaxAxes);
      m_axes[s] = count > 0 ? std::vector<std::string>(static_cast<std::size_t>(count))
                            : defaultAxes(m_options.system);
      for (std::int64_t a = 1; a <= count; ++a) {
        asks.push_back(dataAsk("", discover::axisName(s, static_cast<std::uint32_t>(a))));
      }
    }
    m_queue.push_front(Job{Job::kNames, std::move(asks)});
    if (!m_emitter.flush()) {
      m_paused = true;
      return;
    }
    dispatch();
  }

  void onAnswer(const Ask& a, const Reply& r) {
    if (r.status == reply_status::kUserException || r.status == reply_status::kSystemException) {
      return onException(a, r);
    }
    if (r.status != reply_status::kNoException) {
      return undecoded(a, r, "reply status " + std::to_string(r.status));
    }
    if (a.kind == Ask::kAlarms) return onAlarms(a, r);
    if (a.kind == Ask::kBlock) {
      auto rows = decodeProgramBlock(r);
      if (!rows) return undecoded(a, r, rows.error().message());
      emit(a.read.key, rows->empty() ? std::string() : rows->front().text, model::Kind::kEvent);
      return;
    }
    auto data = decodeDataReply(r);
    if (!data) return undecoded(a, r, data.error().message());
    auto value = decodeValue(data->type, data->data, r.littleEndian);
    if (!value) return undecoded(a, r, value.error().message());
    const auto& addr = a.read.address;
    if (addr.section == 127) {  // an axis name
      const auto axis = static_cast<std::size_t>(std::countr_zero(addr.axisFlag));
      auto& names = m_axes[addr.system];
      const auto* text = std::get_if<std::string>(&*value);
      if (axis < names.size() && text != nullptr && !text->empty()) names[axis] = *text;
      if (axis < names.size() && names[axis].empty()) names[axis] = "A" + std::to_string(axis + 1);
      return;
    }
    if (addr == discover::axisCount(addr.system)) {
      if (const auto* n = std::get_if<std::int64_t>(&*value)) m_axisCount[addr.system] = *n;
    }
    if (addr == discover::kNcVersion) {
      if (const auto* s = std::get_if<std::string>(&*value)) m_version = *s;
    }
    if (addr == discover::kMachineType) checkMachineType(*value);
    if (a.read.key.empty()) return;
    emit(a.read.key, toModel(*value), a.read.kind);
  }

  void checkMachineType(const Value& v) {
    const auto* n = std::get_if<std::int64_t>(&v);
    if (n == nullptr || (*n != 0 && *n != 1)) return;
    if ((*n == 1) != isLathe(m_options.system)) {
      m_ctx.logger()->warn("the NC reports a {} but system_type is {}",
                           *n == 1 ? "lathe" : "machining centre",
                           systemTypeName(m_options.system));
    }
  }

  void onException(const Ask& a, const Reply& r) {
    if (a.kind != Ask::kAlarms) emit(a.read.key, model::Unavailable{}, model::Kind::kEvent);
    auto e = decodeException(r);
    if (!e) return undecoded(a, r, "exception: " + e.error().message());
    if (a.kind != Ask::kData || !isPermanent(e->code)) {
      m_errorLog.log(*m_ctx.logger(), spdlog::level::warn, "{}: {}{}", describe(a),
                     errorName(e->code), e->id.empty() ? "" : " " + e->id);
      return;
    }
    m_refused.insert(idOf(a.read.address));
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.refused;
    }
    m_ctx.logger()->info("the NC answers {} for {}; no longer asked", errorName(e->code),
                         describe(a));
    const auto& d = a.read.address;
    m_unsupported += (m_unsupported.empty() ? "" : ", ") + std::to_string(d.section) + "/" +
                     std::to_string(d.subSection);
    if (m_ready) m_ctx.setState(ConnectionState::kConnected, stateDetail());
  }

  // Said once per connection and address: enough for a user to report it, never a flood.
  void undecoded(const Ask& a, const Reply& r, const std::string& why) {
    if (a.kind != Ask::kAlarms) emit(a.read.key, model::Unavailable{}, model::Kind::kEvent);
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.undecoded;
    }
    if (!m_undecodedSeen.insert(describe(a)).second) return;
    m_emitter.reject(
        "cannot decode the reply to {}: {}; {} bytes after the reply header: {} (please report "
        "it: docs/collectors/mitsubishi.md)",
        describe(a), why, r.result.size(), hexOf(r.result, 96));
  }

  void onAlarms(const Ask& a, const Reply& r) {
    auto list = decodeAlarms(r);
    if (!list) return undecoded(a, r, list.error().message());
    auto item = itemOf(a.read.key, model::Kind::kCondition);
    if (!item) return;
    auto& active = m_alarms[a.system];
    std::map<std::string, std::string> now;
    for (const auto& rec : *list) {
      if (!rec.empty()) now[std::to_string(rec.number)] = rec.text;
    }
    const auto t = m_ctx.clock().now();
    auto push = [&](const std::string& code, const std::string& text, model::Level level) {
      auto cond = std::make_shared<model::Condition>();
      cond->level = level;
      cond->nativeCode = code;
      cond->text = text;
      m_batch.push_back(model::Observation{m_ctx.machine(), *item, t, model::Kind::kCondition,
                                           model::kFlagArrivalTime,
                                           std::shared_ptr<const model::Condition>(cond)});
    };
    for (const auto& [code, text] : now) {
      auto it = active.find(code);
      if (it == active.end() || it->second != text) push(code, text, model::Level::kFault);
    }
    for (const auto& [code, text] : active) {
      if (!now.count(code)) push(code, "", model::Level::kNormal);
    }
    if (now.empty() && (!active.empty() || !m_alarmsSeen.count(a.system))) {
      push("", "", model::Level::kNormal);
    }
    m_alarmsSeen.insert(a.system);
    active = std::move(now);
    if (!m_batch.empty()) m_emitter.append(m_batch, 0);
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
    if (key.empty()) return;
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
    std::string d = m_peer + " (" + std::string(systemTypeName(m_options.system));
    if (!m_version.empty()) d += ", " + m_version;
    d += ")";
    if (!m_unsupported.empty()) d += "; addresses the NC refuses: " + m_unsupported;
    return d;
  }

  CollectorContext& m_ctx;
  MitsubishiOptions m_options;
  std::vector<Read> m_reads;
  MitsubishiSession::Strand m_strand;
  Emitter m_emitter;
  std::shared_ptr<MitsubishiSession> m_session;
  asio::steady_timer m_fastTimer;
  asio::steady_timer m_slowTimer;
  std::deque<Job> m_queue;
  std::map<std::uint32_t, std::int64_t> m_axisCount;
  std::map<std::uint32_t, std::vector<std::string>> m_axes;
  std::string m_version;
  std::string m_peer;
  std::set<AddressId> m_refused;
  std::string m_unsupported;
  std::set<std::string> m_undecodedSeen;
  std::map<std::string, model::ItemId> m_items;
  std::vector<std::pair<model::ItemId, model::Kind>> m_known;
  std::map<model::ItemId, model::Value> m_last;
  std::map<std::uint32_t, std::map<std::string, std::string>> m_alarms;
  std::set<std::uint32_t> m_alarmsSeen;
  model::Batch m_batch;
  std::atomic<bool> m_stopped{false};
  bool m_ready = false;
  bool m_paused = false;
  bool m_wasUnreachable = false;
  mutable std::mutex m_statsMutex;
  MitsubishiStats m_stats;
  LogLimiter m_errorLog;
};

MitsubishiCollector::MitsubishiCollector(MitsubishiOptions options)
    : m_options(std::move(options)) {}

MitsubishiCollector::~MitsubishiCollector() { stop(); }

Status MitsubishiCollector::start(CollectorContext& context) {
  if (m_connection) return Error(ErrorCode::kInternal, "mitsubishi collector started twice");
  if (m_options.partSystemNumbers.empty()) {
    return Error(ErrorCode::kInvalidArgument, "mitsubishi collector without part systems");
  }
  auto reads = scriptReads(context.script().get(), m_options);
  if (!reads) return std::move(reads).error().with("machine '" + context.machineName() + "'");
  auto connection = std::make_shared<Connection>(context, m_options, std::move(*reads));
  connection->start();
  m_connection = std::move(connection);
  return okStatus();
}

void MitsubishiCollector::stop() {
  if (m_connection) {
    m_connection->stop();
    m_connection.reset();
  }
}

MitsubishiStats MitsubishiCollector::stats() const {
  return m_connection ? m_connection->stats() : MitsubishiStats{};
}

}  // namespace spindle::collectors::mitsubishi
