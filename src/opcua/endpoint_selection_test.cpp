#include "opcua/endpoint_selection.hpp"

#include <gtest/gtest.h>

#include "opcua/secure_channel.hpp"

namespace spindle::opcua {
namespace {

EndpointDescription endpoint(std::string_view policy, MessageSecurityMode mode,
                             std::string url = "opc.tcp://their-hostname:4840/") {
  EndpointDescription e;
  e.endpointUrl = std::move(url);
  e.securityPolicyUri = std::string(policy);
  e.securityMode = mode;
  e.transportProfileUri = "http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary";
  return e;
}

std::vector<EndpointDescription> nodeOpcuaLike() {
  return {endpoint(kPolicyNoneUri, MessageSecurityMode::kNone),
          endpoint(kPolicyBasic256Sha256Uri, MessageSecurityMode::kSign),
          endpoint(kPolicyBasic256Sha256Uri, MessageSecurityMode::kSignAndEncrypt),
          endpoint(kPolicyAes128Sha256RsaOaepUri, MessageSecurityMode::kSign),
          endpoint(kPolicyAes128Sha256RsaOaepUri, MessageSecurityMode::kSignAndEncrypt)};
}

TEST(OpcuaEndpointSelection, ExactPolicyAndModeByUriOrName) {
  const auto eps = nodeOpcuaLike();
  auto a = selectEndpoint(eps, kPolicyBasic256Sha256Uri, SecurityMode::kSign);
  ASSERT_TRUE(a.ok()) << a.error().describe();
  EXPECT_EQ(a->securityPolicyUri, std::string(kPolicyBasic256Sha256Uri));
  EXPECT_EQ(a->securityMode, MessageSecurityMode::kSign);
  auto b = selectEndpoint(eps, "None", SecurityMode::kNone);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->securityMode, MessageSecurityMode::kNone);
}

TEST(OpcuaEndpointSelection, BestPicksStrongestPolicyThenMode) {
  auto eps = nodeOpcuaLike();
  auto best = selectEndpoint(eps, kBestSecurity, SecurityMode::kNone);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->securityPolicyUri, std::string(kPolicyAes128Sha256RsaOaepUri));
  EXPECT_EQ(best->securityMode, MessageSecurityMode::kSignAndEncrypt);
  // Order in the list does not matter.
  std::reverse(eps.begin(), eps.end());
  best = selectEndpoint(eps, kBestSecurity, SecurityMode::kNone);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->securityPolicyUri, std::string(kPolicyAes128Sha256RsaOaepUri));
  EXPECT_EQ(best->securityMode, MessageSecurityMode::kSignAndEncrypt);
}

TEST(OpcuaEndpointSelection, UnsupportedPoliciesAndTransportsAreSkipped) {
  std::vector<EndpointDescription> eps = {
      endpoint("http://opcfoundation.org/UA/SecurityPolicy#Basic128Rsa15",
               MessageSecurityMode::kSignAndEncrypt),
      endpoint(kPolicyNoneUri, MessageSecurityMode::kNone)};
  auto https = endpoint(kPolicyAes256Sha256RsaPssUri, MessageSecurityMode::kSignAndEncrypt);
  https.transportProfileUri = "http://opcfoundation.org/UA-Profile/Transport/https-uabinary";
  eps.push_back(https);
  auto best = selectEndpoint(eps, kBestSecurity, SecurityMode::kSign);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->securityPolicyUri, std::string(kPolicyNoneUri));
}

TEST(OpcuaEndpointSelection, NoMatchListsWhatIsOffered) {
  std::vector<EndpointDescription> eps = {endpoint(kPolicyNoneUri, MessageSecurityMode::kNone)};
  auto r = selectEndpoint(eps, "Basic256Sha256", SecurityMode::kSignAndEncrypt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.error().message().find("Basic256Sha256/SignAndEncrypt"), std::string::npos);
  EXPECT_NE(r.error().message().find("None/None"), std::string::npos);
  auto unknown = selectEndpoint(eps, "Rot13", SecurityMode::kSign);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kInvalidArgument);
}

TEST(OpcuaEndpointSelection, UserTokenPolicyByType) {
  auto e = endpoint(kPolicyNoneUri, MessageSecurityMode::kNone);
  UserTokenPolicy anon;
  anon.policyId = "anonymous";
  UserTokenPolicy user;
  user.policyId = "username_basic256sha256";
  user.tokenType = UserTokenType::kUserName;
  e.userIdentityTokens = {anon, user};
  ASSERT_NE(findUserTokenPolicy(e, UserTokenType::kUserName), nullptr);
  EXPECT_EQ(findUserTokenPolicy(e, UserTokenType::kUserName)->policyId, user.policyId);
  EXPECT_EQ(findUserTokenPolicy(e, UserTokenType::kCertificate), nullptr);
}

TEST(OpcuaErrorForStatus, NamesTheCodeAndMapsIt) {
  auto denied = errorForStatus(StatusCode{0x801F0000u}, "ActivateSession");
  EXPECT_EQ(denied.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(denied.message(), "BadUserAccessDenied: ActivateSession");
  EXPECT_EQ(errorForStatus(status::kBadTimeout, "x").code(), ErrorCode::kTimeout);
  EXPECT_EQ(errorForStatus(status::kBadSessionIdInvalid, "x").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(errorForStatus(status::kBadDecodingError, "x").code(), ErrorCode::kProtocol);
}

}  // namespace
}  // namespace spindle::opcua
