#pragma once
/// Why an offered update was not installed. Each reason is a stable word (health's
/// `update.last.reason`, `spindle update status`, docs/updates.md) and the error's message
/// starts with it, so one Error carries both the word and the detail up the call chain.

#include <optional>
#include <string>

#include "base/error.hpp"

namespace spindle::update {

enum class Reason {
  kMalformed,     ///< the envelope or the manifest does not parse
  kUnknownKey,    ///< signed only by keys this edge does not trust
  kBadSignature,  ///< a trusted key's signature does not match the manifest
  kDowngrade,     ///< older than the running version, and not a signed rollback
  kMinVersion,    ///< the running version is below the manifest's min_version
  kFailedBefore,  ///< this version failed its trial here (or was rolled back by an operator)
  kDiskFull,      ///< free space below twice the artifact plus the margin
  kTooLarge,      ///< the artifact is larger than update.max_size
  kDownload,      ///< the download failed (network, TLS, HTTP status); retried later
  kTruncated,     ///< the server sent fewer bytes than the manifest's size
  kHashMismatch,  ///< the bytes do not have the manifest's SHA-256 (or there are too many)
  kBadArtifact,   ///< the artifact does not run, or reports another version
  kInstall,       ///< writing it under versions/ failed
};

const char* reasonName(Reason reason);
/// An Error whose message reads "<reason>: <detail>".
Error refuse(Reason reason, const std::string& detail);
/// The reason an Error made by refuse() carries; nullopt for any other error.
std::optional<Reason> reasonOf(const Error& error);

}  // namespace spindle::update
