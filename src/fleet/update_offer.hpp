#pragma once
/// What `spindle fleet update` reads from a signed envelope (made by `spindle update sign`)
/// before it offers it: the manifest's version, to check against `--version` and to recognise
/// in the edge's heartbeats. The signatures are the edge's to verify: only it knows which keys
/// it trusts.

#include <string>

#include "base/error.hpp"
#include "update/manifest.hpp"

namespace spindle::fleet {

/// Parses the envelope and its manifest. When `expectedVersion` is not empty it must be the
/// manifest's version. kInvalidArgument naming what is wrong.
Result<update::Manifest> inspectEnvelope(const std::string& text,
                                         const std::string& expectedVersion);

/// The bucket key an offer goes to: `edge.<edge>` for one edge, the channel for all.
std::string offerKey(const std::string& edge, const std::string& channel);

}  // namespace spindle::fleet
