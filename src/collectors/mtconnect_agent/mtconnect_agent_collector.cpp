#include "collectors/mtconnect_agent/mtconnect_agent_collector.hpp"

#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log_limiter.hpp"
#include "collectors/backoff.hpp"
#include "collectors/guarded_input.hpp"
#include "collectors/input_limit_options.hpp"
#include "collectors/mtconnect_agent/mtconnect_session.hpp"
#include "collectors/mtconnect_agent/sequence_tracker.hpp"
#include "collectors/registry.hpp"

namespace spindle::collectors::mtconnect_agent {

namespace asio = boost::asio;

/// The item that reports the connection to the agent (MTConnect CONNECTION_STATUS values).
constexpr std::string_view kConnectionKey = "connection_status";
constexpr auto kEmitRetry = std::chrono::milliseconds(5);

namespace {

std::string pathSegment(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::int64_t millis(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace

class MtconnectAgentCollector::Connection final : public SessionHandler,
                                                  public std::enable_shared_from_this<Connection> {
 public:
  enum class Step { kProbe, kCurrent, kSample };

  Connection(CollectorContext& ctx, const MtconnectAgentOptions& options)
      : m_ctx(ctx),
        m_options(options),
        m_decoder(ctx.catalog(), ctx.machine(), decoderOptions(options)),
        m_strand(asio::make_strand(ctx.io())),
        m_retry(m_strand),
        m_emitRetry(m_strand),
        m_backoff(options.reconnectMin, options.reconnectMax),
        m_polling(options.mode == "poll"),
        m_connectionItem(ctx.catalog().intern(ctx.machine(), kConnectionKey)),
        m_guard(ctx, inputLimits(options)) {}

  void start() {
    m_session =
        std::make_shared<AgentSession>(m_strand, sessionOptions(m_options, m_ctx.resolver()),
                                       std::weak_ptr<SessionHandler>(shared_from_this()));
    m_ctx.setState(ConnectionState::kConnecting, endpoint());
    asio::post(m_strand, [self = shared_from_this()] { self->request(Step::kProbe); });
  }

  void stop() {
    {
      std::lock_guard lock(m_emitMutex);
      m_stopped = true;
    }
    if (m_session) m_session->stop();
    asio::post(m_strand, [self = shared_from_this()] {
      self->m_retry.cancel();
      self->m_emitRetry.cancel();
    });
    m_ctx.setState(ConnectionState::kStopped);
  }

  void onConnected(const std::string& peer) override {
    m_ctx.logger()->debug("connected to the MTConnect agent at {}", peer);
  }

  bool onDocument(unsigned status, std::string body, bool streamed) override {
    if (isStopped()) return false;
    const DocumentType type = detectDocument(body);
    if (type == DocumentType::kUnknown) {
      if (m_step == Step::kSample && status == 404) {
        // 2.x agents end a stream whose client fell behind their buffer with a 404.
        m_agentLog.log(*m_ctx.logger(), spdlog::level::warn,
                       "the agent dropped the stream (HTTP 404: client fell behind); "
                       "reading /current again");
        m_tracker.noteOutOfRange();
        request(Step::kCurrent);
        return true;
      }
      retryLater("the answer to " + m_lastTarget + " is not an MTConnect document (HTTP " +
                 std::to_string(status) + ")");
      return true;
    }
    m_reconnecting = false;
    if (m_step == Step::kProbe && type == DocumentType::kDevices) {
      onProbe(body);
      return true;
    }
    m_output.clear();
    if (auto s = m_decoder.decode(body, m_ctx.clock().now(), m_output); !s) {
      retryLater("the answer to " + m_lastTarget + " is malformed: " + s.error().message());
      return true;
    }
    for (const auto& r : m_output.rejections) logRejection(r);
    if (m_output.type == DocumentType::kError) {
      onErrors(status);
      return true;
    }
    if (m_output.type != DocumentType::kStreams || m_step == Step::kProbe) {
      retryLater(std::string("unexpected ") + toString(m_output.type) + " answering " +
                 m_lastTarget);
      return true;
    }
    if (m_tracker.isNewInstance(m_output.header)) {
      m_agentLog.log(*m_ctx.logger(), spdlog::level::warn,
                     "the agent restarted (instanceId {} -> {}); reading its model again",
                     m_tracker.instanceId(), m_output.header.instanceId);
      m_tracker.reset();
      ++m_restarts;
      request(Step::kProbe);
      return true;
    }
    if (m_step == Step::kCurrent) {
      m_tracker.acceptCurrent(m_output.header);
      reportLost();
      markConnected();
      guard(m_output.observations);
      append(m_output.observations);
      const bool flushed = flush();
      if (flushed) {
        request(Step::kSample);
      } else {
        m_deferred = Step::kSample;
      }
      return flushed;
    }
    m_tracker.acceptSample(m_output.header, m_output);
    reportLost();
    guard(m_output.observations);
    append(m_output.observations);
    const bool flushed = flush();
    if (!streamed) {
      if (!m_polling) {
        m_polling = true;
        m_ctx.logger()->info("the agent answers /sample without streaming; polling every {}",
                             formatDuration(m_options.pollInterval));
      }
      const bool behind = m_output.header.nextSequence <= m_output.header.lastSequence;
      if (!flushed) {
        m_deferred = Step::kSample;
      } else if (behind) {
        request(Step::kSample);
      } else {
        schedule(Step::kSample, m_options.pollInterval);
      }
    } else if (!flushed) {
      m_resumeStream = true;
    }
    return flushed;
  }

  void onStreamEnd() override {
    if (isStopped()) return;
    m_agentLog.log(*m_ctx.logger(), spdlog::level::info,
                   "the agent ended the stream; asking again from sequence {}", m_tracker.next());
    request(Step::kSample);
  }

  void onFailure(const std::string& reason) override {
    if (isStopped()) return;
    if (m_connected && !m_reconnecting) {
      // A stream that drops is usually an agent that closed it: try again at once, from the
      // next sequence, before declaring the agent lost.
      m_reconnecting = true;
      m_agentLog.log(*m_ctx.logger(), spdlog::level::info, "{}; reconnecting",
                     printable(reason, 512));
      request(m_tracker.known() ? Step::kSample : (m_haveModel ? Step::kCurrent : Step::kProbe));
      return;
    }
    m_reconnecting = false;
    if (m_connected) {
      m_connected = false;
      m_agentLog.log(*m_ctx.logger(), spdlog::level::warn,
                     "lost the MTConnect agent: {}; its items are UNAVAILABLE",
                     printable(reason, 512));
      markUnavailable();
      pushStatus("CLOSED");
      flush();
    }
    retryLater(reason);
  }

 private:
  std::string endpoint() const {
    return "http://" + m_options.host + ":" + std::to_string(m_options.port.value) +
           m_options.basePath;
  }

  bool isStopped() {
    std::lock_guard lock(m_emitMutex);
    return m_stopped;
  }

  std::string target(Step step) const {
    const std::string device = m_device.empty() ? "" : "/" + pathSegment(m_device);
    std::string t = m_options.basePath;
    std::string query;
    auto param = [&](const std::string& kv) { query += (query.empty() ? "?" : "&") + kv; };
    switch (step) {
      case Step::kProbe:
        t += "/probe";
        break;
      case Step::kCurrent:
        t += device + "/current";
        break;
      case Step::kSample:
        t += device + "/sample";
        param("from=" + std::to_string(m_tracker.next()));
        param("count=" + std::to_string(m_options.count));
        if (!m_polling) {
          param("interval=" + std::to_string(millis(m_options.interval)));
          param("heartbeat=" + std::to_string(millis(m_options.heartbeat)));
        }
        break;
    }
    if (m_options.format == "json") param("format=json");
    return t + query;
  }

  void request(Step step) {
    if (step == Step::kSample && !m_tracker.known()) step = Step::kCurrent;
    if (step != Step::kProbe && !m_haveModel) step = Step::kProbe;
    m_step = step;
    m_deferred.reset();
    m_lastTarget = target(step);
    const bool streaming = step == Step::kSample && !m_polling;
    const Duration idle =
        streaming ? std::max(m_options.interval, m_options.heartbeat) * 2 + std::chrono::seconds(5)
                  : m_options.requestTimeout;
    m_session->get(m_lastTarget, idle);
  }

  void schedule(Step step, Duration delay) {
    m_retry.expires_after(delay);
    m_retry.async_wait([self = shared_from_this(), step](const boost::system::error_code& ec) {
      if (ec || self->isStopped()) return;
      self->request(step);
    });
  }

  void retryLater(const std::string& reason) {
    const Duration delay = m_backoff.next();
    if (!m_warnedUnreachable) {
      m_agentLog.log(*m_ctx.logger(), spdlog::level::warn, "{}; retrying in {} (backoff up to {})",
                     printable(reason, 512), formatDuration(delay),
                     formatDuration(m_options.reconnectMax));
      m_warnedUnreachable = true;
    } else {
      m_ctx.logger()->debug("{}; retrying in {}", printable(reason, 512), formatDuration(delay));
    }
    m_ctx.setState(ConnectionState::kBackoff, reason);
    // Resume where we were: a known position continues /sample from it (no gap, no duplicate).
    schedule(m_tracker.known() ? Step::kSample : (m_haveModel ? Step::kCurrent : Step::kProbe),
             delay);
  }

  void onProbe(const std::string& body) {
    auto doc = parseDevices(body);
    if (!doc) {
      retryLater("the probe document is malformed: " + doc.error().message());
      return;
    }
    std::string why;
    const DeviceInfo* device = selectDevice(*doc, m_options.device, why);
    if (device == nullptr) {
      retryLater(why);
      return;
    }
    m_decoder.setModel(*device);
    m_device = device->name;
    m_haveModel = true;
    m_agentLog.log(*m_ctx.logger(), spdlog::level::info,
                   "reading device {} (uuid {}) from agent {} (MTConnect {}): {} data items",
                   printable(device->name, 64), printable(device->uuid, 64),
                   printable(doc->header.version, 32), printable(doc->header.schemaVersion, 16),
                   device->items.size());
    request(Step::kCurrent);
  }

  void onErrors(unsigned status) {
    const auto& e = m_output.errors.front();
    if (e.code == "OUT_OF_RANGE" && m_step == Step::kSample) {
      m_agentLog.log(*m_ctx.logger(), spdlog::level::warn,
                     "the agent answered OUT_OF_RANGE ({}): its buffer moved past sequence "
                     "{}; reading /current again",
                     printable(e.text), m_tracker.next());
      m_tracker.noteOutOfRange();
      request(Step::kCurrent);
      return;
    }
    if (e.code == "NO_DEVICE" || e.code == "INVALID_URI") m_haveModel = false;
    retryLater("the agent answered " + m_lastTarget + " with " + printable(e.code, 64) + " (HTTP " +
               std::to_string(status) + "): " + printable(e.text));
  }

  void reportLost() {
    const auto& stats = m_tracker.stats();
    if (stats.lost > m_reportedLost) {
      m_agentLog.log(*m_ctx.logger(), spdlog::level::warn,
                     "{} observations left the agent's buffer before they could be read "
                     "({} in total)",
                     stats.lost - m_reportedLost, stats.lost);
      m_reportedLost = stats.lost;
    }
  }

  void markConnected() {
    if (m_connected) return;
    m_connected = true;
    m_warnedUnreachable = false;
    m_backoff.reset();
    m_agentLog.log(*m_ctx.logger(), spdlog::level::info, "connected to the MTConnect agent at {}",
                   endpoint());
    m_ctx.setState(ConnectionState::kConnected, endpoint());
    pushStatus("ESTABLISHED");
  }

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
    for (const auto& [id, kind] : m_decoder.knownItems()) {
      m_pending.push_back(model::Observation{m_ctx.machine(), id, now, kind,
                                             model::kFlagArrivalTime, model::Unavailable{}});
    }
  }

  void append(model::Batch& batch) {
    if (m_pending.empty()) {
      m_pending.swap(batch);
    } else {
      std::move(batch.begin(), batch.end(), std::back_inserter(m_pending));
      batch.clear();
    }
  }

  void logRejection(const Rejection& r) {
    m_rejectLog.log(*m_ctx.logger(), spdlog::level::warn, "skipped an observation: {} ({})",
                    printable(r.reason), printable(r.excerpt, 128));
  }

  void guard(model::Batch& batch) { m_guard.filter(batch, m_decoder.stats().itemsRefused); }

  /// Offers the pending batch; when the pipeline is full, retries shortly and, once it took
  /// the batch, resumes the stream or sends the request that waited.
  bool flush() {
    {
      std::lock_guard lock(m_emitMutex);
      if (m_stopped) return false;
      if (m_pending.empty() || m_ctx.tryEmit(m_pending)) return true;
    }
    m_emitRetry.expires_after(kEmitRetry);
    m_emitRetry.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || !self->flush()) return;
      if (self->m_resumeStream) {
        self->m_resumeStream = false;
        self->m_session->resumeReading();
      }
      if (self->m_deferred) {
        const Step step = *self->m_deferred;
        if (self->m_polling && step == Step::kSample && self->m_step == Step::kSample) {
          self->schedule(step, self->m_options.pollInterval);
        } else {
          self->request(step);
        }
      }
    });
    return false;
  }

  CollectorContext& m_ctx;
  MtconnectAgentOptions m_options;
  StreamsDecoder m_decoder;
  AgentSession::Strand m_strand;
  asio::steady_timer m_retry;
  asio::steady_timer m_emitRetry;
  Backoff m_backoff;
  std::shared_ptr<AgentSession> m_session;
  SequenceTracker m_tracker;
  StreamsOutput m_output;
  model::Batch m_pending;
  std::mutex m_emitMutex;
  bool m_stopped = false;
  bool m_polling;
  bool m_connected = false;
  bool m_haveModel = false;
  bool m_warnedUnreachable = false;
  bool m_resumeStream = false;
  bool m_reconnecting = false;  ///< one immediate retry after a drop, before UNAVAILABLE
  std::optional<Step> m_deferred;
  Step m_step = Step::kProbe;
  std::string m_device;
  std::string m_lastTarget;
  Result<model::ItemId> m_connectionItem;  ///< refused only when the catalog is full
  std::uint64_t m_reportedLost = 0;
  std::uint64_t m_restarts = 0;  ///< agent restarts seen
  GuardedInput m_guard;
  // One limiter per kind of line the agent can trigger, so one flood cannot hide another.
  LogLimiter m_rejectLog;
  LogLimiter m_agentLog;  ///< restarts, reconnects, errors: an agent can repeat them at will
};

MtconnectAgentCollector::MtconnectAgentCollector(MtconnectAgentOptions options)
    : m_options(std::move(options)) {}

MtconnectAgentCollector::~MtconnectAgentCollector() { stop(); }

Status MtconnectAgentCollector::start(CollectorContext& context) {
  if (m_connection) return Error(ErrorCode::kInternal, "mtconnect_agent collector started twice");
  m_connection = std::make_shared<Connection>(context, m_options);
  m_connection->start();
  return okStatus();
}

void MtconnectAgentCollector::stop() {
  if (m_connection) {
    m_connection->stop();
    m_connection.reset();
  }
}

void registerCollector(Registry& registry) {
  CollectorInfo info;
  info.name = "mtconnect_agent";
  info.description = "MTConnect agent client (HTTP: probe, current, sample stream or polling)";
  info.defaultPort = kAgentPort;
  info.options = optionTable().describe();
  info.create = [](const YAML::Node& block, const std::string& machineId,
                   config::Diagnostics& diags) -> std::unique_ptr<Collector> {
    MtconnectAgentOptions options;
    const size_t before = diags.size();
    optionTable().load(block, options, diags, "machine '" + machineId + "' (mtconnect_agent)",
                       kCommonMachineKeys);
    if (diags.size() == before) validate(options, block, diags);
    if (diags.size() != before) return nullptr;
    return std::make_unique<MtconnectAgentCollector>(std::move(options));
  };
  registry.add(std::move(info));
}

}  // namespace spindle::collectors::mtconnect_agent
