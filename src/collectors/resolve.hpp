#pragma once
/// How a collector turns its machine's host into addresses. In `spindle run` this is the
/// edge's DNS chain (net/resolver_chain: preferred servers, then static, then the system's),
/// so a machine named by host name follows the same fallbacks as the cloud links. Tests and
/// tools that have no chain use the operating system's resolver.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "base/error.hpp"

namespace spindle::collectors {

using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;
using ResolveHandler = std::function<void(Result<Endpoints>)>;
/// Resolves `host` (a name or an IP literal) to endpoints on `port`; `handler` runs exactly
/// once, on `where`, never inline.
using ResolveFn = std::function<void(const std::string& host, std::uint16_t port,
                                     boost::asio::any_io_executor where, ResolveHandler handler)>;

/// The operating system's resolver (getaddrinfo, on Asio's resolver thread).
void systemResolve(const std::string& host, std::uint16_t port, boost::asio::any_io_executor where,
                   ResolveHandler handler);

}  // namespace spindle::collectors
