#pragma once
/// What a machine's script wants the machine to hold, for collectors that write (a Modbus
/// coil or register, a FOCAS macro variable).
///
/// A script's `writes` section states a value the machine should hold (a stack light on, a
/// setpoint, a part-count target). So each wanted value is written when it changes, kept while
/// the machine is away and written when it is back, and written again after every reconnect:
/// a control that restarted has lost it. Only the latest value of an input is kept; a value
/// the machine refused is not written again until a newer one is asked.
///
/// `Request` is the collector's own encoded write. Not thread-safe: the collector's strand.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors {

template <typename Request>
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
  void want(const std::string& key, Request request, Done done) {
    Entry& e = m_wanted[key];
    if (e.done) e.done(replaced());
    e = Entry{key, std::move(request), std::move(done)};
  }

  /// After a (re)connect: every input's latest value, to send now (each waiting done handed
  /// over with it, once).
  std::vector<Entry> toSend() {
    std::vector<Entry> out;
    out.reserve(m_wanted.size());
    for (auto& [key, e] : m_wanted) out.push_back(Entry{key, e.request, std::exchange(e.done, {})});
    return out;
  }

  /// A write that was sent or queued lost its connection: its `done` waits for the next
  /// connect, when the value (or a newer one) is written.
  void resend(const std::string& key, Done done) {
    if (!done) return;
    const auto it = m_wanted.find(key);
    if (it == m_wanted.end()) {
      done(Error(ErrorCode::kUnavailable, "the connection was lost before the write was answered"));
      return;
    }
    if (it->second.done) {  // a newer value waits: this one will never be written
      done(replaced());
      return;
    }
    it->second.done = std::move(done);
  }

  /// The machine refused the value of `key`: it is not written again (unless a newer one
  /// waits).
  void refused(const std::string& key) {
    const auto it = m_wanted.find(key);
    if (it != m_wanted.end() && !it->second.done) m_wanted.erase(it);
  }

  /// The collector stops: every waiting done is answered with `reason`.
  void fail(const std::string& reason) {
    for (auto& [key, e] : m_wanted) {
      if (e.done) std::exchange(e.done, {})(Error(ErrorCode::kUnavailable, reason));
    }
  }

  std::size_t size() const { return m_wanted.size(); }

 private:
  static Error replaced() {
    return Error(ErrorCode::kUnavailable, "replaced by a newer value before it was written");
  }

  std::map<std::string, Entry> m_wanted;
};

/// What a writing collector's start() refuses of its script's `writes` (and so `spindle
/// validate` too): a target `unwritable` gives a reason for ("" = it can be written), or any
/// write while the machine's `allow_write` is off.
inline Status checkScriptWrites(
    const transform::CompiledScript* script, bool allowWrite,
    const std::function<std::string(const transform::InputSpec&)>& unwritable) {
  if (script == nullptr || script->writes().empty()) return okStatus();
  std::string targets;
  for (const auto& w : script->writes()) {
    const auto& input = script->inputs()[static_cast<std::size_t>(w.input)];
    if (const std::string why = unwritable(input); !why.empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "its script writes '" + w.target + "', which cannot be written: " + why);
    }
    targets += (targets.empty() ? "" : ", ") + w.target;
  }
  if (!allowWrite) {
    return Error(ErrorCode::kInvalidArgument,
                 "its script writes " + targets +
                     " and allow_write is off; set allow_write: true to let Spindle write to "
                     "this machine");
  }
  return okStatus();
}

}  // namespace spindle::collectors
