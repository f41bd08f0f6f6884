#include "collectors/focas/focas_collector.hpp"

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log_limiter.hpp"
#include "collectors/emitter.hpp"
#include "collectors/focas/focas_fwlib_poller.hpp"
#include "collectors/focas/focas_reads.hpp"
#include "collectors/input_limit_options.hpp"
#include "collectors/write_book.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors::focas {

namespace asio = boost::asio;

class FocasCollector::Connection final : public SessionHandler,
                                         public std::enable_shared_from_this<Connection> {
 public:
  Connection(CollectorContext& ctx, const FocasOptions& options, std::vector<ScriptRead> reads,
             std::shared_ptr<fwlib::FwlibLibrary> library, std::vector<std::int16_t> tools)
      : m_ctx(ctx),
        m_options(options),
        m_reads(std::move(reads)),
        m_library(std::move(library)),
        m_tools(std::move(tools)),
        m_strand(asio::make_strand(ctx.io())),
        m_emitter(ctx, m_strand, inputLimits(options)),
        m_fastTimer(m_strand),
        m_slowTimer(m_strand) {}

  Status start() {
    m_session =
        std::make_shared<FocasSession>(m_strand, sessionOptions(m_options, m_ctx.resolver()),
                                       std::weak_ptr<SessionHandler>(shared_from_this()));
    m_emitter.start(weak_from_this(), [this] {
      m_paused = false;
      dispatch();
    });
    m_ctx.setState(ConnectionState::kConnecting,
                   m_options.host + ":" + std::to_string(m_options.port.value));
    m_session->start();
    if (m_library) startFwlib();
    asio::post(m_strand, [self = shared_from_this()] {
      self->schedule(self->m_fastTimer, self->m_options.pollInterval, false);
      self->schedule(self->m_slowTimer, self->m_options.slowInterval, true);
    });
    return okStatus();
  }

  void stop() {
    m_stopped = true;
    m_emitter.stop();
    if (m_session) m_session->stop();
    if (m_fwlib) m_fwlib->stop();
    asio::post(m_strand, [self = shared_from_this()] {
      self->m_fastTimer.cancel();
      self->m_slowTimer.cancel();
      self->dropQueue();
      self->m_book.fail("the collector stopped");
    });
    m_ctx.setState(ConnectionState::kStopped);
  }

  // A script's write of a macro variable: sent when the control is up (after the discovery
  // round), else kept until it is; written again after every reconnect (collectors/write_book).
  void write(const std::string& key, model::Value value, std::function<void(Status)> done) {
    asio::post(m_strand, [self = shared_from_this(), key, value = std::move(value),
                          done = std::move(done)]() mutable {
      if (self->m_stopped) {
        done(Error(ErrorCode::kUnavailable, "the collector stopped"));
        return;
      }
      if (!self->m_options.allowWrite) {
        done(Error(ErrorCode::kInvalidArgument, "writes to machine '" + self->m_ctx.machineName() +
                                                    "' are off; set allow_write: true"));
        return;
      }
      auto c = macroWriteFor(key, value, self->m_options.pathNumbers);
      if (!c) {
        done(std::move(c).error());
        return;
      }
      if (!self->m_ready || !self->m_session->connected()) {
        self->m_book.want(key, std::move(*c), std::move(done));
        return;
      }
      self->m_book.want(key, *c, nullptr);
      self->m_queue.push_back(Job{Job::kWrite, {std::move(*c)}, key, std::move(done)});
      self->dispatch();
    });
  }

  FocasStats stats() const {
    std::lock_guard lock(m_statsMutex);
    return m_stats;
  }

  void onConnected(const std::string& peer, std::uint16_t version) override {
    m_ctx.logger()->info("connected to FOCAS control {} (reply version {})", peer, version);
    m_peer = peer;
    m_wasUnreachable = false;
    m_ready = false;
    m_last.clear();
    // Learnt again per session: the control may have been replaced or given an option.
    m_refused.clear();
    m_unsupported.clear();
    m_emitter.connected();
    m_emitter.flush();
    // Learn the series (sysinfo: the parameter layout) and the axes of every path first.
    std::vector<Call> calls{call(cmd::kSysInfo, m_options.pathNumbers.front())};
    for (auto p : m_options.pathNumbers) calls.push_back(call(cmd::kAxisNames, p));
    // The axes' number formats (after the names: they are reported per axis).
    for (auto p : m_options.pathNumbers) calls.push_back(call(cmd::kFigure, p));
    // The spindles of path 1 (the library's default path): how many loads to report.
    if (m_fwlib) calls.push_back(call(cmd::kSpindleNames, m_options.pathNumbers.front()));
    m_queue.push_back(Job{Job::kDiscover, std::move(calls)});
    dispatch();
  }

  void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) override {
    dropQueue();
    m_ready = false;
    if (wasConnected) {
      m_ctx.logger()->warn(
          "lost the FOCAS control: {}; its items are UNAVAILABLE; reconnecting in {}", reason,
          formatDuration(retryIn));
      m_emitter.disconnected(m_known);
      m_emitter.flush();
      m_last.clear();
      m_alarms.clear();
      m_alarmsSeen.clear();  // the first answer after the return clears the UNAVAILABLE
    } else if (!m_wasUnreachable) {
      m_ctx.logger()->warn("{}; retrying in {} (backoff up to {})", reason, formatDuration(retryIn),
                           formatDuration(m_options.reconnectMax));
      m_wasUnreachable = true;
    }
    m_ctx.setState(ConnectionState::kBackoff, reason);
  }

 private:
  struct Job {
    enum Kind { kDiscover, kFast, kSlow, kWrite } kind;
    std::vector<Call> calls;
    std::string key;                   ///< a write's macro key
    std::function<void(Status)> done;  ///< a write's asker (empty: written again)
  };
  using CallId = std::tuple<std::uint16_t, std::uint16_t, std::uint16_t, std::int32_t>;

  static CallId idOf(const Call& c) { return {c.path, c.cls, c.command, c.args[0]}; }

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
    // The library's share keeps its own session: it is read whether or not the native one is up.
    if (slow && m_fwlib) m_fwlib->poll(m_spindles == 0 ? 1 : m_spindles);
    if (!m_ready || !m_session->connected()) return;
    const auto kind = slow ? Job::kSlow : Job::kFast;
    for (const auto& j : m_queue) {
      if (j.kind == kind) {
        std::lock_guard lock(m_statsMutex);
        ++m_stats.overruns;
        return;
      }
    }
    std::vector<Call> calls;
    for (auto p : m_options.pathNumbers) {
      for (Call& c : slow ? slowCalls(p, static_cast<int>(m_options.maxAlarms)) : fastCalls(p)) {
        if (!m_refused.count(idOf(c))) calls.push_back(std::move(c));
      }
    }
    if (slow) {
      // The control's clock (one per control; asked on the first path).
      for (std::int32_t what : {0, 1}) {
        Call c = call(cmd::kDateTime, m_options.pathNumbers.front(), what);
        if (!m_refused.count(idOf(c))) calls.push_back(std::move(c));
      }
      for (const auto& r : m_reads) {
        Call c = r.toCall(m_layout);
        if (!m_refused.count(idOf(c))) calls.push_back(std::move(c));
      }
    }
    // One frame holds at most kMaxCallsPerFrame calls; a larger group takes several.
    for (std::size_t at = 0; at < calls.size(); at += kMaxCallsPerFrame) {
      const auto end = std::min(calls.size(), at + kMaxCallsPerFrame);
      m_queue.push_back(
          Job{kind, std::vector<Call>(calls.begin() + static_cast<std::ptrdiff_t>(at),
                                      calls.begin() + static_cast<std::ptrdiff_t>(end))});
    }
    dispatch();
  }

  void dispatch() {
    if (m_stopped || m_paused || m_queue.empty() || !m_session->connected() || m_session->busy()) {
      return;
    }
    m_inflight = std::move(m_queue.front());
    m_queue.pop_front();
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.requests;
    }
    m_session->transact(
        m_inflight->calls, [weak = weak_from_this()](Result<std::vector<Reply>> result) mutable {
          auto self = weak.lock();
          if (!self || !self->m_inflight) return;
          Job job = std::move(*self->m_inflight);
          self->m_inflight.reset();
          if (self->m_stopped) {
            if (job.done) job.done(Error(ErrorCode::kUnavailable, "the collector stopped"));
            return;
          }
          if (!result) {  // lost: onDisconnected says so; a write waits for the control
            if (job.kind == Job::kWrite) self->m_book.resend(job.key, std::move(job.done));
            return;
          }
          self->onReplies(job, *result);
        });
  }

  // The queue (and the request in flight) will not be answered: writes wait in the book for
  // the control, the polls are asked again by their timers.
  void dropQueue() {
    if (m_inflight) m_queue.push_front(std::move(*m_inflight));
    m_inflight.reset();
    for (auto& job : m_queue) {
      if (job.kind == Job::kWrite) m_book.resend(job.key, std::move(job.done));
    }
    m_queue.clear();
  }

  void onWritten(Job& job, const Reply& r) {
    Status status = okStatus();
    if (r.error != ew::kOk) {
      m_book.refused(job.key);
      status =
          Error(ErrorCode::kProtocol, "writing " + job.key + " refused: " + errorName(r.error) +
                                          ": " + errorMeaning(r.error));
    }
    if (job.done) {
      job.done(std::move(status));
    } else if (!status) {  // written again after a reconnect: nobody else hears of it
      m_errorLog.log(*m_ctx.logger(), spdlog::level::warn, "{}", status.error().message());
    }
  }

  void onReplies(Job& job, const std::vector<Reply>& replies) {
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.answers;
    }
    if (job.kind == Job::kWrite) {
      onWritten(job, replies.front());
      return dispatch();
    }
    for (std::size_t i = 0; i < replies.size(); ++i) onAnswer(job.calls[i], replies[i]);
    if (job.kind == Job::kDiscover) {
      m_ready = true;
      m_ctx.setState(ConnectionState::kConnected, stateDetail());
      // What the script wants the control to hold, again: it may have restarted.
      for (auto& w : m_book.toSend()) {
        m_queue.push_back(Job{Job::kWrite, {std::move(w.request)}, w.key, std::move(w.done)});
      }
      asio::post(m_strand, [self = shared_from_this()] { self->poll(false); });
      asio::post(m_strand, [self = shared_from_this()] { self->poll(true); });
    }
    if (!m_emitter.flush()) {
      m_paused = true;
      return;
    }
    dispatch();
  }

  void onAnswer(const Call& c, const Reply& r) {
    if (r.error != ew::kOk) return onRefusal(c, r);
    if (c.command == cmd::kSysInfo) {
      if (auto s = decodeSysInfo(r.payload)) {
        // 16i-class controls carry 8 axis slots of 4 bytes in parameters; 30i-class 32 of 8.
        m_layout = s->maxAxis > 8 ? Layout::k30i : Layout::k16i;
        m_series = s->cncType + s->mtType + " series " + s->series + " version " + s->version;
      }
      return;
    }
    if (c.command == cmd::kAxisNames) {
      if (auto names = decodeNames(r.payload)) m_axes[c.path] = *names;
      return;
    }
    if (c.command == cmd::kSpindleNames) {
      if (auto names = decodeNames(r.payload)) m_spindles = names->size();
      return;
    }
    if (c.command == cmd::kAlarmMessages) return onAlarms(c, r);
    for (const auto& read : m_reads) {
      if (read.path == c.path && idOf(read.toCall(m_layout)) == idOf(c) &&
          read.toCall(m_layout).args == c.args) {
        auto v = scriptValue(read, r, m_layout);
        if (!v) {
          m_emitter.reject("{}: {}", read.key, v.error().message());
          emit(read.key, model::Unavailable{}, model::Kind::kEvent);
        } else {
          const bool number = std::holds_alternative<double>(*v);
          emit(read.key, std::move(*v), number ? model::Kind::kSample : model::Kind::kEvent);
        }
      }
    }
    auto values = readings(c, r, m_axes[c.path]);
    if (!values) {
      m_emitter.reject("{}: {}", commandName(c.cls, c.command), values.error().message());
      for (const auto& k : keysOf(c, m_axes[c.path]))
        emit(k, model::Unavailable{}, model::Kind::kEvent);
      return;
    }
    for (auto& v : *values) emit(v.key, std::move(v.value), v.kind);
  }

  void onRefusal(const Call& c, const Reply& r) {
    for (const auto& k : keysOf(c, m_axes[c.path]))
      emit(k, model::Unavailable{}, model::Kind::kEvent);
    for (const auto& read : m_reads) {
      if (read.path == c.path && read.toCall(m_layout).args == c.args &&
          idOf(read.toCall(m_layout)) == idOf(c)) {
        emit(read.key, model::Unavailable{}, model::Kind::kEvent);
      }
    }
    if (!isPermanent(r.error)) {
      m_errorLog.log(*m_ctx.logger(), spdlog::level::warn, "{} (path {}): {}: {}",
                     commandName(c.cls, c.command), c.path, errorName(r.error),
                     errorMeaning(r.error));
      return;
    }
    m_refused.insert(idOf(c));
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.refused;
    }
    const std::string what =
        commandName(c.cls, c.command) +
        (c.command == cmd::kPosition ? " type " + std::to_string(c.args[0]) : "");
    m_ctx.logger()->info("the control answers {} for {} (path {}): {}; no longer asked",
                         errorName(r.error), what, c.path, errorMeaning(r.error));
    m_unsupported += (m_unsupported.empty() ? "" : ", ") + what + " (" + errorName(r.error) + ")";
    if (m_ready) m_ctx.setState(ConnectionState::kConnected, stateDetail());
  }

  void onAlarms(const Call& c, const Reply& r) {
    auto list = decodeAlarmMessages(r.payload, c.args[3]);
    if (!list) {
      m_emitter.reject("alarm messages: {}", list.error().message());
      return;
    }
    const std::string key = pathPrefix(c.path) + "alarms";
    auto item = itemOf(key, model::Kind::kCondition);
    if (!item) return;
    auto& active = m_alarms[c.path];
    std::map<std::string, std::string> now;
    for (const auto& a : *list)
      now[std::to_string(a.type) + "-" + std::to_string(a.number)] = a.text;
    const auto t = m_ctx.clock().now();
    auto push = [&](const std::string& code, const std::string& text, model::Level level) {
      auto cond = std::make_shared<model::Condition>();
      cond->level = level;
      cond->nativeCode = code.substr(code.find('-') + 1);
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
    if (now.empty() && (active.size() > 0 || !m_alarmsSeen.count(c.path))) {
      push("-", "", model::Level::kNormal);  // all clear (also the first answer)
    }
    m_alarmsSeen.insert(c.path);
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
    std::string d = m_peer + (m_series.empty() ? "" : " (" + m_series + ")");
    if (!m_unsupported.empty()) d += "; not supported by the control: " + m_unsupported;
    if (m_fwlib && !m_fwlib->unsupported().empty()) {
      d += "; not answered through the FOCAS library: " + m_fwlib->unsupported();
    }
    if (m_fwlib && !m_fwlib->problem().empty()) d += "; " + m_fwlib->problem();
    return d;
  }

  void startFwlib() {
    FwlibPoller::Options o;
    o.session.host = m_options.host;
    o.session.port = m_options.port.value;
    o.session.connectTimeout = m_options.connectTimeout;
    o.session.callTimeout = m_options.readTimeout;
    o.session.stopGrace = std::min<Duration>(m_options.readTimeout, std::chrono::seconds(2));
    o.reconnectMin = m_options.reconnectMin;
    o.reconnectMax = m_options.reconnectMax;
    std::weak_ptr<Connection> weak = weak_from_this();
    FwlibPoller::Hooks hooks;
    hooks.emit = [weak](const std::string& key, model::Value value, model::Kind kind) {
      if (auto self = weak.lock(); self && !self->m_stopped)
        self->emit(key, std::move(value), kind);
    };
    hooks.flush = [weak] {
      auto self = weak.lock();
      if (self && !self->m_stopped && !self->m_emitter.flush()) self->m_paused = true;
    };
    hooks.detailChanged = [weak] {
      auto self = weak.lock();
      if (!self || self->m_stopped) return;
      if (self->m_ready) self->m_ctx.setState(ConnectionState::kConnected, self->stateDetail());
    };
    m_fwlib = std::make_shared<FwlibPoller>(m_strand, m_library, std::move(o), m_tools,
                                            m_ctx.logger(), std::move(hooks));
    m_fwlib->start();
  }

  CollectorContext& m_ctx;
  FocasOptions m_options;
  std::vector<ScriptRead> m_reads;
  std::shared_ptr<fwlib::FwlibLibrary> m_library;  ///< null without `fwlib:`
  std::vector<std::int16_t> m_tools;               ///< tool_offset_<n> keys of the script
  std::shared_ptr<FwlibPoller> m_fwlib;
  std::size_t m_spindles = 0;  ///< spindles of path 1 (0: not known)
  FocasSession::Strand m_strand;
  Emitter m_emitter;
  std::shared_ptr<FocasSession> m_session;
  asio::steady_timer m_fastTimer;
  asio::steady_timer m_slowTimer;
  std::deque<Job> m_queue;
  std::optional<Job> m_inflight;  ///< the job the session is answering
  WriteBook<Call> m_book;         ///< what the script wants the control to hold
  std::map<std::uint16_t, std::vector<std::string>> m_axes;
  Layout m_layout = Layout::k30i;
  std::string m_series;
  std::string m_peer;
  std::set<CallId> m_refused;
  std::string m_unsupported;
  std::map<std::string, model::ItemId> m_items;
  std::vector<std::pair<model::ItemId, model::Kind>> m_known;
  std::map<model::ItemId, model::Value> m_last;
  std::map<std::uint16_t, std::map<std::string, std::string>> m_alarms;
  std::set<std::uint16_t> m_alarmsSeen;
  model::Batch m_batch;
  std::atomic<bool> m_stopped{false};
  bool m_ready = false;
  bool m_paused = false;
  bool m_wasUnreachable = false;
  mutable std::mutex m_statsMutex;
  FocasStats m_stats;
  LogLimiter m_errorLog;
};

FocasCollector::FocasCollector(FocasOptions options) : m_options(std::move(options)) {}

FocasCollector::~FocasCollector() { stop(); }

Status FocasCollector::start(CollectorContext& context) {
  if (m_connection) return Error(ErrorCode::kInternal, "focas collector started twice");
  if (m_options.pathNumbers.empty()) {
    return Error(ErrorCode::kInvalidArgument, "focas collector without paths");
  }
  auto reads = scriptReads(context.script().get(), m_options);
  if (!reads) return std::move(reads).error().with("machine '" + context.machineName() + "'");
  auto tools = toolOffsetKeys(context.script().get());
  if (!tools) return std::move(tools).error().with("machine '" + context.machineName() + "'");
  std::shared_ptr<fwlib::FwlibLibrary> library;
  if (!m_options.fwlib.empty()) {
    // Loaded here, not by validate: dlopen and the library's startup have side effects.
    auto loaded = sharedFwlib(m_options.fwlib);
    if (!loaded) return std::move(loaded).error().with("machine '" + context.machineName() + "'");
    library = std::move(*loaded);
  }
  auto connection = std::make_shared<Connection>(context, m_options, std::move(*reads),
                                                 std::move(library), std::move(*tools));
  if (auto started = connection->start(); !started) return started;
  m_connection = std::move(connection);
  return okStatus();
}

void FocasCollector::stop() {
  if (m_connection) {
    m_connection->stop();
    m_connection.reset();
  }
}

void FocasCollector::write(const std::string& key, model::Value value,
                           std::function<void(Status)> done) {
  if (!m_connection) {
    done(Error(ErrorCode::kUnavailable, "the collector is not running"));
    return;
  }
  m_connection->write(key, std::move(value), std::move(done));
}

FocasStats FocasCollector::stats() const {
  return m_connection ? m_connection->stats() : FocasStats{};
}

}  // namespace spindle::collectors::focas
