#pragma once
/// One SNTP exchange with one NTP server over UDP, on Boost.Asio.

#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include "base/error.hpp"
#include "base/time.hpp"
#include "net/sntp.hpp"

namespace spindle::net {

/// Sends one request to `server` and waits at most `timeout` for a matching reply.
/// `done` runs exactly once on `executor`. Errors: kTimeout (no answer: blocked, or the
/// server is down), kUnavailable (ICMP port unreachable: nothing listens there; or the server
/// is unsynchronised or sent a kiss-o'-death), kProtocol (a malformed reply), kIo.
/// `clock` stamps T1 and T4 (nullptr: the system clock); it must be thread-safe.
void querySntp(boost::asio::any_io_executor executor, boost::asio::ip::udp::endpoint server,
               Duration timeout, std::function<void(Result<SntpSample>)> done,
               std::shared_ptr<const Clock> clock = nullptr);

}  // namespace spindle::net
