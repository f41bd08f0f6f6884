#include "sim/client_connection.hpp"

#include <utility>

#include <boost/asio/write.hpp>

namespace spindle::sim {

using boost::asio::ip::tcp;

namespace {

/// The ordinary ways an agent goes away; logged as such rather than as errors.
bool closedByPeer(const boost::system::error_code& error) {
  return error == boost::asio::error::eof || error == boost::asio::error::connection_reset ||
         error == boost::asio::error::broken_pipe;
}

}  // namespace

ClientConnection::ClientConnection(tcp::socket socket, std::shared_ptr<spdlog::logger> log,
                                   std::size_t maxQueueBytes)
    : m_socket(std::move(socket)),
      m_log(std::move(log)),
      m_maxQueueBytes(maxQueueBytes),
      m_lastInput(std::chrono::steady_clock::now()) {
  boost::system::error_code error;
  const auto endpoint = m_socket.remote_endpoint(error);
  m_peer =
      error ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  m_socket.set_option(tcp::no_delay(true), error);  // small lines, latency matters more
}

void ClientConnection::start(Handlers handlers) {
  m_handlers = std::move(handlers);
  read();
}

void ClientConnection::send(std::shared_ptr<const std::string> data) {
  if (m_closed || !data || data->empty()) return;
  if (m_queuedBytes + data->size() > m_maxQueueBytes) {
    m_log->warn("client {} is not reading: {} bytes queued, limit {}; dropping it", m_peer,
                m_queuedBytes + data->size(), m_maxQueueBytes);
    close("output queue full");
    return;
  }
  m_queuedBytes += data->size();
  m_queue.push_back(std::move(data));
  if (!m_writing) write();
}

void ClientConnection::close(std::string_view reason) {
  if (m_closed) return;
  m_closed = true;
  boost::system::error_code ignored;
  m_socket.shutdown(tcp::socket::shutdown_both, ignored);
  m_socket.close(ignored);
  m_queue.clear();
  m_queuedBytes = 0;
  m_log->info("client {} disconnected ({})", m_peer, reason);
  auto onClose = std::move(m_handlers.onClose);
  m_handlers = {};
  if (onClose) onClose();
}

void ClientConnection::read() {
  m_socket.async_read_some(
      boost::asio::buffer(m_readBuffer),
      [self = shared_from_this()](const boost::system::error_code& error, std::size_t bytes) {
        self->onRead(error, bytes);
      });
}

void ClientConnection::onRead(const boost::system::error_code& error, std::size_t bytes) {
  if (m_closed) return;
  if (error) {
    close(closedByPeer(error) ? "closed by peer" : error.message());
    return;
  }
  m_lastInput = std::chrono::steady_clock::now();
  m_inbox.append(m_readBuffer.data(), bytes);

  std::size_t begin = 0;
  for (auto end = m_inbox.find('\n'); end != std::string::npos; end = m_inbox.find('\n', begin)) {
    std::string_view line(m_inbox.data() + begin, end - begin);
    begin = end + 1;
    if (std::exchange(m_discarding, false)) continue;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (m_handlers.onLine) m_handlers.onLine(line);
    if (m_closed) return;
  }
  m_inbox.erase(0, begin);
  if (m_inbox.size() > kMaxLineBytes) {  // nobody sends lines this long; do not buffer them
    m_inbox.clear();
    m_discarding = true;
  }
  read();
}

void ClientConnection::write() {
  m_writing = true;
  boost::asio::async_write(
      m_socket, boost::asio::buffer(*m_queue.front()),
      [self = shared_from_this(), keep = m_queue.front()](const boost::system::error_code& error,
                                                          std::size_t) { self->onWrite(error); });
}

void ClientConnection::onWrite(const boost::system::error_code& error) {
  m_writing = false;
  if (m_closed) return;
  if (error) {
    close(closedByPeer(error) ? "closed by peer" : error.message());
    return;
  }
  m_queuedBytes -= m_queue.front()->size();
  m_queue.pop_front();
  if (!m_queue.empty()) write();
}

}  // namespace spindle::sim
