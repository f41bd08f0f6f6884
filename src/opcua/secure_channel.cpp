// SecureChannel (secure_channel.hpp): HEL/ACK, OPN, requests by RequestId, renewal, CLO.
#include "opcua/secure_channel.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <string_view>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace spindle::opcua {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::array<std::string_view, 8> kRefusals = {
    "BadUserAccessDenied",     "BadIdentityTokenInvalid",       "BadIdentityTokenRejected",
    "BadCertificateInvalid",   "BadCertificateUntrusted",       "BadSecurityPolicyRejected",
    "BadSecurityModeRejected", "BadApplicationSignatureInvalid"};
constexpr std::array<std::string_view, 8> kGone = {
    "BadSessionIdInvalid",       "BadSessionClosed",   "BadSecureChannelClosed",
    "BadSecureChannelIdInvalid", "BadServerHalted",    "BadTooManySessions",
    "BadCommunicationError",     "BadConnectionClosed"};

const ResponseHeader* responseHeaderOf(const Message& m) {
  return std::visit(
      [](const auto& x) -> const ResponseHeader* {
        if constexpr (requires { x.responseHeader; }) {
          return &x.responseHeader;
        } else {
          return nullptr;
        }
      },
      m);
}

void stampRequest(Message& m, std::uint32_t handle, Duration timeout) {
  std::visit(
      [&](auto& x) {
        if constexpr (requires { x.requestHeader; }) {
          x.requestHeader.requestHandle = handle;
          x.requestHeader.timestamp =
              DateTime::fromUnixNanos(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
          x.requestHeader.timeoutHint = static_cast<std::uint32_t>(
              std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count());
        }
      },
      m);
}

std::uint32_t derivedChunkCount(std::uint32_t maxMessageSize) {
  // The server picks its chunk sizes; allow chunks down to half our buffer before refusing.
  return maxMessageSize / (kReceiveBufferSize / 2) + 2;
}

}  // namespace

Error errorForStatus(StatusCode code, const std::string& what) {
  const std::string name = describe(code);
  ErrorCode ec = ErrorCode::kProtocol;
  if (code.withoutInfoBits() == status::kBadTimeout) ec = ErrorCode::kTimeout;
  if (std::find(kRefusals.begin(), kRefusals.end(), name) != kRefusals.end()) {
    ec = ErrorCode::kInvalidArgument;
  }
  if (std::find(kGone.begin(), kGone.end(), name) != kGone.end()) ec = ErrorCode::kUnavailable;
  return Error(ec, name + ": " + what);
}

std::shared_ptr<SecureChannel> SecureChannel::create(Strand strand) {
  return std::shared_ptr<SecureChannel>(new SecureChannel(std::move(strand)));
}

SecureChannel::SecureChannel(Strand strand)
    : m_strand(strand),
      m_socket(strand.get_inner_executor()),
      m_openTimer(strand),
      m_renewTimer(strand),
      m_in(kReceiveBufferSize) {}

void SecureChannel::setOnClosed(OnClosed onClosed) {
  // dispatch: on the strand (e.g. in open()'s callback) it takes effect before any failure.
  asio::dispatch(m_strand, [self = shared_from_this(), f = std::move(onClosed)]() mutable {
    self->m_onClosed = std::move(f);
  });
}

void SecureChannel::open(asio::ip::tcp::socket socket, ChannelConfig config, OpenDone done) {
  auto s = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
  asio::post(m_strand,
             [self = shared_from_this(), s, c = std::move(config), d = std::move(done)]() mutable {
               if (self->m_state != State::kIdle) {
                 d(Error(ErrorCode::kInternal, "open() called twice on one channel"));
                 return;
               }
               self->m_socket = std::move(*s);
               self->start(std::move(c), std::move(d));
             });
}

void SecureChannel::start(ChannelConfig config, OpenDone done) {
  m_config = std::move(config);
  m_openDone = std::move(done);
  if (!m_config.policy->isNone()) {
    if (auto st = setupSecurity(); !st) return fail(std::move(st).error(), false);
  }
  m_state = State::kHello;
  m_openTimer.expires_after(m_config.openTimeout);
  m_openTimer.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || (self->m_state != State::kHello && self->m_state != State::kOpening)) return;
    self->fail(Error(ErrorCode::kTimeout,
                     std::string("no ") + (self->m_state == State::kHello ? "ACK" : "OPN") +
                         " from the server within " + formatDuration(self->m_config.openTimeout)),
               false);
  });
  sendHello();
  read();
}

Status SecureChannel::setupSecurity() {
  const ChannelConfig& c = m_config;
  if (c.mode != SecurityMode::kSign && c.mode != SecurityMode::kSignAndEncrypt) {
    return Error(ErrorCode::kInvalidArgument, std::string("security mode ") + toString(c.mode) +
                                                  " does not go with " +
                                                  std::string(c.policy->name));
  }
  if (c.clientCertificateDer.empty() || !c.clientKey || c.serverCertificateDer.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "a secure channel needs our certificate and key and the server's certificate");
  }
  auto chain = parseCertificateChain(c.serverCertificateDer);
  if (!chain) return std::move(chain).error().with("reading the server certificate");
  auto leaf = certificateDer(chain->front().get());
  if (!leaf) return std::move(leaf).error();
  auto key = certificatePublicKey(chain->front().get());
  if (!key) return std::move(key).error();
  auto thumb = certificateThumbprint(*leaf);
  if (!thumb) return std::move(thumb).error();
  auto asym = AsymmetricSecurity::create(*c.policy, c.mode, c.clientKey.get(), key->get());
  if (!asym) return std::move(asym).error().with("setting up " + std::string(c.policy->name));
  m_asymmetric = std::move(*asym);
  return okStatus();
}

void SecureChannel::sendHello() {
  m_hello.receiveBufferSize = kReceiveBufferSize;
  m_hello.sendBufferSize = kReceiveBufferSize;
  m_hello.maxMessageSize = m_config.maxMessageSize;
  m_hello.maxChunkCount = derivedChunkCount(m_config.maxMessageSize);
  m_hello.endpointUrl = m_config.endpointUrl;
  enqueue({encodeHello(m_hello)});
}

void SecureChannel::read() {
  m_socket.async_read_some(
      asio::buffer(m_in), asio::bind_executor(m_strand, [self = shared_from_this()](
                                                            const error_code& ec, std::size_t n) {
        if (self->m_state == State::kClosed) return;
        if (ec) {
          const bool eof = ec == asio::error::eof || ec == asio::error::connection_reset;
          self->fail(Error(ErrorCode::kUnavailable, eof ? "the server closed the connection"
                                                        : "read failed: " + ec.message()),
                     true);
          return;
        }
        self->onBytes(n);
        if (self->m_state != State::kClosed) self->read();
      }));
}

void SecureChannel::onBytes(std::size_t n) {
  std::span<const std::uint8_t> bytes(m_in.data(), n);
  while (!bytes.empty() || m_reader.buffered() > 0) {
    bytes = bytes.subspan(m_reader.feed(bytes));
    auto chunk = m_reader.next();
    if (!chunk) return fail(std::move(chunk).error().with("reading chunks"), true);
    if (!chunk->has_value()) {
      if (bytes.empty()) return;
      continue;
    }
    if (auto st = onChunk(std::move(**chunk)); !st) return fail(std::move(st).error(), true);
    if (m_state == State::kClosed) return;
  }
}

Status SecureChannel::onChunk(Bytes chunk) {
  auto h = decodeMessageHeader(chunk);
  if (!h) return std::move(h).error();
  if (h->type == MessageType::kError) {
    auto e = decodeError(chunk);
    if (!e) return std::move(e).error();
    return errorForStatus(e->error, "the server sent ERR: " + e->reason.value_or(""));
  }
  if (h->type == MessageType::kAcknowledge && m_state == State::kHello) {
    return onAcknowledge(chunk);
  }
  if (isSecureChannelType(h->type) && m_state != State::kHello) return onSecureChunk(chunk);
  return Error(ErrorCode::kProtocol,
               std::string("unexpected ") + toString(h->type) + " chunk from the server");
}

Status SecureChannel::onAcknowledge(const Bytes& chunk) {
  auto ack = decodeAcknowledge(chunk);
  if (!ack) return std::move(ack).error().with("reading the ACK");
  auto limits = negotiate(m_hello, *ack);
  if (!limits) return std::move(limits).error();
  ChunkSecurity& asym = m_asymmetric ? static_cast<ChunkSecurity&>(*m_asymmetric) : m_none;
  m_writer = std::make_unique<ChunkWriter>(*limits, asym, m_none);
  m_assembler = std::make_unique<MessageAssembler>(limits->receiveMaxMessageSize,
                                                   limits->receiveMaxChunkCount, asym, m_none);
  AsymmetricSecurityHeader header;
  header.securityPolicyUri = std::string(m_config.policy->uri);
  if (!m_config.policy->isNone()) {
    header.senderCertificate = m_config.clientCertificateDer;
    auto chain = parseCertificateChain(m_config.serverCertificateDer);
    if (!chain) return std::move(chain).error();
    auto leaf = certificateDer(chain->front().get());
    if (!leaf) return std::move(leaf).error();
    auto thumb = certificateThumbprint(*leaf);
    if (!thumb) return std::move(thumb).error();
    header.receiverCertificateThumbprint = std::move(*thumb);
  }
  m_writer->setAsymmetricHeader(std::move(header));
  m_state = State::kOpening;
  sendOpen(SecurityTokenRequestType::kIssue);
  return okStatus();
}

Status SecureChannel::onSecureChunk(Bytes chunk) {
  auto headers = decodeChunkHeaders(chunk);
  if (!headers) return std::move(headers).error();
  ChunkSecurity& asym = m_asymmetric ? static_cast<ChunkSecurity&>(*m_asymmetric) : m_none;
  if (const auto* sym = std::get_if<SymmetricSecurityHeader>(&headers->security)) {
    Token* token = nullptr;
    if (sym->tokenId == m_current.id) {
      token = &m_current;
      m_previous.reset();  // the server moved to the new token: the old keys are done
    } else if (m_previous && sym->tokenId == m_previous->id) {
      token = &*m_previous;
    } else {
      return Error(ErrorCode::kProtocol, "BadSecureChannelTokenUnknown: a chunk with TokenId " +
                                             std::to_string(sym->tokenId) + " (ours is " +
                                             std::to_string(m_current.id) + ")");
    }
    m_assembler->setSecurity(
        asym, token->security ? static_cast<ChunkSecurity&>(*token->security) : m_none);
  }
  auto assembled = m_assembler->add(std::move(chunk));
  if (!assembled) return std::move(assembled).error();
  if (!assembled->has_value()) return okStatus();
  if (auto* aborted = std::get_if<AbortedMessage>(&**assembled)) {
    complete(aborted->requestId,
             errorForStatus(aborted->reason.error, "the server aborted its response: " +
                                                       aborted->reason.reason.value_or("")));
    return okStatus();
  }
  onMessage(std::get<ReceivedMessage>(std::move(**assembled)));
  return okStatus();
}

void SecureChannel::onMessage(ReceivedMessage m) {
  if (m.type == MessageType::kClose) {
    return fail(Error(ErrorCode::kUnavailable, "the server closed the secure channel"), true);
  }
  auto message = decodeMessage(m.body);
  if (!message) {
    return complete(m.requestId, std::move(message).error().with("decoding the response"));
  }
  complete(m.requestId, std::move(*message));
}

void SecureChannel::sendOpen(SecurityTokenRequestType type) {
  OpenSecureChannelRequest req;
  req.requestType = type;
  req.securityMode = m_config.mode;
  req.requestedLifetime = m_config.requestedLifetimeMs;
  m_clientNonce.clear();
  if (!m_config.policy->isNone()) {
    auto nonce = randomBytes(m_config.policy->nonceLength);
    if (!nonce) return fail(std::move(nonce).error(), true);
    m_clientNonce = std::move(*nonce);
  }
  req.clientNonce = m_clientNonce;
  m_openRequestId = send(
      MessageType::kOpen, Message(std::move(req)), m_config.openTimeout,
      [self = shared_from_this(), type](Result<Message> r) {
        self->m_openRequestId = 0;
        if (self->m_state == State::kClosed) return;
        const char* what = type == SecurityTokenRequestType::kIssue ? "opening the secure channel"
                                                                    : "renewing the security token";
        if (!r) return self->fail(std::move(r).error().with(what), true);
        auto* resp = std::get_if<OpenSecureChannelResponse>(&*r);
        Status st = resp ? self->onOpenResponse(*resp)
                         : Status(Error(ErrorCode::kProtocol, std::string("the server answered ") +
                                                                  messageName(*r) + " to an OPN"));
        if (!st) return self->fail(std::move(st).error().with(what), true);
      });
}

Status SecureChannel::onOpenResponse(const OpenSecureChannelResponse& r) {
  const bool issue = m_state == State::kOpening;
  if (issue) {
    m_writer->setSecureChannelId(r.securityToken.channelId);
  } else if (r.securityToken.channelId != m_token.channelId) {
    return Error(ErrorCode::kProtocol, "the renewed token names another channel");
  }
  if (r.securityToken.revisedLifetime == 0) {
    return Error(ErrorCode::kProtocol, "the server revised the token lifetime to 0");
  }
  Token next;
  next.id = r.securityToken.tokenId;
  if (!m_config.policy->isNone()) {
    const Bytes serverNonce = r.serverNonce.value_or(Bytes{});
    auto keys = deriveChannelKeys(*m_config.policy, m_clientNonce, serverNonce);
    if (!keys) return std::move(keys).error();
    auto sym =
        SymmetricSecurity::create(*m_config.policy, m_config.mode, *keys, ChannelSide::kClient);
    if (!sym) return std::move(sym).error();
    next.security = std::move(*sym);
  }
  if (!issue) m_previous = std::move(m_current);
  m_current = std::move(next);
  m_token = r.securityToken;
  m_writer->setTokenId(m_current.id);
  ChunkSecurity& asym = m_asymmetric ? static_cast<ChunkSecurity&>(*m_asymmetric) : m_none;
  m_writer->setSecurity(
      asym, m_current.security ? static_cast<ChunkSecurity&>(*m_current.security) : m_none);
  armRenewal();
  if (issue) {
    m_state = State::kOpen;
    m_openTimer.cancel();
    if (auto done = std::move(m_openDone)) done(okStatus());
  } else {
    ++m_renewals;
  }
  return okStatus();
}

void SecureChannel::armRenewal() {
  m_renewTimer.expires_after(std::chrono::milliseconds(m_token.revisedLifetime) * 3 / 4);
  m_renewTimer.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->m_state != State::kOpen || self->m_openRequestId != 0) return;
    self->sendOpen(SecurityTokenRequestType::kRenew);
  });
}

std::uint32_t SecureChannel::send(MessageType type, const Message& message, Duration timeout,
                                  ResponseDone done) {
  const std::uint32_t id = m_nextRequestId;
  m_nextRequestId = m_nextRequestId == 0xFFFFFFFFu ? 1 : m_nextRequestId + 1;
  Message stamped = message;
  stampRequest(stamped, id, timeout);
  const Bytes body = encodeMessage(stamped);
  auto chunks = m_writer->write(type, id, body);
  if (!chunks) {
    asio::post(m_strand,
               [d = std::move(done), e = std::move(chunks).error()]() mutable { d(std::move(e)); });
    return id;
  }
  Pending p;
  p.done = std::move(done);
  p.name = messageName(message);
  p.timer = std::make_unique<asio::steady_timer>(m_strand);
  p.timer->expires_after(timeout);
  p.timer->async_wait([self = shared_from_this(), id, timeout](const error_code& ec) {
    if (ec) return;
    auto it = self->m_pending.find(id);
    if (it == self->m_pending.end()) return;
    const std::string name = it->second.name;
    self->complete(id, Error(ErrorCode::kTimeout,
                             "no response to " + name + " within " + formatDuration(timeout)));
  });
  m_pending.emplace(id, std::move(p));
  enqueue(std::move(*chunks));
  return id;
}

void SecureChannel::request(Message message, Duration timeout, ResponseDone done) {
  asio::post(m_strand, [self = shared_from_this(), m = std::move(message), timeout,
                        d = std::move(done)]() mutable {
    if (self->m_state != State::kOpen) {
      d(Error(ErrorCode::kUnavailable, "the secure channel is not open"));
      return;
    }
    self->send(MessageType::kMessage, m, timeout, std::move(d));
  });
}

void SecureChannel::complete(std::uint32_t requestId, Result<Message> result) {
  auto it = m_pending.find(requestId);
  if (it == m_pending.end()) return;  // timed out before: a late answer
  Pending p = std::move(it->second);
  m_pending.erase(it);
  p.timer->cancel();
  if (result) {
    if (const auto* fault = std::get_if<ServiceFault>(&*result)) {
      return p.done(errorForStatus(fault->responseHeader.serviceResult,
                                   std::string("the server refused ") + p.name));
    }
    const ResponseHeader* h = responseHeaderOf(*result);
    if (h && h->serviceResult.isBad()) {
      return p.done(errorForStatus(h->serviceResult, std::string("the server refused ") + p.name));
    }
  }
  p.done(std::move(result));
}

void SecureChannel::enqueue(std::vector<Bytes> chunks) {
  for (auto& c : chunks) m_out.push_back(std::move(c));
  if (!m_writing && !m_out.empty()) writeFront();
}

void SecureChannel::writeFront() {
  m_writing = true;
  asio::async_write(
      m_socket, asio::buffer(m_out.front()),
      asio::bind_executor(m_strand, [self = shared_from_this()](const error_code& ec, std::size_t) {
        self->m_writing = false;
        if (ec) {
          if (self->m_state == State::kClosed) return self->closeSocket();
          return self->fail(Error(ErrorCode::kUnavailable, "write failed: " + ec.message()), true);
        }
        if (!self->m_out.empty()) self->m_out.erase(self->m_out.begin());
        if (!self->m_out.empty()) return self->writeFront();
        if (self->m_closeAfterWrites) {
          self->m_openTimer.cancel();
          self->closeSocket();
        }
      }));
}

void SecureChannel::close() {
  asio::post(m_strand, [self = shared_from_this()] {
    if (self->m_state == State::kClosed) return;
    Bytes clo;
    if (self->m_state == State::kOpen) {
      // Not through send(): no response comes.
      auto chunks = self->m_writer->write(MessageType::kClose, self->m_nextRequestId++,
                                          encodeMessage(CloseSecureChannelRequest{}));
      if (chunks && chunks->size() == 1) clo = std::move(chunks->front());
    }
    self->fail(Error(ErrorCode::kUnavailable, "the channel closed"), false, clo.empty());
    if (clo.empty()) return;
    // CLO, then the socket closes once it is written, or after a second at the latest.
    self->m_closeAfterWrites = true;
    self->enqueue({std::move(clo)});
    self->m_openTimer.expires_after(std::chrono::seconds(1));
    self->m_openTimer.async_wait([self](const error_code& ec) {
      if (!ec) self->closeSocket();
    });
  });
}

void SecureChannel::fail(Error reason, bool notify, bool closeNow) {
  if (m_state == State::kClosed) return;
  const bool wasOpen = m_state == State::kOpen;
  m_state = State::kClosed;
  m_openTimer.cancel();
  m_renewTimer.cancel();
  if (closeNow) closeSocket();
  m_out.resize(m_writing ? 1 : 0);  // the chunk being written stays until its write ends
  auto pending = std::move(m_pending);
  m_pending.clear();
  for (auto& [id, p] : pending) {
    p.timer->cancel();
    p.done(Error(ErrorCode::kUnavailable, reason.message()));
  }
  if (auto done = std::move(m_openDone)) done(reason);
  if (notify && wasOpen) {
    if (auto f = std::move(m_onClosed)) f(reason);
  }
  m_onClosed = nullptr;
}

void SecureChannel::closeSocket() {
  error_code ignored;
  m_socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  m_socket.close(ignored);
}

}  // namespace spindle::opcua
