#include "collectors/mtconnect_agent/mtconnect_session.hpp"

#include <limits>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace spindle::collectors::mtconnect_agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

AgentSession::AgentSession(Strand strand, SessionOptions options,
                           std::weak_ptr<SessionHandler> handler)
    : m_strand(strand),
      m_options(std::move(options)),
      m_handler(std::move(handler)),
      m_stream(strand) {}

void AgentSession::get(std::string target, Duration idleTimeout) {
  // dispatch, not post: called from a handler (on the strand), the request takes effect at
  // once, so the rest of an abandoned stream's buffered parts is never delivered.
  asio::dispatch(m_strand, [self = shared_from_this(), target = std::move(target), idleTimeout] {
    if (self->m_stopped) return;
    self->m_target = target;
    self->m_idle = idleTimeout;
    if (self->m_inFlight) {
      // A new request abandons the one under way (a stream being left): drop its connection.
      ++self->m_generation;
      self->closeSocket();
      self->m_inFlight = false;
    }
    if (self->m_connected) {
      self->send();
    } else {
      self->connect();
    }
  });
}

void AgentSession::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    self->m_stopped = true;
    ++self->m_generation;
    self->closeSocket();
  });
}

void AgentSession::closeSocket() {
  error_code ignored;
  m_stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  m_stream.close();
  m_connected = false;
  m_buffer.clear();
}

void AgentSession::connect() {
  const std::uint64_t gen = ++m_generation;
  m_options.resolve(
      m_options.host, m_options.port, m_strand,
      [self = shared_from_this(), gen](Result<Endpoints> endpoints) {
        if (self->m_stopped || gen != self->m_generation) return;
        if (!endpoints) {
          self->fail("cannot resolve '" + self->m_options.host +
                     "': " + endpoints.error().message());
          return;
        }
        const Endpoints results = std::move(*endpoints);
        self->m_stream.expires_after(self->m_options.connectTimeout);
        self->m_stream.async_connect(
            results, [self, gen](const error_code& cec, const asio::ip::tcp::endpoint& ep) {
              if (self->m_stopped || gen != self->m_generation) return;
              if (cec) {
                const std::string what =
                    cec == beast::error::timeout
                        ? "timed out after " + formatDuration(self->m_options.connectTimeout)
                        : cec.message();
                self->fail("cannot connect to " + self->m_options.host + ":" +
                           std::to_string(self->m_options.port) + ": " + what);
                return;
              }
              self->m_connected = true;
              error_code ignored;
              self->m_stream.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
              if (auto h = self->m_handler.lock()) {
                h->onConnected(ep.address().to_string() + ":" + std::to_string(ep.port()));
              }
              self->send();
            });
      });
}

void AgentSession::send() {
  const std::uint64_t gen = m_generation;
  auto req = std::make_shared<http::request<http::empty_body>>(http::verb::get, m_target, 11);
  req->set(http::field::host, m_options.host + ":" + std::to_string(m_options.port));
  req->set(http::field::user_agent, "spindle-mtconnect-agent-collector");
  req->set(http::field::accept, m_options.accept);
  if (!m_options.authorization.empty()) {
    req->set(http::field::authorization, m_options.authorization);
  }
  req->keep_alive(true);
  m_inFlight = true;
  m_stream.expires_after(m_idle);
  http::async_write(m_stream, *req,
                    [self = shared_from_this(), req, gen](const error_code& ec, size_t) {
                      if (self->m_stopped || gen != self->m_generation) return;
                      if (ec) {
                        self->fail("sending " + self->m_target + " failed: " + ec.message());
                        return;
                      }
                      self->readHeader();
                    });
}

void AgentSession::readHeader() {
  const std::uint64_t gen = m_generation;
  m_parser.emplace();
  // Streams never end; parts are limited by the splitter. (Not boost::none: Beast 1.74
  // compares a disengaged limit as smaller than any length.)
  m_parser->body_limit(std::numeric_limits<std::uint64_t>::max());
  m_splitter.reset();
  m_body.clear();
  m_paused = false;
  m_stream.expires_after(m_idle);
  http::async_read_header(
      m_stream, m_buffer, *m_parser,
      [self = shared_from_this(), gen](const error_code& ec, size_t) {
        if (self->m_stopped || gen != self->m_generation) return;
        if (ec) {
          self->fail(ec == beast::error::timeout
                         ? "no answer to " + self->m_target + " within " +
                               formatDuration(self->m_idle)
                         : "reading the answer to " + self->m_target + " failed: " + ec.message());
          return;
        }
        auto& res = self->m_parser->get();
        self->m_status = res.result_int();
        const auto type = res[http::field::content_type];
        if (auto boundary = multipartBoundary(std::string_view(type.data(), type.size()))) {
          self->m_splitter.emplace(*boundary, self->m_options.maxDocument);
        }
        self->readBody();
      });
}

void AgentSession::readBody() {
  if (m_parser->is_done()) {
    finishResponse();
    return;
  }
  if (m_paused) return;
  const std::uint64_t gen = m_generation;
  m_parser->get().body().data = m_chunk.data();
  m_parser->get().body().size = m_chunk.size();
  m_stream.expires_after(m_idle);
  http::async_read_some(m_stream, m_buffer, *m_parser,
                        [self = shared_from_this(), gen](error_code ec, size_t) {
                          if (self->m_stopped || gen != self->m_generation) return;
                          if (ec == http::error::need_buffer) ec = {};
                          if (ec) {
                            std::string reason;
                            if (ec == beast::error::timeout) {
                              reason = "no data from the agent for " + formatDuration(self->m_idle);
                            } else if (ec == http::error::end_of_stream || ec == asio::error::eof) {
                              reason = "the agent closed the connection";
                            } else {
                              reason = "reading from the agent failed: " + ec.message();
                            }
                            self->fail(reason);
                            return;
                          }
                          self->onBody(self->m_chunk.size() - self->m_parser->get().body().size);
                        });
}

void AgentSession::onBody(std::size_t bytes) {
  const std::uint64_t gen = m_generation;
  if (m_splitter) {
    std::vector<std::string> parts;
    if (auto s = m_splitter->feed(std::string_view(m_chunk.data(), bytes), parts); !s) {
      fail(s.error().message());
      return;
    }
    for (auto& part : parts) {
      auto h = m_handler.lock();
      if (!h) return;
      if (!h->onDocument(m_status, std::move(part), true)) m_paused = true;
      if (m_stopped || gen != m_generation) return;
    }
  } else {
    if (m_body.size() + bytes > m_options.maxDocument) {
      fail("the answer to " + m_target + " exceeds " + std::to_string(m_options.maxDocument) +
           " bytes (max_document)");
      return;
    }
    m_body.append(m_chunk.data(), bytes);
  }
  readBody();
}

void AgentSession::resumeReading() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (!self->m_paused || self->m_stopped || !self->m_parser) return;
    self->m_paused = false;
    self->readBody();
  });
}

void AgentSession::finishResponse() {
  m_inFlight = false;
  const bool keepAlive = m_parser->keep_alive();
  const bool streamed = m_splitter.has_value();
  const std::uint64_t gen = m_generation;
  if (!keepAlive) closeSocket();
  auto h = m_handler.lock();
  if (!h) return;
  if (streamed) {
    h->onStreamEnd();
  } else {
    h->onDocument(m_status, std::move(m_body), false);
  }
  (void)gen;
}

void AgentSession::fail(const std::string& reason) {
  ++m_generation;
  m_inFlight = false;
  closeSocket();
  m_parser.reset();
  m_splitter.reset();
  if (auto h = m_handler.lock()) h->onFailure(reason);
}

}  // namespace spindle::collectors::mtconnect_agent
