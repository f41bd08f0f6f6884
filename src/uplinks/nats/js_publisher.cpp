#include "uplinks/nats/js_publisher.hpp"

#include <chrono>
#include <unordered_set>
#include <vector>

namespace spindle::uplinks::nats {

struct JetStreamPublisher::Shared {
  struct Entry {
    std::uint64_t token = 0;
    std::size_t size = 0;
    jsCtx* js = nullptr;           ///< the context it was published on
    std::uint64_t generation = 0;  ///< of that context's connection
    bool publishing = false;       ///< js_PublishMsgAsync has not returned yet
  };
  std::function<void(const PublishCompletion&)> onComplete;
  std::mutex mutex;  ///< pending, bytes, active, closed
  std::condition_variable idle;
  std::unordered_map<natsMsg*, Entry> pending;
  /// Messages completed (an ack timeout on a saturated machine) while js_PublishMsgAsync was
  /// still reading them: publish() destroys them once the call returns, never the handler.
  std::unordered_set<natsMsg*> finishedEarly;
  std::uint64_t earlyCompletions = 0;
  std::uint64_t bytes = 0;
  int active = 0;  ///< completions running now
  bool closed = true;

  /// The context and the connection it lives on, made on generation `generation`. Taken
  /// before `mutex` when both are.
  std::mutex jsMutex;
  jsCtx* js = nullptr;
  NatsConnection::Ref conn;
  std::uint64_t generation = 0;

  /// Releases the context; caller holds jsMutex.
  void dropContext() {
    if (js != nullptr) jsCtx_Destroy(js);  // destroys the messages it still holds
    js = nullptr;
    conn.reset();  // the old connection goes once every consumer has left it
  }
};

JetStreamPublisher::JetStreamPublisher(NatsConnection& connection, std::string jsDomain,
                                       Duration ackTimeout,
                                       std::function<void(const PublishCompletion&)> onComplete)
    : m_connection(connection),
      m_domain(std::move(jsDomain)),
      m_ackTimeout(ackTimeout),
      m_shared(std::make_shared<Shared>()) {
  m_shared->onComplete = std::move(onComplete);
  // Completions may still be dispatched while stop() runs; the connection outlives them.
  m_connection.retain(m_shared);
}

JetStreamPublisher::~JetStreamPublisher() { stop(); }

Status JetStreamPublisher::start() {
  std::lock_guard jsLock(m_shared->jsMutex);
  if (m_listener != 0) return okStatus();
  if (auto s = bind(); !s) return s;
  {
    std::lock_guard lock(m_shared->mutex);
    m_shared->closed = false;
  }
  m_listener = m_connection.onRebuild(
      [shared = m_shared](std::uint64_t generation) { rebound(shared, generation); });
  return okStatus();
}

Status JetStreamPublisher::bind() {
  // The generation first: a swap in between makes the next publish bind again, never less.
  const std::uint64_t generation = m_connection.generation();
  NatsConnection::Ref conn = m_connection.current();
  if (conn == nullptr) return Error(ErrorCode::kInternal, "the NATS connection is not started");
  jsOptions opts;
  jsOptions_Init(&opts);
  if (!m_domain.empty()) opts.Domain = m_domain.c_str();
  opts.PublishAsync.AckHandler = &JetStreamPublisher::onAck;
  opts.PublishAsync.AckHandlerClosure = m_shared.get();
  jsCtx* js = nullptr;
  const natsStatus s = natsConnection_JetStream(&js, conn.get(), &opts);
  if (s != NATS_OK) return natsError(s, "creating the JetStream context");
  m_shared->dropContext();
  m_shared->js = js;
  m_shared->conn = std::move(conn);
  m_shared->generation = generation;
  return okStatus();
}

void JetStreamPublisher::rebound(const std::shared_ptr<Shared>& shared, std::uint64_t generation) {
  std::vector<PublishCompletion> failed;
  {
    std::lock_guard jsLock(shared->jsMutex);
    if (shared->generation < generation) shared->dropContext();  // publish() makes a new one
    std::lock_guard lock(shared->mutex);
    if (shared->closed) return;
    for (auto it = shared->pending.begin(); it != shared->pending.end();) {
      if (it->second.generation >= generation) {
        ++it;
        continue;
      }
      PublishCompletion c;
      c.token = it->second.token;
      c.status = NATS_CONNECTION_CLOSED;
      c.error = "the connection was closed before the hub acknowledged";
      failed.push_back(std::move(c));
      shared->bytes -= it->second.size;
      it = shared->pending.erase(it);
    }
    if (failed.empty()) return;
    ++shared->active;
  }
  for (const auto& c : failed) shared->onComplete(c);
  std::lock_guard lock(shared->mutex);
  if (--shared->active == 0) shared->idle.notify_all();
}

void JetStreamPublisher::stop() {
  if (m_listener == 0) return;
  m_connection.removeRebuildListener(m_listener);
  m_listener = 0;
  std::lock_guard jsLock(m_shared->jsMutex);
  {
    std::unique_lock lock(m_shared->mutex);
    m_shared->closed = true;
    m_shared->idle.wait(lock, [this] { return m_shared->active == 0; });
    m_shared->pending.clear();  // the context destroys the messages it still holds
    m_shared->bytes = 0;
  }
  m_shared->dropContext();
}

Status JetStreamPublisher::publish(const std::string& subject, const Headers& headers,
                                   std::string_view body, std::uint64_t token, natsStatus* raw) {
  std::lock_guard jsLock(m_shared->jsMutex);
  if (m_listener == 0) return Error(ErrorCode::kInternal, "publisher not started");
  if (m_shared->js == nullptr || m_shared->generation != m_connection.generation()) {
    if (auto s = bind(); !s) return s;
  }
  natsMsg* msg = nullptr;
  natsStatus s =
      natsMsg_Create(&msg, subject.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
  if (s != NATS_OK) return natsError(s, "creating a message");
  std::size_t size = body.size() + subject.size();
  for (const auto& [name, value] : headers) {
    s = natsMsgHeader_Set(msg, name, value.c_str());
    if (s != NATS_OK) {
      natsMsg_Destroy(msg);
      return natsError(s, std::string("setting header ") + name);
    }
    size += std::char_traits<char>::length(name) + value.size() + 4;
  }
  natsMsg* const key = msg;
  {
    // Registered before publishing: the ack can arrive before js_PublishMsgAsync returns.
    std::lock_guard lock(m_shared->mutex);
    m_shared->pending[key] =
        Shared::Entry{token, size, m_shared->js, m_shared->generation, /*publishing=*/true};
    m_shared->bytes += size;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = std::chrono::duration_cast<std::chrono::milliseconds>(m_ackTimeout).count();
  s = js_PublishMsgAsync(m_shared->js, &msg, &po);
  if (raw != nullptr) *raw = s;
  bool completed = false;  // the handler ran (and reported) while the call was running
  {
    std::lock_guard lock(m_shared->mutex);
    completed = m_shared->finishedEarly.erase(key) > 0;
    auto it = m_shared->pending.find(key);
    if (it != m_shared->pending.end()) {
      if (s != NATS_OK) {
        m_shared->bytes -= it->second.size;
        m_shared->pending.erase(it);
      } else {
        it->second.publishing = false;
      }
    }
  }
  if (completed) {
    natsMsg_Destroy(key);  // its completion went out already: one completion, one destroy
    return okStatus();
  }
  if (s != NATS_OK) {
    natsMsg_Destroy(msg);
    return natsError(s, "publishing to " + subject);
  }
  return okStatus();
}

std::size_t JetStreamPublisher::inFlight() const {
  std::lock_guard lock(m_shared->mutex);
  return m_shared->pending.size();
}

std::uint64_t JetStreamPublisher::inFlightBytes() const {
  std::lock_guard lock(m_shared->mutex);
  return m_shared->bytes;
}

std::uint64_t JetStreamPublisher::earlyCompletions() const {
  std::lock_guard lock(m_shared->mutex);
  return m_shared->earlyCompletions;
}

void JetStreamPublisher::onAck(jsCtx* js, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                               void* closure) {
  auto* shared = static_cast<Shared*>(closure);
  PublishCompletion c;
  bool publishing = false;
  {
    std::lock_guard lock(shared->mutex);
    auto it = shared->closed ? shared->pending.end() : shared->pending.find(msg);
    if (it == shared->pending.end() || it->second.js != js) {
      natsMsg_Destroy(msg);  // already completed as a failure at a rebuild
      return;
    }
    c.token = it->second.token;
    publishing = it->second.publishing;
    shared->bytes -= it->second.size;
    shared->pending.erase(it);
    ++shared->active;
  }
  if (pa != nullptr) {
    c.ok = true;
    c.duplicate = pa->Duplicate;
  } else if (pae != nullptr) {
    c.status = pae->Err;
    c.jsErrorCode = static_cast<int>(pae->ErrCode);
    c.timedOut = pae->Err == NATS_TIMEOUT;
    c.error = natsStatus_GetText(pae->Err);
    if (pae->ErrText != nullptr && *pae->ErrText != '\0' && c.error != pae->ErrText) {
      c.error += std::string(": ") + pae->ErrText;
    }
  } else {
    c.error = "no acknowledgement";
  }
  shared->onComplete(c);
  std::lock_guard lock(shared->mutex);
  if (publishing) {
    shared->finishedEarly.insert(msg);  // publish() destroys it when the call returns
    ++shared->earlyCompletions;
  } else {
    natsMsg_Destroy(msg);
  }
  if (--shared->active == 0) shared->idle.notify_all();
}

}  // namespace spindle::uplinks::nats
