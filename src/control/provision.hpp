#pragma once
/// Claiming an edge (`spindle provision`): the edge makes its key pair, sends its identity and
/// public key with a one-time token to the cloud API over HTTPS, and writes what it receives
/// (its edge id, the NATS servers and credentials, the configuration bucket) into its data
/// directory and configuration file, each file atomically. The protocol is
/// docs/cloud-protocol.md "Provisioning".
///
///   auto client = net::http::HttpClient::create(options).value();
///   auto done = provision(request, *client);   // blocks: one HTTPS request

#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace spindle::net::http {
class HttpClient;
}

namespace spindle::control {

inline constexpr std::string_view kClaimSchema = "spindle.claim.v1";
inline constexpr std::string_view kClaimPath = "/v1/edges/claim";

struct ProvisionRequest {
  std::string api;         ///< the cloud API's base URL, https://
  std::string token;       ///< the one-time token; never logged nor written anywhere
  std::string dataDir;     ///< where the key, the credentials and provisioning.json go
  std::string configFile;  ///< rewritten with the edge id, NATS servers, bucket, API
  std::string hostname;    ///< sent so the fleet can tell edges apart
  bool force = false;      ///< claim again although provisioning.json exists
};

/// What the API answers (the secrets are written to files, never kept here longer).
struct ClaimAnswer {
  std::string edgeId;
  std::vector<std::string> natsServers;
  std::string natsCredentials;  ///< the text of a NATS .creds file
  std::string configBucket;     ///< empty: the edge's default
  std::string api;              ///< the API's canonical base URL; empty: the one asked
};

/// The JSON body of the claim. `publicKey` is the base64 of the raw 32-byte Ed25519 key.
std::string claimBody(std::string_view token, std::string_view publicKey, std::string_view hostname,
                      std::string_view version);

/// Checks and reads the API's answer: kInvalidArgument naming the field that is missing or
/// malformed (an edge id of letters, digits, '-' and '_', 1 to 64, as NATS subjects take it;
/// nats:// or tls://
/// servers; a credentials text that holds a JWT and a seed).
Result<ClaimAnswer> parseClaimAnswer(std::string_view body);

/// The configuration text with the answer laid in: edge.id, uplinks.nats.servers and
/// .credentials (`credentialsFile`), control.config_bucket, https.api. Everything else stays.
/// kInvalidArgument when `yaml` does not parse or is not a map.
Result<std::string> provisionedConfig(const std::string& yaml, const ClaimAnswer& answer,
                                      const std::string& credentialsFile, const std::string& api);

/// The whole claim: refuses (kInvalidArgument) an edge with `<dataDir>/provisioning.json`
/// unless `force`; makes `<dataDir>/edge-key.pem` (Ed25519, 0600) unless it exists; posts the
/// claim; on a 2xx answer writes `<dataDir>/nats.creds` (0600), the configuration file (the
/// previous one kept as `<file>.bak`) and `provisioning.json` last (what is written marks
/// the edge provisioned only once everything else is). Every error says what to do: 401 a
/// wrong or expired token, 409 a token already used, no answer (the API unreachable). Returns
/// the edge id.
Result<std::string> provision(const ProvisionRequest& request, net::http::HttpClient& client);

}  // namespace spindle::control
