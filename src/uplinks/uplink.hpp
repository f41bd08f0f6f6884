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
  /// Sends one batch; observation i has journal sequence `firstSequence + i`. Sequences only
  /// grow, but after a crash the batches since the last acknowledged one come again: an
  /// uplink that can, deduplicates by sequence. Called from one thread at a time.
  virtual SendResult send(std::uint64_t firstSequence, const model::Batch& batch) = 0;
  /// Flushes and closes. Idempotent.
  virtual void stop() = 0;
};

}  // namespace spindle::uplinks
