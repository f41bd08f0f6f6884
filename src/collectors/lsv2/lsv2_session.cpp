#include "collectors/lsv2/lsv2_session.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace spindle::collectors::lsv2 {

namespace asio = boost::asio;
using boost::system::error_code;

bool Identity::has(std::string_view login) const {
  return std::find(logins.begin(), logins.end(), login) != logins.end();
}

Lsv2Session::Lsv2Session(Strand strand, SessionOptions options,
                         std::weak_ptr<SessionHandler> handler)
    : m_strand(strand),
      m_options(std::move(options)),
      m_handler(std::move(handler)),
      m_socket(strand),
      m_requestTimer(strand),
      m_retryTimer(strand),
      m_backoff(m_options.reconnectMin, m_options.reconnectMax),
      m_reader(kDefaultMaxPayload) {}

void Lsv2Session::start() {
  asio::post(m_strand, [self = shared_from_this()] { self->connect(); });
}

void Lsv2Session::stop() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_stopped) return;
    self->m_stopped = true;
    self->m_stopGeneration = self->m_generation++;
    self->m_onTelegram = nullptr;
    TcpConnect::drop(self->m_connecting);
    self->m_requestTimer.cancel();
    self->m_retryTimer.cancel();
    // Frees the control's connection at once (A_LO without a name: every login).
    auto logout = encodeTelegram(logoutRequest(), self->m_buffer);
    if (!self->m_loggedIn || !logout) return self->closeSocket();
    self->m_out.push_back(std::move(*logout));
    if (self->m_out.size() == 1) {
      self->writeFront();
    }  // else it follows the write in flight
    // A control that takes nothing more is not waited for long.
    self->m_requestTimer.expires_after(std::chrono::seconds(1));
    self->m_requestTimer.async_wait([self](const error_code& ec) {
      if (!ec) self->closeSocket();
    });
  });
}

void Lsv2Session::closeSocket() {
  m_open = false;
  m_out.clear();
  error_code ignored;
  m_socket.close(ignored);
}

void Lsv2Session::connect() {
  if (m_stopped) return;
  const std::uint64_t gen = ++m_generation;
  m_connecting = TcpConnect::start(
      m_strand, m_socket,
      {m_options.host, m_options.port, m_options.connectTimeout, m_options.resolve},
      [self = shared_from_this(), gen](Result<asio::ip::tcp::endpoint> ep) {
        if (self->m_stopped || gen != self->m_generation) return;
        self->m_connecting.reset();
        if (!ep) {
          self->fail(ep.error().message());
          return;
        }
        self->m_peer = ep->address().to_string() + ":" + std::to_string(ep->port());
        self->m_reader.reset();
        self->m_out.clear();
        self->m_buffer = kDefaultBuffer;
        self->m_identity = Identity{};
        self->read();
        self->login();
      });
}

bool Lsv2Session::exchange(const Telegram& request, OnTelegram next) {
  m_asked = request.code;
  m_onTelegram = std::move(next);
  ++m_requests;
  if (!send(request)) return false;
  arm();
  return true;
}

void Lsv2Session::login() {
  exchange(loginRequest("INSPECT"), [this](Result<Telegram> r) {
    if (!r) return;  // lost: fail() said why
    const Telegram& t = *r;
    if (!t.is(code::kOk)) {
      return fail("the control refused login INSPECT (" +
                  (t.isError() ? describeError(t) : "answered " + t.code) +
                  "); is external access allowed on the control?");
    }
    m_loggedIn = true;
    m_identity.logins.push_back("INSPECT");
    versions();
  });
}

void Lsv2Session::versions() {
  // Without a parameter: the one form every control answers (TNC 426/430 only this one).
  exchange(versionRequest(), [this](Result<Telegram> r) {
    if (!r) return;
    const Telegram& t = *r;
    if (!t.is(code::kVersions)) {
      return fail("R_VR answered " + (t.isError() ? describeError(t) : t.code));
    }
    auto v = decodeVersions(t.payload);
    if (!v) return fail("R_VR: " + v.error().message());
    m_identity.versions = std::move(*v);
    m_identity.type = controlTypeOf(m_identity.versions.control);
    parameters();
  });
}

void Lsv2Session::parameters() {
  exchange(parameterRequest(), [this](Result<Telegram> r) {
    if (!r) return;
    const Telegram& t = *r;
    if (t.is(code::kParameters)) {
      auto p = decodeSystemParameters(t.payload);
      if (!p) return fail("R_PR: " + p.error().message());
      m_identity.parameters = *p;
    } else if (!t.isError()) {
      return fail("R_PR answered " + t.code);
    } else {
      m_identity.refused.push_back("R_PR: " + describeError(t));
    }
    negotiate();
  });
}

void Lsv2Session::negotiate() {
  const std::uint32_t allowed =
      m_identity.parameters
          ? std::min<std::uint32_t>(m_identity.parameters->maxBlockLength,
                                    static_cast<std::uint32_t>(m_options.maxBuffer))
          : 0;
  const BufferChoice choice = chooseBuffer(allowed);
  if (choice.command == 0) return furtherLogins(0);
  exchange(bufferRequest(choice.command), [this, choice](Result<Telegram> r) {
    if (!r) return;
    const Telegram& t = *r;
    if (t.is(code::kOk)) {
      m_buffer = choice.size;
    } else {
      m_identity.refused.push_back("C_CC " + std::to_string(choice.command) + ": " +
                                   (t.isError() ? describeError(t) : t.code));
    }
    furtherLogins(0);
  });
}

void Lsv2Session::furtherLogins(std::size_t index) {
  std::vector<std::pair<std::string, std::string>> all;
  if (m_options.dnc) all.emplace_back("DNC", "");
  all.insert(all.end(), m_options.logins.begin(), m_options.logins.end());
  if (index >= all.size()) return opened();
  const auto [name, password] = all[index];
  const bool sent = exchange(loginRequest(name, password), [this, index, name](Result<Telegram> r) {
    if (!r) return;
    const Telegram& t = *r;
    if (t.is(code::kOk)) {
      m_identity.logins.push_back(name);
    } else {
      m_identity.refused.push_back(name + ": " + (t.isError() ? describeError(t) : t.code));
    }
    furtherLogins(index + 1);
  });
  if (!sent) fail("login " + name + ": name and password do not fit the buffer");
}

void Lsv2Session::opened() {
  m_open = true;
  m_identity.buffer = m_buffer;
  m_backoff.reset();
  if (auto h = m_handler.lock()) h->onConnected(m_peer, m_identity);
}

void Lsv2Session::transact(Telegram request, Done done) {
  if (!m_open || busy()) {
    done(Error(ErrorCode::kUnavailable, m_open ? "a request is already waiting" : "not connected"));
    return;
  }
  auto shared = std::make_shared<Done>(std::move(done));
  if (!exchange(request, [shared](Result<Telegram> r) { (*shared)(std::move(r)); })) {
    (*shared)(Error(ErrorCode::kInvalidArgument, request.code + " does not fit the " +
                                                     std::to_string(m_buffer) + "-byte buffer"));
  }
}

void Lsv2Session::transactBlocks(Telegram request, BlocksDone done) {
  if (!m_open || busy()) {
    done(Error(ErrorCode::kUnavailable, m_open ? "a request is already waiting" : "not connected"));
    return;
  }
  auto blocks = std::make_shared<std::vector<Telegram>>();
  auto finish = std::make_shared<BlocksDone>(std::move(done));
  auto step = std::make_shared<OnTelegram>();
  std::weak_ptr<OnTelegram> weak = step;
  *step = [this, blocks, finish, weak](Result<Telegram> r) {
    if (!r) return (*finish)(std::move(r).error());
    Telegram& t = *r;
    if (t.is(code::kTransferDone)) return (*finish)(std::move(*blocks));
    if (t.isError()) return (*finish)(Error(ErrorCode::kProtocol, describeError(t)));
    if (t.code[0] != 'S') {
      (*finish)(Error(ErrorCode::kProtocol, "unexpected " + t.code + " in a block transfer"));
      return fail("unexpected " + t.code + " in a block transfer");
    }
    blocks->push_back(std::move(t));
    // Each block acknowledged with T_OK; the next block (or T_FD) follows.
    m_asked = "T_OK";
    m_onTelegram = [step = weak.lock()](Result<Telegram> next) { (*step)(std::move(next)); };
    if (send(okTelegram())) arm();
  };
  if (!exchange(request, [step](Result<Telegram> r) { (*step)(std::move(r)); })) {
    (*finish)(Error(ErrorCode::kInvalidArgument, request.code + " does not fit the " +
                                                     std::to_string(m_buffer) + "-byte buffer"));
  }
}

bool Lsv2Session::send(const Telegram& t) {
  auto bytes = encodeTelegram(t, m_buffer);
  if (!bytes) {
    // Never sent: a telegram larger than agreed would make the control drop the transfer.
    m_onTelegram = nullptr;
    return false;
  }
  m_largestSent = std::max(m_largestSent, bytes->size());
  m_out.push_back(std::move(*bytes));
  if (m_out.size() == 1) writeFront();  // else written after the one in flight
  return true;
}

void Lsv2Session::writeFront() {
  const std::uint64_t gen = m_stopped ? m_stopGeneration : m_generation;
  asio::async_write(m_socket, asio::buffer(m_out.front()),
                    [self = shared_from_this(), gen](const error_code& ec, std::size_t) {
                      if (self->m_stopped) {
                        // The connection stop() found: its last writes, the logout, then the close.
                        if (gen != self->m_stopGeneration || self->m_out.empty()) return;
                        if (ec) return self->closeSocket();
                        self->m_out.erase(self->m_out.begin());
                        if (self->m_out.empty()) return self->closeSocket();
                        return self->writeFront();
                      }
                      if (gen != self->m_generation) return;
                      if (ec) return self->fail("write failed: " + ec.message());
                      self->m_out.erase(self->m_out.begin());
                      if (!self->m_out.empty()) self->writeFront();
                    });
}

void Lsv2Session::arm() {
  const std::uint64_t gen = m_generation;
  const std::uint64_t request = m_requests;
  m_requestTimer.expires_after(m_options.requestTimeout);
  m_requestTimer.async_wait([self = shared_from_this(), gen, request](const error_code& ec) {
    if (ec || self->m_stopped || gen != self->m_generation) return;
    if (!self->busy() || request != self->m_requests) return;  // answered in time
    ++self->m_timeouts;
    self->fail("no answer to " + self->m_asked + " within " +
               formatDuration(self->m_options.requestTimeout));
  });
}

void Lsv2Session::read() {
  const std::uint64_t gen = m_generation;
  m_socket.async_read_some(
      asio::buffer(m_in), [self = shared_from_this(), gen](const error_code& ec, size_t n) {
        if (self->m_stopped || gen != self->m_generation) return;
        if (ec) {
          self->fail(ec == asio::error::eof ? "the control closed the connection"
                                            : "read failed: " + ec.message());
          return;
        }
        std::span<const std::uint8_t> bytes(self->m_in.data(), n);
        while (!bytes.empty()) {
          bytes = bytes.subspan(self->m_reader.feed(bytes));
          for (;;) {
            auto t = self->m_reader.next();
            if (!t) return self->fail("the control broke LSV2 framing: " + t.error().message());
            if (!t->has_value()) break;
            if (!self->m_onTelegram) {
              return self->fail("unasked " + (**t).code + " from the control");
            }
            self->m_requestTimer.cancel();
            OnTelegram take = std::move(self->m_onTelegram);
            self->m_onTelegram = nullptr;
            take(Result<Telegram>(std::move(**t)));
            if (self->m_stopped || gen != self->m_generation) return;
          }
        }
        self->read();
      });
}

void Lsv2Session::fail(const std::string& reason) {
  const bool wasConnected = m_open;
  m_open = false;
  m_loggedIn = false;
  ++m_generation;
  error_code ignored;
  m_socket.close(ignored);
  TcpConnect::drop(m_connecting);
  m_requestTimer.cancel();
  m_out.clear();
  if (OnTelegram pending = std::move(m_onTelegram); pending) {
    m_onTelegram = nullptr;
    // Requests from the collector hear of the loss; login steps just end.
    pending(Error(ErrorCode::kUnavailable, reason));
  }
  if (m_stopped) return;
  const Duration retryIn = m_backoff.next();
  if (auto h = m_handler.lock()) h->onDisconnected(reason, retryIn, wasConnected);
  const std::uint64_t gen = m_generation;
  m_retryTimer.expires_after(retryIn);
  m_retryTimer.async_wait([self = shared_from_this(), gen](const error_code& ec) {
    if (ec || self->m_stopped || gen != self->m_generation) return;
    self->connect();
  });
}

}  // namespace spindle::collectors::lsv2
