#pragma once
/// The connection keys of every collector that connects out to its machine: host, port (with
/// the protocol's default), connect_timeout, read_timeout (when the protocol has one plain read
/// deadline), reconnect_min and reconnect_max (the backoff). One fragment, added to each
/// collector's option table like the input limits, so the keys, their defaults and their help
/// are the same for every protocol.
///
/// An options struct T has the members host (std::string), port (config::Port),
/// connectTimeout, reconnectMin, reconnectMax (Duration) and, optionally, readTimeout.

#include <cstdint>
#include <string>

#include "base/units.hpp"
#include "collectors/host_syntax.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors {

/// What differs per protocol.
struct ConnectionKeys {
  std::uint16_t defaultPort = 0;           ///< the protocol's port (the collector's kDefaultPort)
  std::string portHelp;                    ///< e.g. "adapter TCP port"
  std::string hostHelp;                    ///< with an example address
  bool hostRequired = true;                ///< false when another key (a url) may give it
  std::string portDefaultText;             ///< how docs show the default; "" = the port number
  std::string readTimeoutDefault = "10s";  ///< for read_timeout, when T has readTimeout
};

template <typename T>
void addConnectionOptions(config::OptionTable<T>& t, const ConnectionKeys& keys) {
  if (keys.hostRequired) {
    t.required("host", &T::host, keys.hostHelp);
  } else {
    t.optional("host", &T::host, "", keys.hostHelp);
  }
  t.optional("port", &T::port,
             keys.portDefaultText.empty() ? std::to_string(keys.defaultPort) : keys.portDefaultText,
             keys.portHelp);
  t.optional("connect_timeout", &T::connectTimeout, "5s",
             "give up a connection attempt after this long", {"10ms", "5m"});
  if constexpr (requires { &T::readTimeout; }) {
    t.optional("read_timeout", &T::readTimeout, keys.readTimeoutDefault,
               "give up a read or request after this long", {"10ms", ""});
  }
  t.optional("reconnect_min", &T::reconnectMin, "500ms",
             "first reconnect delay; doubles per failure (+-20% jitter)", {"1ms", ""});
  t.optional("reconnect_max", &T::reconnectMax, "30s", "longest reconnect delay", {"1ms", ""});
}

/// Adds a diagnostic at `block` and returns false when the backoff is upside down, when the host
/// is no address or name (collectors/host_syntax.hpp) or, unless `hostExample` is empty, when
/// the host is given empty.
template <typename T>
bool validateConnection(const T& o, const YAML::Node& block, config::Diagnostics& diags,
                        const std::string& hostExample) {
  bool good = true;
  if (o.reconnectMax < o.reconnectMin) {
    diags.add(block["reconnect_max"], "reconnect_max is shorter than reconnect_min");
    good = false;
  }
  if (!hostExample.empty() && o.host.empty() && block["host"]) {
    diags.add(block["host"], "host is empty", hostExample);
    good = false;
  }
  if (!o.host.empty() && block["host"]) {
    if (const std::string problem = hostProblem(o.host); !problem.empty()) {
      diags.add(block["host"], "host '" + o.host + "' is not valid: " + problem);
      good = false;
    }
  }
  return good;
}

}  // namespace spindle::collectors
