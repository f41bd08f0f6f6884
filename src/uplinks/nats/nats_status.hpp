#pragma once
/// What the edge's NATS connection reports about itself: cnats errors as Errors, the link's
/// counters, and the link in a few words for the status line.

#include <cstdint>
#include <string>

#include <nats/nats.h>

#include "base/error.hpp"
#include "base/time.hpp"

namespace spindle::uplinks::nats {

/// An Error from a cnats status, with cnats' own last error text when it has one.
Error natsError(natsStatus status, const std::string& what);

struct ConnectionStatus {
  bool connected = false;
  std::string url;  ///< server connected to, or the last one tried
  std::uint64_t reconnects = 0;
  std::uint64_t disconnects = 0;
  /// cnats connections built again after the library closed one for good (see
  /// NatsConnection); 0 while the first one lives.
  std::uint64_t rebuilds = 0;
  std::string lastError;  ///< the last asynchronous error the library reported
  TimestampNs since = 0;  ///< when `connected` last changed
};

/// The link in a few words for the status line: "hub connected since 16:52:59 UTC, last ack
/// 2s ago", "hub down since 16:53:06 UTC (34s), reconnecting, last ack 16:53:05 UTC".
/// `lastAck` is when the hub last acknowledged data (0: never); `now` the wall clock.
std::string describeLink(const ConnectionStatus& status, TimestampNs lastAck, TimestampNs now);

}  // namespace spindle::uplinks::nats
