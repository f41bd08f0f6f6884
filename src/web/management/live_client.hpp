#pragma once
/// LiveClient: one browser's live-update stream (server-sent events). What waits to be sent is
/// bounded in bytes: a browser that does not read falls behind, and past the bound it is
/// dropped (its stream ends; EventSource reconnects by itself), so no browser can make the edge
/// hold more memory.

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "base/time.hpp"
#include "web/http_server.hpp"

namespace spindle::web::management {

/// Thread: every member may be called from any thread.
class LiveClient : public std::enable_shared_from_this<LiveClient> {
 public:
  /// `machine`: whose values the client follows ("" none). `maxQueued`: bytes that may wait.
  LiveClient(std::shared_ptr<Responder> out, std::string machine, std::size_t maxQueued);

  /// Sends the stream's head (text/event-stream) and the reconnection delay.
  void start();
  /// Queues one event (`event: name`, `data: json`). False when the client is gone, or is
  /// dropped now because the event would pass the bound.
  bool push(const std::string& name, const std::string& data);
  /// Ends the stream. Idempotent.
  void close();

  bool open() const { return !m_closed.load(); }
  bool dropped() const { return m_dropped.load(); }
  const std::string& machine() const { return m_machine; }
  /// The newest value time (Unix seconds) sent to this client; values events send newer ones.
  std::atomic<double> valuesSent{0};

 private:
  /// Sends the next queued event, or marks the client idle. Called without m_mutex.
  void writeNext();

  std::shared_ptr<Responder> m_out;
  std::string m_machine;
  std::size_t m_maxQueued;
  std::mutex m_mutex;
  std::deque<std::string> m_queue;
  std::size_t m_queuedBytes = 0;
  bool m_writing = false;
  std::atomic<bool> m_closed{false};
  std::atomic<bool> m_dropped{false};
};

}  // namespace spindle::web::management
