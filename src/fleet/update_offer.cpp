#include "fleet/update_offer.hpp"

namespace spindle::fleet {

Result<update::Manifest> inspectEnvelope(const std::string& text,
                                         const std::string& expectedVersion) {
  auto envelope = update::parseEnvelope(text);
  if (!envelope) {
    return Error(ErrorCode::kInvalidArgument, envelope.error().describe())
        .with("not a signed envelope (make one with `spindle update sign`)");
  }
  if (envelope->signatures.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the envelope carries no signature");
  }
  auto manifest = update::parseManifest(envelope->manifest);
  if (!manifest) {
    return Error(ErrorCode::kInvalidArgument, manifest.error().describe())
        .with("the envelope's manifest");
  }
  if (!expectedVersion.empty() && manifest->version.text() != expectedVersion) {
    return Error(ErrorCode::kInvalidArgument, "the envelope offers version " +
                                                  manifest->version.text() + ", not " +
                                                  expectedVersion + " (--version)");
  }
  return manifest;
}

std::string offerKey(const std::string& edge, const std::string& channel) {
  return edge.empty() ? channel : "edge." + edge;
}

}  // namespace spindle::fleet
