#pragma once
/// The hub's addresses through the edge's DNS chain. cnats resolves server names with the
/// system's resolver only; before connecting, each named server is resolved through the chain
/// (preferred servers first, then static, then the system's) and its address put first in the
/// list, the name kept after it so cnats can still resolve it itself later (a hub that moved).
/// With TLS the certificate is then checked against the name, not the address.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::app {

/// Resolves one host name to one address ("192.0.2.7"), synchronously.
using ResolveHost = std::function<Result<std::string>(const std::string& host, std::uint16_t port)>;

struct ResolvedServers {
  std::vector<std::string> servers;  ///< what cnats gets
  std::string expectedHostname;      ///< the TLS name to check; "" when no URL was rewritten
  std::vector<std::string> notes;    ///< one line per server, for the log
};

/// `servers` are "nats://[user:pass@]host[:port]" or "tls://..."; `tls` says whether the
/// connection uses TLS whatever the scheme (tls_ca or tls_cert configured). IP literals and
/// names that do not resolve stay as they are. With TLS, only servers sharing one host name
/// are rewritten (cnats checks one expected name per connection).
ResolvedServers resolveServers(const std::vector<std::string>& servers, bool tls,
                               const ResolveHost& resolve);

}  // namespace spindle::app
