#pragma once
/// Writes to a Modbus device: the request for a value (which input, which function code, the
/// registers in the input's type and word order), and the book of what scripts want the device
/// to hold.
///
/// A script's `writes` section states what the device should hold (a stack light on, a
/// setpoint). So each wanted value is written when it changes, kept while the device is away
/// and written when it is back, and written again after every reconnect: a device that
/// restarted has lost it. Only the latest value of an input is kept.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "collectors/modbus_tcp/modbus_codec.hpp"
#include "collectors/modbus_tcp/modbus_point_map.hpp"
#include "model/value.hpp"

namespace spindle::collectors::modbus_tcp {

/// The request that writes `value` to the input `key` of `map`: a coil with function 5, a
/// holding register with 6, a wider type with 16. Error for an unknown key, a read-only input
/// (discrete input, input register, one bit of a register) or a value that does not fit.
Result<Request> writeRequestFor(const PointMap& map, const std::string& key,
                                const model::Value& value);

/// Not thread-safe: the collector's strand.
class WriteBook {
 public:
  using Done = std::function<void(Status)>;
  struct Entry {
    std::string key;
    Request request;
    Done done;  ///< the asker's, until the value is sent; then empty
  };

  /// Records `request` as what `key` should hold. `done` (may be empty) is kept until the
  /// value is sent; an older write of `key` still waiting is answered "replaced".
  void want(const std::string& key, Request request, Done done);
  /// After a (re)connect: every input's latest value, to send now (each waiting done handed
  /// over with it, once).
  std::vector<Entry> toSend();
  /// A write that was sent or queued lost its connection: its `done` waits for the next
  /// connect, when the value (or a newer one) is written.
  void resend(const std::string& key, Done done);
  /// The device refused the value of `key`: it is not written again (unless a newer one waits).
  void refused(const std::string& key);
  /// The collector stops: every waiting done is answered with `reason`.
  void fail(const std::string& reason);
  std::size_t size() const { return m_wanted.size(); }

 private:
  std::map<std::string, Entry> m_wanted;
};

}  // namespace spindle::collectors::modbus_tcp
