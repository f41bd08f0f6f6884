#pragma once
/// One streaming /sample (or /current?interval=) client: a multipart/mixed response whose
/// parts are documents, sent at most every `interval`, with an empty document after
/// `heartbeat` without data. Private to agent_service.cpp.

#include <boost/asio/steady_timer.hpp>

#include "web/mtconnect/agent_service.hpp"
#include "web/mtconnect/pretty.hpp"

namespace spindle::web::mtconnect {

class AgentService::Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(std::shared_ptr<AgentService> service, std::shared_ptr<Responder> responder, Style f,
         Scope scope, bool current)
      : m_service(std::move(service)),
        m_responder(std::move(responder)),
        m_style(f),
        m_scope(std::move(scope)),
        m_current(current),
        m_timer(m_responder->executor()),
        m_boundary(stableUuid(std::to_string(m_service->instanceId()) + ":" +
                              std::to_string(reinterpret_cast<std::uintptr_t>(this)))) {}

  void start(std::uint64_t from, std::size_t count, std::int64_t intervalMs,
             std::int64_t heartbeatMs) {
    m_position = from;
    m_count = count;
    m_interval =
        std::max<Duration>(std::chrono::milliseconds(intervalMs), m_service->m_options.minInterval);
    m_heartbeat = std::chrono::milliseconds(heartbeatMs);
    m_responder->startStream("multipart/mixed;boundary=" + m_boundary);
    boost::asio::post(m_responder->executor(), [self = shared_from_this()] { self->tick(); });
  }

 private:
  void tick() {
    if (m_service->m_stopped) {
      m_responder->endStream();
      return;
    }
    auto& index = m_service->index();
    index.refresh();
    if (m_service->snapshot() != m_scope.snapshot) {
      // New machines or items since the stream began: they belong to it too.
      std::string why;
      Scope fresh;
      if (m_service->makeScope(m_scope.device, m_scope.path, fresh, why).empty())
        m_scope = std::move(fresh);
    }
    const auto now = std::chrono::steady_clock::now();
    if (m_current) {
      bool ok = false;
      send(m_service->currentDocument(m_style, m_scope, std::nullopt, ok), false);
      return;
    }
    if (m_position < index.firstSequence()) {
      // The client fell behind the buffer: say so and end the stream; it resumes with
      // /current (the same as agents >= 2.0 do).
      std::string body;
      HeaderInfo h;
      h.version = m_style.version;
      h.sender = m_service->m_model.sender();
      h.instanceId = m_service->instanceId();
      h.bufferSize = index.bufferSize();
      h.creationTime = wallClockNs();
      printError(body, m_style.format, h, "OUT_OF_RANGE",
                 "Client fell too far behind, disconnecting");
      send(std::move(body), true);
      return;
    }
    std::size_t observations = 0;
    std::uint64_t next = m_position;
    std::string doc;
    SampleRange range;
    range.from = m_position;
    range.count = static_cast<std::int64_t>(m_count);
    if (index.nextSequence() > m_position) {
      doc = m_service->sampleDocument(m_style, m_scope, range, next, observations);
      m_position = next;
      range.from = m_position;
    }
    if (observations > 0 || m_first || now - m_lastSent >= m_heartbeat) {
      if (observations == 0) {
        doc = m_service->sampleDocument(m_style, m_scope, range, next, observations);
      }
      m_first = false;
      send(std::move(doc), false);
      return;
    }
    schedule();
  }

  void send(std::string doc, bool last) {
    if (m_style.pretty) {
      doc = m_style.format == Format::kJson ? indentJson(doc) : indentXml(doc);
    }
    m_lastSent = std::chrono::steady_clock::now();
    std::string part;
    part.reserve(doc.size() + 128);
    part += "--" + m_boundary + "\r\nContent-Type: ";
    part += m_style.format == Format::kJson ? "application/json" : "text/xml";
    part += "\r\nContent-Length: " + std::to_string(doc.size()) + "\r\n\r\n";
    part += doc;
    part += "\r\n";
    m_responder->sendChunk(std::move(part), [self = shared_from_this(), last](bool ok) {
      if (!ok) return;  // the client is gone
      if (last) {
        self->m_responder->endStream();
        return;
      }
      self->schedule();
    });
  }

  void schedule() {
    m_timer.expires_after(m_interval);
    m_timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->tick();
    });
  }

  std::shared_ptr<AgentService> m_service;
  std::shared_ptr<Responder> m_responder;
  Style m_style;
  Scope m_scope;
  bool m_current;
  boost::asio::steady_timer m_timer;
  std::string m_boundary;
  std::uint64_t m_position = 0;
  std::size_t m_count = 100;
  Duration m_interval{0};
  Duration m_heartbeat{0};
  bool m_first = true;
  std::chrono::steady_clock::time_point m_lastSent{};
};

}  // namespace spindle::web::mtconnect
