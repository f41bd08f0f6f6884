#pragma once
/// Choosing the endpoint to open a session on from a server's GetEndpoints answer (Part 4,
/// 5.4.4). Pure: no I/O.
///
/// Endpoints are compared by security policy and mode only, never by URL: a server advertises
/// its own hostname (node-opcua its machine name), which may not resolve from here or may name
/// another interface; the client keeps connecting to the URL it was configured with.

#include <span>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "opcua/security_policy.hpp"
#include "opcua/services_session.hpp"

namespace spindle::opcua {

/// The configuration word for "the most secure endpoint the server offers".
inline constexpr std::string_view kBestSecurity = "best";

/// The endpoint with policy `wantPolicy` (a SecurityPolicy URI, or its name such as
/// "Basic256Sha256") and mode `wantMode`; with `wantPolicy` = "best", the most secure one among
/// those whose policy we support: highest SecurityPolicy::strength, then SignAndEncrypt over Sign
/// over None (`wantMode` is ignored). Endpoints on other transports than UA-TCP binary are
/// skipped. kNotFound naming what was asked and listing what the server offers when none
/// matches; kInvalidArgument for a policy we do not know.
Result<EndpointDescription> selectEndpoint(std::span<const EndpointDescription> endpoints,
                                           std::string_view wantPolicy, SecurityMode wantMode);

/// The first user token policy of `endpoint` of `type`, or nullptr.
const UserTokenPolicy* findUserTokenPolicy(const EndpointDescription& endpoint, UserTokenType type);

}  // namespace spindle::opcua
