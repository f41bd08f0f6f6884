// selectEndpoint (endpoint_selection.hpp).
#include "opcua/endpoint_selection.hpp"

namespace spindle::opcua {
namespace {

constexpr std::string_view kUaTcpProfile =
    "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary";

const SecurityPolicy* policyByUriOrName(std::string_view want) {
  if (const SecurityPolicy* p = findSecurityPolicy(want)) return p;
  for (const SecurityPolicy& p : securityPolicies()) {
    if (p.name == want) return &p;
  }
  return nullptr;
}

bool usable(const EndpointDescription& e) {
  const std::string profile = e.transportProfileUri.value_or("");
  if (!profile.empty() && profile != kUaTcpProfile) return false;
  const auto mode = e.securityMode;
  if (mode != SecurityMode::kNone && mode != SecurityMode::kSign &&
      mode != SecurityMode::kSignAndEncrypt) {
    return false;
  }
  const SecurityPolicy* p = findSecurityPolicy(e.securityPolicyUri.value_or(""));
  // A None policy goes only with the None mode, and the reverse.
  return p != nullptr && p->isNone() == (mode == SecurityMode::kNone);
}

std::string offered(std::span<const EndpointDescription> endpoints) {
  std::string out;
  for (const EndpointDescription& e : endpoints) {
    if (!out.empty()) out += ", ";
    const std::string uri = e.securityPolicyUri.value_or("");
    const SecurityPolicy* p = findSecurityPolicy(uri);
    out += (p ? std::string(p->name) : uri) + "/" + toString(e.securityMode);
  }
  return out.empty() ? "nothing" : out;
}

}  // namespace

Result<EndpointDescription> selectEndpoint(std::span<const EndpointDescription> endpoints,
                                           std::string_view wantPolicy, SecurityMode wantMode) {
  const bool best = wantPolicy == kBestSecurity;
  const SecurityPolicy* want = best ? nullptr : policyByUriOrName(wantPolicy);
  if (!best && want == nullptr) {
    return Error(ErrorCode::kInvalidArgument,
                 "unknown security policy '" + std::string(wantPolicy) + "'");
  }
  const EndpointDescription* chosen = nullptr;
  int chosenRank = -1;
  for (const EndpointDescription& e : endpoints) {
    if (!usable(e)) continue;
    const SecurityPolicy* p = findSecurityPolicy(e.securityPolicyUri.value_or(""));
    const auto mode = e.securityMode;
    if (best) {
      const int rank = p->strength * 4 + static_cast<int>(mode);
      if (rank > chosenRank) {
        chosen = &e;
        chosenRank = rank;
      }
    } else if (p == want && mode == wantMode) {
      chosen = &e;
      break;
    }
  }
  if (chosen == nullptr) {
    const std::string asked = best ? std::string("any endpoint we support")
                                   : std::string(want->name) + "/" + toString(wantMode);
    return Error(ErrorCode::kNotFound,
                 "the server offers no " + asked + " (it offers " + offered(endpoints) + ")");
  }
  return *chosen;
}

const UserTokenPolicy* findUserTokenPolicy(const EndpointDescription& endpoint,
                                           UserTokenType type) {
  for (const UserTokenPolicy& t : endpoint.userIdentityTokens) {
    if (t.tokenType == type) return &t;
  }
  return nullptr;
}

}  // namespace spindle::opcua
