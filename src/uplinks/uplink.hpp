#pragma once
/// Uplinks carry batches out of the edge. Each reads from the journal through a consumer
/// (journal/consumer.hpp) that owns its cursor and its retries; the uplink only answers each
/// batch with Ok, Retry or Reject.

#include <cstdint>
#include <string>

#include "base/error.hpp"
#include "model/observation.hpp"

namespace spindle::uplinks {

enum class SendResult {
  kOk,      ///< delivered (durably, as far as this uplink can tell); the cursor moves past it
  kRetry,   ///< not delivered; the same batch is offered again later, with backoff
  kReject,  ///< can never be delivered (malformed for this destination); counted and skipped
};

class Uplink {
 public:
  virtual ~Uplink() = default;
  /// Names the uplink in logs and names its journal cursor: stable across restarts, letters,
  /// digits, '-', '_' and '.' only.
  virtual const std::string& name() const = 0;
  /// Opens files or connections. Errors are reported, never thrown.
  virtual Status start() = 0;
  /// Called by the consumer after start() and before the first send: the identity of the
  /// journal the sequences come from (sequences are unique within one journal only) and its
  /// durable end (no sequence at or past it was ever delivered). An uplink that remembers
  /// positions of its own checks them against these.
  virtual void attach(std::uint64_t journalId, std::uint64_t durableEnd) {
    (void)journalId;
    (void)durableEnd;
  }
  /// Sends one batch; observation i has journal sequence `firstSequence + i`. Sequences only
  /// grow, but after a crash the batches since the last acknowledged one come again: an
  /// uplink that can, deduplicates by sequence. Called from one thread at a time.
  virtual SendResult send(std::uint64_t firstSequence, const model::Batch& batch) = 0;
  /// Makes everything sent so far durable at the destination. The consumer calls it before
  /// it moves its cursor on disk, so a power cut never leaves a cursor past data that was
  /// not durably delivered. Called from the sending thread.
  virtual Status sync() { return okStatus(); }
  /// Flushes and closes. Idempotent.
  virtual void stop() = 0;
};

}  // namespace spindle::uplinks
