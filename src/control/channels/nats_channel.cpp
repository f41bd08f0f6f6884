#include "control/channels/nats_channel.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "base/log.hpp"
#include "base/thread_name.hpp"

namespace spindle::control {
namespace {

using uplinks::nats::NatsConnection;

/// A request/reply subscription that follows the connection's rebuilds: after each one it
/// subscribes again on the new connection (NatsConnection::onRebuild). cnats may call
/// onMessage while a subscription is being destroyed, so the callback reaches the handler
/// through `Shared`, which the connection keeps alive (NatsConnection::retain) for as long as
/// callbacks can come.
class Service final : public ChannelHandle {
 public:
  struct Shared {
    std::mutex mutex;
    std::condition_variable idle;
    RequestHandler handler;  ///< empty once stopped
    int active = 0;
    std::mutex running;  ///< one handler at a time, across the subscriptions of a rebuild
    std::shared_ptr<spdlog::logger> log;
    std::string subject;
    natsSubscription* sub = nullptr;  ///< on the connection of `generation`; null while none
    std::uint64_t generation = 0;
    bool stopped = false;
  };

  Service(NatsConnection& connection, std::shared_ptr<Shared> shared)
      : m_connection(connection), m_shared(std::move(shared)) {
    m_listener = m_connection.onRebuild(
        [&connection, shared = m_shared](std::uint64_t) { subscribe(connection, shared); });
    subscribe(m_connection, m_shared);
  }

  ~Service() override {
    m_connection.removeRebuildListener(m_listener);
    natsSubscription* sub = nullptr;
    {
      std::lock_guard lock(m_shared->mutex);
      m_shared->stopped = true;
      sub = std::exchange(m_shared->sub, nullptr);
    }
    if (sub != nullptr) natsSubscription_Unsubscribe(sub);
    {
      std::unique_lock lock(m_shared->mutex);
      m_shared->handler = nullptr;
      m_shared->idle.wait(lock, [this] { return m_shared->active == 0; });
    }
    if (sub != nullptr) natsSubscription_Destroy(sub);
  }

  /// Subscribes on the current connection unless the subscription already lives on it; the
  /// one on the old connection (closed) is released.
  static void subscribe(NatsConnection& connection, const std::shared_ptr<Shared>& shared) {
    natsSubscription* old = nullptr;
    {
      std::lock_guard lock(shared->mutex);
      const std::uint64_t generation = connection.generation();
      if (shared->stopped || (shared->sub != nullptr && shared->generation >= generation)) return;
      const NatsConnection::Ref conn = connection.current();
      if (conn == nullptr) return;
      natsSubscription* sub = nullptr;
      const natsStatus s = natsConnection_Subscribe(&sub, conn.get(), shared->subject.c_str(),
                                                    &Service::onMessage, shared.get());
      if (s == NATS_OK) {
        // Bounded: a flood of requests is dropped (the requesters time out), never queued.
        natsSubscription_SetPendingLimits(sub, 64, 4 * 1024 * 1024);
      } else {
        // A connection the library closed already: the next rebuild subscribes again.
        shared->log->debug("subscribing {}: {}; again on the next connection", shared->subject,
                           natsStatus_GetText(s));
        sub = nullptr;
      }
      old = std::exchange(shared->sub, sub);
      shared->generation = generation;
    }
    if (old != nullptr) natsSubscription_Destroy(old);
  }

  static void onMessage(natsConnection* nc, natsSubscription*, natsMsg* msg, void* closure) {
    auto* shared = static_cast<Shared*>(closure);
    RequestHandler handler;
    {
      std::lock_guard lock(shared->mutex);
      handler = shared->handler;
      if (handler) ++shared->active;
    }
    if (handler) {
      const std::string subject = natsMsg_GetSubject(msg);
      const std::string name = subject.substr(subject.rfind('.') + 1);
      const char* reply = natsMsg_GetReply(msg);
      std::string answer;
      {
        std::lock_guard running(shared->running);
        answer =
            handler(name, std::string_view(natsMsg_GetData(msg),
                                           static_cast<std::size_t>(natsMsg_GetDataLength(msg))));
      }
      if (reply != nullptr && *reply != '\0') {
        const natsStatus s =
            natsConnection_Publish(nc, reply, answer.data(), static_cast<int>(answer.size()));
        if (s != NATS_OK) shared->log->warn("replying on {}: {}", subject, natsStatus_GetText(s));
      }
      std::lock_guard lock(shared->mutex);
      if (--shared->active == 0) shared->idle.notify_all();
    }
    natsMsg_Destroy(msg);
  }

 private:
  NatsConnection& m_connection;
  std::shared_ptr<Shared> m_shared;
  std::uint64_t m_listener = 0;
};

/// A KV watch on its own thread.
class KeyWatch final : public ChannelHandle {
 public:
  KeyWatch(NatsConnection& connection, std::string jsDomain, std::string bucket, std::string key,
           WatchHandlers handlers, Duration retry, std::shared_ptr<spdlog::logger> log)
      : m_connection(connection),
        m_jsDomain(std::move(jsDomain)),
        m_bucket(std::move(bucket)),
        m_key(std::move(key)),
        m_handlers(std::move(handlers)),
        m_retry(retry),
        m_log(std::move(log)) {
    m_thread = std::thread([this] {
      nameThisThread("control");
      run();
    });
  }

  ~KeyWatch() override {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
      if (m_watcher != nullptr) kvWatcher_Stop(m_watcher);
    }
    m_wake.notify_all();
    m_thread.join();
  }

 private:
  bool stopping() {
    std::lock_guard lock(m_mutex);
    return m_stopping;
  }

  /// Waits `d` or until stopped; false when stopped.
  bool pause(Duration d) {
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, d, [this] { return m_stopping; });
    return !m_stopping;
  }

  // Each round takes the current connection and makes its JetStream context on it, and lets
  // both go when the round ends: after a rebuild the next round is on the new connection.
  void run() {
    jsOptions opts;
    jsOptions_Init(&opts);
    if (!m_jsDomain.empty()) opts.Domain = m_jsDomain.c_str();
    while (!stopping()) {
      const std::uint64_t generation = m_connection.generation();
      NatsConnection::Ref conn = m_connection.current();
      if (!m_connection.connected() || conn == nullptr) {
        conn.reset();
        if (!pause(std::chrono::milliseconds(200))) break;
        continue;
      }
      jsCtx* js = nullptr;
      if (const natsStatus s = natsConnection_JetStream(&js, conn.get(), &opts); s != NATS_OK) {
        problem(std::string("cannot create a JetStream context (") + natsStatus_GetText(s) + ")");
      } else {
        watchOnce(js, generation);
        jsCtx_Destroy(js);
      }
      conn.reset();
      if (!pause(m_retry)) break;
    }
  }

  void problem(const std::string& text) {
    if (text != m_lastProblem) m_log->warn("{}; retrying every {}", text, formatDuration(m_retry));
    m_lastProblem = text;
  }

  void watchOnce(jsCtx* js, std::uint64_t generation) {
    kvStore* kv = nullptr;
    natsStatus s = js_KeyValue(&kv, js, m_bucket.c_str());
    if (s != NATS_OK) {
      problem("bucket '" + m_bucket + "' not reachable (" + natsStatus_GetText(s) + ")");
      return;
    }
    kvWatchOptions wo;
    kvWatchOptions_Init(&wo);
    kvWatcher* w = nullptr;
    s = kvStore_Watch(&w, kv, m_key.c_str(), &wo);
    if (s != NATS_OK) {
      kvStore_Destroy(kv);
      problem("watching key '" + m_key + "' of bucket '" + m_bucket + "' failed (" +
              natsStatus_GetText(s) + ")");
      return;
    }
    const std::uint64_t reconnects = m_connection.status().reconnects;
    {
      std::lock_guard lock(m_mutex);
      m_watcher = w;
      if (m_stopping) kvWatcher_Stop(w);
    }
    if (!m_lastProblem.empty()) m_log->info("watching bucket '{}' again", m_bucket);
    m_lastProblem.clear();
    while (true) {
      kvEntry* e = nullptr;
      s = kvWatcher_Next(&e, w, 500);
      if (s == NATS_TIMEOUT) {
        // After a reconnect the watch starts over: the server may have dropped its consumer.
        // After a rebuild it moves to the new connection.
        if (m_connection.status().reconnects != reconnects) break;
        if (m_connection.generation() != generation) break;
        continue;
      }
      if (s != NATS_OK) break;     // stopped, or the watch broke: run() retries
      if (e == nullptr) continue;  // the initial value (if any) has been delivered
      if (kvEntry_Operation(e) == kvOp_Put) {
        const std::string value(static_cast<const char*>(kvEntry_Value(e)),
                                static_cast<std::size_t>(kvEntry_ValueLen(e)));
        if (m_handlers.value) m_handlers.value(value, kvEntry_Revision(e));
      } else if (m_handlers.deleted) {
        m_handlers.deleted();
      }
      kvEntry_Destroy(e);
    }
    {
      std::lock_guard lock(m_mutex);
      m_watcher = nullptr;
    }
    kvWatcher_Destroy(w);
    kvStore_Destroy(kv);
  }

  NatsConnection& m_connection;
  const std::string m_jsDomain;
  const std::string m_bucket;
  const std::string m_key;
  const WatchHandlers m_handlers;
  const Duration m_retry;
  std::shared_ptr<spdlog::logger> m_log;
  std::string m_lastProblem;  ///< watch thread only

  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stopping = false;
  kvWatcher* m_watcher = nullptr;  ///< the active watcher, so the destructor can end its wait
  std::thread m_thread;
};

}  // namespace

NatsChannel::NatsChannel(NatsConnection& connection, std::string edgeId, std::string jsDomain)
    : m_connection(connection),
      m_edge(std::move(edgeId)),
      m_jsDomain(std::move(jsDomain)),
      m_log(makeLogger("control.nats")) {}

std::string NatsChannel::subject(const std::string& topic) const {
  return "spindle." + m_edge + "." + topic;
}

Status NatsChannel::publish(const std::string& topic, std::string_view body) {
  const NatsConnection::Ref conn = m_connection.current();
  if (conn == nullptr) return Error(ErrorCode::kUnavailable, "NATS connection not started");
  const std::string subj = subject(topic);
  const natsStatus s =
      natsConnection_Publish(conn.get(), subj.c_str(), body.data(), static_cast<int>(body.size()));
  if (s != NATS_OK) return uplinks::nats::natsError(s, "publishing on " + subj);
  return okStatus();
}

// The subscription is made now if the connection takes it, else on the next connection
// (NatsConnection rebuilds one the library closed): control/ starts while the hub refuses us.
Result<std::unique_ptr<ChannelHandle>> NatsChannel::serve(const std::string& prefix,
                                                          RequestHandler handler) {
  if (m_connection.current() == nullptr) {
    return Error(ErrorCode::kInternal, "the NATS connection is not started");
  }
  auto shared = std::make_shared<Service::Shared>();
  shared->handler = std::move(handler);
  shared->log = m_log;
  shared->subject = subject(prefix) + ".*";
  m_connection.retain(shared);
  m_log->info("answering requests on {}", shared->subject);
  return std::unique_ptr<ChannelHandle>(std::make_unique<Service>(m_connection, std::move(shared)));
}

Result<std::unique_ptr<ChannelHandle>> NatsChannel::watch(const std::string& bucket,
                                                          const std::string& key,
                                                          WatchHandlers handlers, Duration retry) {
  if (m_connection.current() == nullptr) {
    return Error(ErrorCode::kInternal, "the NATS connection is not started");
  }
  return std::unique_ptr<ChannelHandle>(std::make_unique<KeyWatch>(
      m_connection, m_jsDomain, bucket, key, std::move(handlers), retry, m_log));
}

}  // namespace spindle::control
