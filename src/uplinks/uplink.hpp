#pragma once
/// Uplinks carry batches out of the edge. They answer each batch with Ok, Retry or Reject; the
/// caller (today the pipeline, later the journal) owns retries.

#include <string>

#include "base/error.hpp"
#include "model/observation.hpp"

namespace spindle::uplinks {

enum class SendResult {
  kOk,      ///< delivered (durably, as far as this uplink can tell)
  kRetry,   ///< not delivered; the same batch should be offered again later
  kReject,  ///< can never be delivered (malformed for this destination); count and drop
};

class Uplink {
 public:
  virtual ~Uplink() = default;
  virtual const std::string& name() const = 0;
  /// Opens files or connections. Errors are reported, never thrown.
  virtual Status start() = 0;
  /// Sends one batch. Called from one thread at a time.
  virtual SendResult send(const model::Batch& batch) = 0;
  /// Flushes and closes. Idempotent.
  virtual void stop() = 0;
};

}  // namespace spindle::uplinks
