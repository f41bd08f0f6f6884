// ClientSession (client_session.hpp): discovery, channel, CreateSession, ActivateSession.
#include "opcua/client_session.hpp"

#include <chrono>

#include <boost/asio/post.hpp>

#include "opcua/identity.hpp"
#include "opcua/trust_list.hpp"

namespace spindle::opcua {
namespace asio = boost::asio;

namespace {

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::shared_ptr<ClientSession> ClientSession::create(Strand strand, SessionConfig config,
                                                     ConnectFn connect) {
  return std::shared_ptr<ClientSession>(
      new ClientSession(std::move(strand), std::move(config), std::move(connect)));
}

ClientSession::ClientSession(Strand strand, SessionConfig config, ConnectFn connect)
    : m_strand(std::move(strand)), m_config(std::move(config)), m_connect(std::move(connect)) {}

void ClientSession::connectSocket(std::function<void(Result<Socket>)> next) {
  // Back onto the strand whatever thread the connector calls back on.
  m_connect([self = shared_from_this(), next = std::move(next)](Result<Socket> s) mutable {
    auto shared = std::make_shared<Result<Socket>>(std::move(s));
    asio::post(self->m_strand,
               [shared, next = std::move(next)]() mutable { next(std::move(*shared)); });
  });
}

void ClientSession::openChannel(ChannelConfig config, std::function<void(Status)> next) {
  connectSocket([self = shared_from_this(), config = std::move(config),
                 next = std::move(next)](Result<Socket> s) mutable {
    if (!s) return next(std::move(s).error().with("connecting to " + config.endpointUrl));
    auto channel = SecureChannel::create(self->m_strand);
    channel->open(std::move(*s), std::move(config),
                  [self, channel, next = std::move(next)](Status st) {
                    if (!st) return next(std::move(st).error());
                    self->m_channel = channel;
                    std::weak_ptr<ClientSession> weak = self;
                    channel->setOnClosed([weak, raw = channel.get()](const Error& reason) {
                      auto session = weak.lock();
                      if (!session || session->m_channel.get() != raw) return;
                      session->m_active = false;
                      if (session->m_onChannelClosed) session->m_onChannelClosed(reason);
                    });
                    next(okStatus());
                  });
  });
}

ClientSession::Done ClientSession::closingOnFailure(Done done) {
  // A connect that fails leaves nothing open: no channel waits for the server.
  return [self = shared_from_this(), done = std::move(done)](Status st) {
    if (!st && self->m_channel) {
      self->m_channel->close();
      self->m_channel.reset();
    }
    done(std::move(st));
  };
}

void ClientSession::connect(Done done) {
  m_active = false;
  if (m_channel) m_channel->close();
  m_channel.reset();
  discover([self = shared_from_this(), done = closingOnFailure(std::move(done))](Status st) {
    if (!st) return done(std::move(st).error());
    self->chooseEndpoint(done);
  });
}

void ClientSession::discover(Done done) {
  ChannelConfig c;
  c.endpointUrl = m_config.endpointUrl;
  c.maxMessageSize = m_config.maxMessageSize;
  c.requestedLifetimeMs = m_config.channelLifetimeMs;
  c.openTimeout = m_config.requestTimeout;
  m_channelConfig = c;
  openChannel(c, [self = shared_from_this(), done = std::move(done)](Status st) {
    if (!st) return done(std::move(st).error().with("discovery"));
    GetEndpointsRequest req;
    req.endpointUrl = self->m_config.endpointUrl;
    self->call<GetEndpointsResponse>(std::move(req), self->m_config.requestTimeout,
                                     [self, done](Result<GetEndpointsResponse> r) {
                                       if (!r)
                                         return done(std::move(r).error().with("GetEndpoints"));
                                       self->m_endpoints.assign(r->endpoints.begin(),
                                                                r->endpoints.end());
                                       done(okStatus());
                                     });
  });
}

void ClientSession::chooseEndpoint(Done done) {
  auto chosen = selectEndpoint(m_endpoints, m_config.securityPolicy, m_config.securityMode);
  if (!chosen) {
    m_channel->close();
    m_channel.reset();
    return done(std::move(chosen).error());
  }
  m_endpoint = std::move(*chosen);
  m_serverCertificate = m_endpoint.serverCertificate.value_or(Bytes{});
  if (auto st = prepareSecurity(); !st) {
    m_channel->close();
    m_channel.reset();
    return done(std::move(st).error());
  }
  if (channelPolicy().isNone()) return createSession(std::move(done));  // keep the None channel
  m_channel->close();
  m_channel.reset();
  openChannel(m_channelConfig, [self = shared_from_this(), done = std::move(done)](Status st) {
    if (!st) {
      return done(std::move(st).error().with("opening a " +
                                             std::string(self->channelPolicy().name) + "/" +
                                             toString(self->m_channelConfig.mode) + " channel"));
    }
    self->createSession(done);
  });
}

Status ClientSession::prepareSecurity() {
  const SecurityPolicy* policy = findSecurityPolicy(m_endpoint.securityPolicyUri.value_or(""));
  if (policy == nullptr) return Error(ErrorCode::kInternal, "selected an unknown policy");
  m_channelConfig.policy = policy;
  m_channelConfig.mode = m_endpoint.securityMode;
  // The server certificate protects the channel, or the password on a None channel.
  const SecurityPolicy* trustPolicy = policy->isNone() ? nullptr : policy;
  if (m_config.user && trustPolicy == nullptr) {
    if (const auto* t = findUserTokenPolicy(m_endpoint, UserTokenType::kUserName)) {
      trustPolicy = findSecurityPolicy(t->securityPolicyUri.value_or(""));
      if (trustPolicy && trustPolicy->isNone()) trustPolicy = nullptr;
    }
  }
  if (trustPolicy == nullptr) return okStatus();
  if (m_serverCertificate.empty()) {
    return Error(ErrorCode::kProtocol, "the server's endpoint carries no certificate");
  }
  auto trust = TrustList::open(m_config.pkiDir);
  if (!trust) return std::move(trust).error();
  TrustList::Check check{m_serverCertificate, trustPolicy, unixNow(), m_config.endpointUrl,
                         m_config.trustOnFirstUse};
  if (auto st = trust->checkServerCertificate(check); !st) {
    return std::move(st).error().with("checking the certificate of " + m_config.endpointUrl);
  }
  if (auto st = checkServerApplicationUri(m_serverCertificate,
                                          m_endpoint.server.applicationUri.value_or(""));
      !st) {
    return std::move(st).error().with("checking the certificate of " + m_config.endpointUrl);
  }
  if (!m_certificate) {
    auto own = loadOrCreateApplicationCertificate(
        {m_config.pkiDir, m_config.applicationUri, m_config.hostname, unixNow()});
    if (!own) return std::move(own).error().with("loading our application certificate");
    m_certificate = std::move(*own);
  }
  m_channelConfig.clientCertificateDer = m_certificate->der;
  m_channelConfig.clientKey =
      std::shared_ptr<EVP_PKEY>(shareKey(m_certificate->privateKey.get()).release(), OpensslFree{});
  m_channelConfig.serverCertificateDer = m_serverCertificate;
  return okStatus();
}

void ClientSession::createSession(Done done) {
  const bool secure = !channelPolicy().isNone();
  auto nonce = randomBytes(32);
  if (!nonce) return done(std::move(nonce).error());
  CreateSessionRequest req;
  req.clientDescription.applicationUri = m_config.applicationUri;
  req.clientDescription.productUri = m_config.productUri;
  req.clientDescription.applicationName.text = m_config.applicationName;
  req.clientDescription.applicationType = ApplicationType::kClient;
  req.endpointUrl = m_config.endpointUrl;
  req.sessionName = m_config.sessionName;
  req.clientNonce = *nonce;
  if (secure) req.clientCertificate = m_certificate->der;
  req.requestedSessionTimeout = m_config.sessionTimeoutMs;
  req.maxResponseMessageSize = m_config.maxMessageSize;
  m_authenticationToken = NodeId();
  call<CreateSessionResponse>(
      std::move(req), m_config.requestTimeout,
      [self = shared_from_this(), done = std::move(done), clientNonce = std::move(*nonce),
       secure](Result<CreateSessionResponse> r) {
        if (!r) return done(std::move(r).error().with("CreateSession"));
        if (secure) {
          SessionSignature sig{r->serverSignature.algorithm.value_or(""),
                               r->serverSignature.signature.value_or(Bytes{})};
          auto st = verifyServerSignature(self->channelPolicy(), self->m_serverCertificate,
                                          self->m_certificate->der, clientNonce, sig);
          if (!st) {
            return done(std::move(st).error().with("checking the server's session signature"));
          }
        }
        self->m_sessionId = r->sessionId;
        self->m_authenticationToken = r->authenticationToken;
        self->m_serverNonce = r->serverNonce.value_or(Bytes{});
        self->m_revisedTimeout = r->revisedSessionTimeout;
        self->activate(done);
      });
}

Result<ExtensionObject> ClientSession::identityToken() {
  if (!m_config.user) {
    const auto* t = findUserTokenPolicy(m_endpoint, UserTokenType::kAnonymous);
    if (t == nullptr) {
      return Error(ErrorCode::kInvalidArgument,
                   "the endpoint allows no anonymous sessions: configure a user name");
    }
    return toExtensionObject(AnonymousIdentityToken{t->policyId});
  }
  const auto* t = findUserTokenPolicy(m_endpoint, UserTokenType::kUserName);
  if (t == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "the endpoint accepts no user name tokens");
  }
  std::string uri = t->securityPolicyUri.value_or("");
  if (uri.empty()) uri = std::string(channelPolicy().uri);
  auto secret =
      encryptUserPassword(m_config.user->password, m_serverNonce, m_serverCertificate, uri);
  if (!secret) return std::move(secret).error().with("encrypting the password");
  UserNameIdentityToken token;
  token.policyId = t->policyId;
  token.userName = m_config.user->userName;
  token.password = std::move(secret->cipherText);
  token.encryptionAlgorithm = secret->algorithmUri;
  return toExtensionObject(token);
}

void ClientSession::activate(Done done) {
  ActivateSessionRequest req;
  if (!channelPolicy().isNone()) {
    auto sig = signClientSession(channelPolicy(), m_certificate->privateKey.get(),
                                 m_serverCertificate, m_serverNonce);
    if (!sig) return done(std::move(sig).error().with("signing ActivateSession"));
    req.clientSignature.algorithm = sig->algorithmUri;
    req.clientSignature.signature = std::move(sig->signature);
  }
  auto token = identityToken();
  if (!token) return done(std::move(token).error());
  req.userIdentityToken = std::move(*token);
  call<ActivateSessionResponse>(
      std::move(req), m_config.requestTimeout,
      [self = shared_from_this(), done = std::move(done)](Result<ActivateSessionResponse> r) {
        if (!r) {
          const std::string who =
              self->m_config.user ? "user " + self->m_config.user->userName : "anonymous";
          return done(std::move(r).error().with("ActivateSession as " + who));
        }
        self->m_serverNonce = r->serverNonce.value_or(Bytes{});
        self->m_active = true;
        done(okStatus());
      });
}

void ClientSession::reconnect(Done done) {
  m_active = false;
  if (m_channel) m_channel->close();
  m_channel.reset();
  if (m_authenticationToken.isNull()) {
    return done(Error(ErrorCode::kInvalidArgument, "no session to reactivate: connect() first"));
  }
  openChannel(m_channelConfig,
              [self = shared_from_this(), done = closingOnFailure(std::move(done))](Status st) {
                if (!st) return done(std::move(st).error().with("reconnecting"));
                self->activate([self, done](Status a) {
                  if (!a) return done(std::move(a).error().with("reactivating the session"));
                  done(okStatus());
                });
              });
}

void ClientSession::closeSession(Done done) {
  if (!m_channel) return done(okStatus());
  CloseSessionRequest req;
  req.deleteSubscriptions = true;
  call<CloseSessionResponse>(
      std::move(req), m_config.requestTimeout,
      [self = shared_from_this(), done = std::move(done)](Result<CloseSessionResponse>) {
        self->m_active = false;
        self->m_authenticationToken = NodeId();
        if (self->m_channel) self->m_channel->close();
        self->m_channel.reset();
        done(okStatus());
      });
}

}  // namespace spindle::opcua
