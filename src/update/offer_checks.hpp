#pragma once
/// The checks an offer must pass before a byte is downloaded. Pure: the caller supplies the
/// running version, the state and the free space, so every refusal is testable without a disk.

#include <cstdint>

#include "base/error.hpp"
#include "update/manifest.hpp"
#include "update/update_state.hpp"

namespace spindle::update {

struct OfferContext {
  Version running;
  const UpdateState* state = nullptr;
  std::uint64_t freeBytes = 0;  ///< on the data directory's file system (statvfs f_bavail)
  std::uint64_t maxSize = 0;    ///< update.max_size
  std::uint64_t margin = 0;     ///< update.disk_margin
};

/// Ok when `manifest` may be installed over `context.running`. Refusals, in this order:
/// kFailedBefore, kDowngrade (older and not `rollback: true`), kMinVersion, kTooLarge,
/// kDiskFull (free < 2 * size + margin: the download and the installed copy, plus room for
/// the journal to go on). The same version as the running one is not an offer at all: the
/// caller ignores it before asking.
Status checkOffer(const Manifest& manifest, const OfferContext& context);

}  // namespace spindle::update
