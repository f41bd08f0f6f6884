#include "update/refusal.hpp"

namespace spindle::update {
namespace {

constexpr Reason kAll[] = {Reason::kMalformed, Reason::kUnknownKey,   Reason::kBadSignature,
                           Reason::kDowngrade, Reason::kMinVersion,   Reason::kFailedBefore,
                           Reason::kDiskFull,  Reason::kTooLarge,     Reason::kDownload,
                           Reason::kTruncated, Reason::kHashMismatch, Reason::kBadArtifact,
                           Reason::kInstall};

}  // namespace

const char* reasonName(Reason reason) {
  switch (reason) {
    case Reason::kMalformed:
      return "malformed";
    case Reason::kUnknownKey:
      return "unknown_key";
    case Reason::kBadSignature:
      return "bad_signature";
    case Reason::kDowngrade:
      return "downgrade";
    case Reason::kMinVersion:
      return "min_version";
    case Reason::kFailedBefore:
      return "failed_before";
    case Reason::kDiskFull:
      return "disk_full";
    case Reason::kTooLarge:
      return "too_large";
    case Reason::kDownload:
      return "download";
    case Reason::kTruncated:
      return "truncated";
    case Reason::kHashMismatch:
      return "hash_mismatch";
    case Reason::kBadArtifact:
      return "bad_artifact";
    case Reason::kInstall:
      return "install";
  }
  return "unknown";
}

Error refuse(Reason reason, const std::string& detail) {
  const ErrorCode code = reason == Reason::kDownload  ? ErrorCode::kUnavailable
                         : reason == Reason::kInstall ? ErrorCode::kIo
                                                      : ErrorCode::kInvalidArgument;
  return Error(code, std::string(reasonName(reason)) + ": " + detail);
}

std::optional<Reason> reasonOf(const Error& error) {
  const std::string& m = error.message();
  for (Reason r : kAll) {
    const std::string name = reasonName(r);
    if (m.size() > name.size() && m.compare(0, name.size(), name) == 0 && m[name.size()] == ':') {
      return r;
    }
  }
  return std::nullopt;
}

}  // namespace spindle::update
