#pragma once
/// The fleet tool's connection to the NATS hub: one connection with a user's credentials,
/// opened once per command. Unlike the edge's NatsConnection it does not retry a failed first
/// connect: the person at the terminal wants to know at once which server refused and why.

#include <memory>
#include <string>
#include <vector>

#include <nats/nats.h>

#include "base/error.hpp"
#include "base/units.hpp"

namespace spindle::fleet {

/// How to reach the hub; the command line's hub options (docs/fleet.md).
struct HubOptions {
  std::vector<std::string> servers;  ///< "nats://hub:4222", "tls://..."; empty: see withDefaults
  std::string credentials;           ///< .creds file (user JWT + NKey seed)
  std::string nkey;                  ///< NKey public key (U...), with nkeySeedFile
  std::string nkeySeedFile;          ///< file holding the NKey seed (SU...)
  std::string user;
  std::string password;
  std::string tlsCa;    ///< PEM of the CAs to trust; enables TLS
  std::string tlsCert;  ///< PEM client certificate (with tlsKey)
  std::string tlsKey;
  std::string jsDomain;     ///< JetStream domain of the hub when reached through a leaf node
  std::string inboxPrefix;  ///< reply subjects; "" = cnats' "_INBOX" (leaf setups: "_INBOX.cloud")
  Duration timeout = std::chrono::seconds(5);  ///< connect, and each JetStream API call
};

/// Fills what the command line left empty from the environment: servers from NATS_URL (comma
/// separated) else nats://127.0.0.1:4222, the password from SPINDLE_FLEET_PASSWORD. `env` reads
/// a variable (nullptr when unset); std::getenv in the binary, a map in tests.
HubOptions withDefaults(HubOptions options, const char* (*env)(const char*));

/// An open connection with its JetStream context. Not copyable; closed when destroyed.
class HubConnection {
 public:
  /// Connects to the first server that takes the connection. The error names every server
  /// tried and cnats' reason ("connection refused", "Authorization Violation", TLS errors).
  static Result<std::unique_ptr<HubConnection>> connect(const HubOptions& options);
  ~HubConnection();
  HubConnection(const HubConnection&) = delete;
  HubConnection& operator=(const HubConnection&) = delete;

  natsConnection* nc() const { return m_nc; }
  jsCtx* js() const { return m_js; }
  const HubOptions& options() const { return m_options; }
  /// JetStream options for one call: the domain and the timeout.
  jsOptions jsOpts() const;
  /// The server connected to, without credentials.
  std::string url() const;

 private:
  HubConnection(HubOptions options, natsConnection* nc, jsCtx* js)
      : m_options(std::move(options)), m_nc(nc), m_js(js) {}

  HubOptions m_options;
  natsConnection* m_nc = nullptr;
  jsCtx* m_js = nullptr;
};

/// cnats' text for `status` with its last error detail, as an Error with `what` as context.
Error hubError(natsStatus status, const std::string& what);

}  // namespace spindle::fleet
