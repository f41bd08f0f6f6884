#pragma once
/// Channel: what control/ needs of a link to the cloud, whatever carries it. control/ names
/// topics relative to the edge ("health", "diag"); the channel maps them to its own names
/// (NATS: `spindle.<edge>.<topic>`, control/channels/nats_channel.hpp). Another transport (an
/// HTTPS channel) implements the same three verbs: publish, answer requests, watch a key.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "base/units.hpp"

namespace spindle::control {

/// A running subscription or watch. Destroying it stops it and waits for a handler that is
/// still running, so nothing is called after the destructor returns.
class ChannelHandle {
 public:
  virtual ~ChannelHandle() = default;
};

/// The answer to one request: the channel sends it back to the requester.
using RequestHandler = std::function<std::string(const std::string& name, std::string_view body)>;

/// What a watch calls, on the channel's own thread, one call at a time.
struct WatchHandlers {
  /// A new value of the key (the current one first), with its revision (increasing).
  std::function<void(const std::string& value, std::uint64_t revision)> value;
  /// The key was deleted or purged.
  std::function<void()> deleted;
};

class Channel {
 public:
  virtual ~Channel() = default;

  /// "nats", ...: for logs and messages.
  virtual std::string kind() const = 0;
  /// Whether a message sent now can reach the cloud. Any thread.
  virtual bool connected() const = 0;

  /// Sends `body` on the edge's `topic` (fire and forget). An error when it cannot be sent
  /// now; nothing is queued for later. Any thread.
  virtual Status publish(const std::string& topic, std::string_view body) = 0;

  /// Answers requests sent to the edge's topics `<prefix>.<name>`: `handler(name, body)`
  /// returns the reply. Handlers run on the channel's thread, one at a time; requests beyond a
  /// small bounded backlog are dropped (their requesters time out), never queued without end.
  virtual Result<std::unique_ptr<ChannelHandle>> serve(const std::string& prefix,
                                                       RequestHandler handler) = 0;

  /// Watches `key` of the cloud's key-value store `bucket` until the handle is destroyed:
  /// waits for the connection and the bucket, and starts over after a broken watch or a
  /// reconnect, `retry` apart. A problem is logged once until it changes.
  virtual Result<std::unique_ptr<ChannelHandle>> watch(const std::string& bucket,
                                                       const std::string& key,
                                                       WatchHandlers handlers, Duration retry) = 0;
};

}  // namespace spindle::control
