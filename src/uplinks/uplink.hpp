#pragma once
/// Uplinks carry journal records out of the edge. Each is driven by its own delivery engine
/// (uplinks/delivery_engine.hpp), which reads the journal, keeps the cursor, bounds what is in
/// flight, retries and counts; the uplink only takes records and answers each one, now or
/// later, from any thread: Ok, Retry or Reject.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/time.hpp"
#include "base/units.hpp"
#include "model/observation.hpp"

namespace spindle::uplinks {

/// How a record ended.
enum class Outcome {
  kOk,      ///< delivered (durably, as far as this uplink can tell)
  kRetry,   ///< not delivered now; the engine offers the record again after a backoff
  kReject,  ///< can never be delivered (e.g. larger than the destination takes): held
};

struct Completion {
  Outcome outcome = Outcome::kOk;
  std::string reason;  ///< why Retry or Reject, for logs and health
};

/// Called exactly once per submitted record, from any thread (inline from submit() too).
using CompletionFn = std::function<void(Completion)>;

/// One journal record: observation i has sequence `firstSequence + i`. Valid only during
/// submit(): an uplink that completes later copies or encodes what it needs first.
struct Record {
  std::uint64_t firstSequence = 0;
  std::span<const model::Observation> observations;
  std::uint64_t endSequence() const { return firstSequence + observations.size(); }
};

/// What the engine may do with an uplink.
struct DeliveryOptions {
  /// Records are completed strictly in sequence order, one at a time (a destination that
  /// finds its own position by the last sequence it holds, like a file). No live lane.
  bool ordered = false;
  /// An ordered uplink that never rejects may take consecutive records in one submit (a file:
  /// one write for many small records). A reject would then hold them all, so an uplink that
  /// can reject leaves this off.
  bool coalesce = false;
  std::uint64_t liveWindow = 20000;        ///< observations behind the newest still sent as live
  double backlogRate = 50000;              ///< backlog observations per second at most; 0: no cap
  int maxInFlight = 256;                   ///< records submitted and not completed, at most
  ByteSize maxInFlightBytes{32ULL << 20};  ///< bytes submitted and not completed, at most
};

/// Handed to attach(): where the sequences come from, and how to wake the engine.
struct AttachInfo {
  /// The journal's identity (sequences are unique within one journal only) and its durable
  /// end (no sequence at or past it was ever delivered).
  std::uint64_t journalId = 0;
  std::uint64_t durableEnd = 0;
  /// Tells the engine that ready() may have changed. Any thread; cheap.
  std::function<void()> wake;
};

class Uplink {
 public:
  virtual ~Uplink() = default;
  /// Names the uplink in logs, health and its journal cursor: stable across restarts, letters,
  /// digits, '-', '_' and '.' only.
  virtual const std::string& name() const = 0;
  virtual DeliveryOptions delivery() const { return {}; }
  /// Opens files or connections (a connection may keep connecting in the background).
  /// Errors are reported, never thrown.
  virtual Status start() = 0;
  /// Called by the engine after start() and before the first submit().
  virtual void attach(const AttachInfo& info) { (void)info; }
  /// False while records cannot go out (disconnected): the engine holds them back and plans
  /// its lanes again when the uplink calls AttachInfo::wake and answers true.
  virtual bool ready() const { return true; }
  /// Takes one record; `done` runs exactly once, now or later. Returns the bytes the record
  /// holds in flight until then (0 when it completed inline), for the engine's window. After
  /// a crash the records since the last committed cursor come again: an uplink that can,
  /// deduplicates by sequence (and journal). Called from the engine's thread only.
  virtual std::size_t submit(const Record& record, CompletionFn done) = 0;
  /// The engine has nothing more to give for now: an uplink that gathers records into larger
  /// sends (HTTPS requests) sends what it holds. Called at the end of every pass of the engine
  /// that submitted something. Engine thread.
  virtual void flush() {}
  /// Makes everything completed Ok so far durable at the destination. The engine calls it
  /// before it moves its cursor on disk. Engine thread.
  virtual Status sync() { return okStatus(); }
  /// Extra figures for health and status ("published", "duplicates", ...).
  virtual std::vector<std::pair<std::string, std::uint64_t>> counters() const { return {}; }
  /// Drops what is in flight (no completion runs after it returns), flushes and closes.
  /// Idempotent.
  virtual void stop() = 0;
};

}  // namespace spindle::uplinks
