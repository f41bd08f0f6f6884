#include "web/management/live_client.hpp"

namespace spindle::web::management {

LiveClient::LiveClient(std::shared_ptr<Responder> out, std::string machine, std::size_t maxQueued)
    : m_out(std::move(out)), m_machine(std::move(machine)), m_maxQueued(maxQueued) {}

void LiveClient::start() {
  m_out->startStream("text/event-stream; charset=utf-8");
  {
    std::lock_guard lock(m_mutex);
    m_queue.push_back("retry: 2000\n\n");  // EventSource waits 2 s before it reconnects
    m_queuedBytes += m_queue.back().size();
    m_writing = true;
  }
  writeNext();
}

bool LiveClient::push(const std::string& name, const std::string& data) {
  if (m_closed) return false;
  std::string event = "event: " + name + "\ndata: " + data + "\n\n";
  bool startWriting = false;
  {
    std::lock_guard lock(m_mutex);
    if (m_queuedBytes + event.size() > m_maxQueued) {
      m_dropped = true;
    } else {
      m_queuedBytes += event.size();
      m_queue.push_back(std::move(event));
      startWriting = !m_writing;
      m_writing = true;
    }
  }
  if (m_dropped) {
    close();
    return false;
  }
  if (startWriting) writeNext();
  return true;
}

// Never under m_mutex: sendChunk may call back at once (the stream already closed).
void LiveClient::writeNext() {
  std::string next;
  {
    std::lock_guard lock(m_mutex);
    if (m_queue.empty() || m_closed) {
      m_writing = false;
      return;
    }
    next = std::move(m_queue.front());
    m_queue.pop_front();
  }
  const std::size_t size = next.size();
  m_out->sendChunk(std::move(next), [self = shared_from_this(), size](bool ok) {
    if (!ok) {
      self->close();
      return;
    }
    {
      std::lock_guard lock(self->m_mutex);
      self->m_queuedBytes -= std::min(size, self->m_queuedBytes);
    }
    self->writeNext();
  });
}

void LiveClient::close() {
  if (m_closed.exchange(true)) return;
  {
    std::lock_guard lock(m_mutex);
    m_queue.clear();
    m_queuedBytes = 0;
  }
  m_out->endStream();
}

}  // namespace spindle::web::management
