#pragma once
/// HostRules: which hosts a configuration from the cloud may name (`control.allowed_hosts`).
/// Entries are networks ("10.20.0.0/16", "fd00::/8"), addresses ("192.168.1.20") and names
/// ("mill-3.plant.local", or "*.plant.local" for every name under a domain). A host given as
/// an address is allowed inside an allowed network; a host given by name only when the name is
/// listed: a name is never resolved to decide, so DNS cannot widen the rules. No rules at all
/// allow every host.

#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "base/error.hpp"

namespace spindle::net {

class HostRules {
 public:
  /// Parses the entries; kInvalidArgument names the first one that is none of the above.
  static Result<HostRules> parse(const std::vector<std::string>& entries);

  /// True when `host` (an address or a name, without port) is allowed.
  bool allows(const std::string& host) const;
  bool empty() const { return m_networks.empty() && m_names.empty() && m_domains.empty(); }
  /// The entries as given, for messages.
  const std::vector<std::string>& entries() const { return m_entries; }

 private:
  struct Network {
    boost::asio::ip::address base;
    unsigned prefix = 0;
  };
  std::vector<std::string> m_entries;
  std::vector<Network> m_networks;
  std::vector<std::string> m_names;    ///< lower case
  std::vector<std::string> m_domains;  ///< ".plant.local", lower case
};

}  // namespace spindle::net
