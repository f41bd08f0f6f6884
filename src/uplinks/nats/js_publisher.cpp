#include "uplinks/nats/js_publisher.hpp"

#include <chrono>

namespace spindle::uplinks::nats {

struct JetStreamPublisher::Shared {
  std::function<void(const PublishCompletion&)> onComplete;
  std::mutex mutex;
  std::condition_variable idle;
  std::unordered_map<natsMsg*, std::pair<std::uint64_t, std::size_t>> pending;
  std::uint64_t bytes = 0;
  int active = 0;  ///< completions running now
  bool closed = false;
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
  if (m_js != nullptr) return okStatus();
  if (m_connection.handle() == nullptr) {
    return Error(ErrorCode::kInternal, "the NATS connection is not started");
  }
  jsOptions opts;
  jsOptions_Init(&opts);
  if (!m_domain.empty()) opts.Domain = m_domain.c_str();
  opts.PublishAsync.AckHandler = &JetStreamPublisher::onAck;
  opts.PublishAsync.AckHandlerClosure = m_shared.get();
  const natsStatus s = natsConnection_JetStream(&m_js, m_connection.handle(), &opts);
  if (s != NATS_OK) return natsError(s, "creating the JetStream context");
  std::lock_guard lock(m_shared->mutex);
  m_shared->closed = false;
  return okStatus();
}

void JetStreamPublisher::stop() {
  if (m_js == nullptr) return;
  {
    std::unique_lock lock(m_shared->mutex);
    m_shared->closed = true;
    m_shared->idle.wait(lock, [this] { return m_shared->active == 0; });
    m_shared->pending.clear();  // the context destroys the messages it still holds
    m_shared->bytes = 0;
  }
  jsCtx_Destroy(m_js);
  m_js = nullptr;
}

Status JetStreamPublisher::publish(const std::string& subject, const Headers& headers,
                                   std::string_view body, std::uint64_t token, natsStatus* raw) {
  if (m_js == nullptr) return Error(ErrorCode::kInternal, "publisher not started");
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
    m_shared->pending.emplace(key, std::make_pair(token, size));
    m_shared->bytes += size;
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = std::chrono::duration_cast<std::chrono::milliseconds>(m_ackTimeout).count();
  s = js_PublishMsgAsync(m_js, &msg, &po);
  if (raw != nullptr) *raw = s;
  if (s != NATS_OK) {
    {
      std::lock_guard lock(m_shared->mutex);
      if (m_shared->pending.erase(key) > 0) m_shared->bytes -= size;
    }
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

void JetStreamPublisher::onAck(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae,
                               void* closure) {
  auto* shared = static_cast<Shared*>(closure);
  PublishCompletion c;
  {
    std::lock_guard lock(shared->mutex);
    auto it = shared->closed ? shared->pending.end() : shared->pending.find(msg);
    if (it == shared->pending.end()) {
      natsMsg_Destroy(msg);
      return;
    }
    c.token = it->second.first;
    shared->bytes -= it->second.second;
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
  natsMsg_Destroy(msg);
  std::lock_guard lock(shared->mutex);
  if (--shared->active == 0) shared->idle.notify_all();
}

}  // namespace spindle::uplinks::nats
