#pragma once
/// The secure channel, discovery and session services (Part 4, 5.4 to 5.6) as plain structs.
/// Field names and order follow the specification's tables.

#include "opcua/services_common.hpp"

namespace spindle::opcua {

struct OpenSecureChannelRequest {
  static constexpr std::uint32_t kTypeId = 446;
  RequestHeader requestHeader;
  std::uint32_t clientProtocolVersion = 0;
  SecurityTokenRequestType requestType = SecurityTokenRequestType::kIssue;
  MessageSecurityMode securityMode = MessageSecurityMode::kNone;
  ByteString clientNonce;
  std::uint32_t requestedLifetime = 0;  ///< ms
  friend bool operator==(const OpenSecureChannelRequest&,
                         const OpenSecureChannelRequest&) = default;
};

struct ChannelSecurityToken {
  std::uint32_t channelId = 0;
  std::uint32_t tokenId = 0;
  DateTime createdAt;
  std::uint32_t revisedLifetime = 0;  ///< ms
  friend bool operator==(const ChannelSecurityToken&, const ChannelSecurityToken&) = default;
};

struct OpenSecureChannelResponse {
  static constexpr std::uint32_t kTypeId = 449;
  ResponseHeader responseHeader;
  std::uint32_t serverProtocolVersion = 0;
  ChannelSecurityToken securityToken;
  ByteString serverNonce;
  friend bool operator==(const OpenSecureChannelResponse&,
                         const OpenSecureChannelResponse&) = default;
};

struct CloseSecureChannelRequest {
  static constexpr std::uint32_t kTypeId = 452;
  RequestHeader requestHeader;
  friend bool operator==(const CloseSecureChannelRequest&,
                         const CloseSecureChannelRequest&) = default;
};

struct CloseSecureChannelResponse {
  static constexpr std::uint32_t kTypeId = 455;
  ResponseHeader responseHeader;
  friend bool operator==(const CloseSecureChannelResponse&,
                         const CloseSecureChannelResponse&) = default;
};

struct ApplicationDescription {
  String applicationUri;
  String productUri;
  LocalizedText applicationName;
  ApplicationType applicationType = ApplicationType::kClient;
  String gatewayServerUri;
  String discoveryProfileUri;
  Array<String> discoveryUrls;
  friend bool operator==(const ApplicationDescription&, const ApplicationDescription&) = default;
};

struct UserTokenPolicy {
  String policyId;
  UserTokenType tokenType = UserTokenType::kAnonymous;
  String issuedTokenType;
  String issuerEndpointUrl;
  String securityPolicyUri;  ///< how to protect the token; null/empty = the channel's policy
  friend bool operator==(const UserTokenPolicy&, const UserTokenPolicy&) = default;
};

struct EndpointDescription {
  String endpointUrl;
  ApplicationDescription server;
  ByteString serverCertificate;
  MessageSecurityMode securityMode = MessageSecurityMode::kNone;
  String securityPolicyUri;
  Array<UserTokenPolicy> userIdentityTokens;
  String transportProfileUri;
  std::uint8_t securityLevel = 0;
  friend bool operator==(const EndpointDescription&, const EndpointDescription&) = default;
};

struct GetEndpointsRequest {
  static constexpr std::uint32_t kTypeId = 428;
  RequestHeader requestHeader;
  String endpointUrl;
  Array<String> localeIds;
  Array<String> profileUris;
  friend bool operator==(const GetEndpointsRequest&, const GetEndpointsRequest&) = default;
};

struct GetEndpointsResponse {
  static constexpr std::uint32_t kTypeId = 431;
  ResponseHeader responseHeader;
  Array<EndpointDescription> endpoints;
  friend bool operator==(const GetEndpointsResponse&, const GetEndpointsResponse&) = default;
};

struct SignedSoftwareCertificate {
  ByteString certificateData;
  ByteString signature;
  friend bool operator==(const SignedSoftwareCertificate&,
                         const SignedSoftwareCertificate&) = default;
};

struct SignatureData {
  String algorithm;
  ByteString signature;
  friend bool operator==(const SignatureData&, const SignatureData&) = default;
};

struct CreateSessionRequest {
  static constexpr std::uint32_t kTypeId = 461;
  RequestHeader requestHeader;
  ApplicationDescription clientDescription;
  String serverUri;
  String endpointUrl;
  String sessionName;
  ByteString clientNonce;
  ByteString clientCertificate;
  double requestedSessionTimeout = 0;        ///< ms
  std::uint32_t maxResponseMessageSize = 0;  ///< 0 = no limit
  friend bool operator==(const CreateSessionRequest&, const CreateSessionRequest&) = default;
};

struct CreateSessionResponse {
  static constexpr std::uint32_t kTypeId = 464;
  ResponseHeader responseHeader;
  NodeId sessionId;
  NodeId authenticationToken;        ///< goes into every later RequestHeader
  double revisedSessionTimeout = 0;  ///< ms
  ByteString serverNonce;
  ByteString serverCertificate;
  Array<EndpointDescription> serverEndpoints;
  Array<SignedSoftwareCertificate> serverSoftwareCertificates;
  SignatureData serverSignature;
  std::uint32_t maxRequestMessageSize = 0;
  friend bool operator==(const CreateSessionResponse&, const CreateSessionResponse&) = default;
};

/// The identity tokens carried in ActivateSessionRequest::userIdentityToken (ExtensionObject
/// bodies; wrap and unwrap with services.hpp's toExtensionObject / fromExtensionObject).
struct AnonymousIdentityToken {
  static constexpr std::uint32_t kTypeId = 321;
  String policyId;
  friend bool operator==(const AnonymousIdentityToken&, const AnonymousIdentityToken&) = default;
};

struct UserNameIdentityToken {
  static constexpr std::uint32_t kTypeId = 324;
  String policyId;
  String userName;
  ByteString password;  ///< encrypted as the policy says (security work)
  String encryptionAlgorithm;
  friend bool operator==(const UserNameIdentityToken&, const UserNameIdentityToken&) = default;
};

struct X509IdentityToken {
  static constexpr std::uint32_t kTypeId = 327;
  String policyId;
  ByteString certificateData;
  friend bool operator==(const X509IdentityToken&, const X509IdentityToken&) = default;
};

struct ActivateSessionRequest {
  static constexpr std::uint32_t kTypeId = 467;
  RequestHeader requestHeader;
  SignatureData clientSignature;
  Array<SignedSoftwareCertificate> clientSoftwareCertificates;
  Array<String> localeIds;
  ExtensionObject userIdentityToken;
  SignatureData userTokenSignature;
  friend bool operator==(const ActivateSessionRequest&, const ActivateSessionRequest&) = default;
};

struct ActivateSessionResponse {
  static constexpr std::uint32_t kTypeId = 470;
  ResponseHeader responseHeader;
  ByteString serverNonce;
  Array<StatusCode> results;
  Array<DiagnosticInfo> diagnosticInfos;
  friend bool operator==(const ActivateSessionResponse&, const ActivateSessionResponse&) = default;
};

struct CloseSessionRequest {
  static constexpr std::uint32_t kTypeId = 473;
  RequestHeader requestHeader;
  bool deleteSubscriptions = true;
  friend bool operator==(const CloseSessionRequest&, const CloseSessionRequest&) = default;
};

struct CloseSessionResponse {
  static constexpr std::uint32_t kTypeId = 476;
  ResponseHeader responseHeader;
  friend bool operator==(const CloseSessionResponse&, const CloseSessionResponse&) = default;
};

SPINDLE_OPCUA_CODEC(OpenSecureChannelRequest);
SPINDLE_OPCUA_CODEC(ChannelSecurityToken);
SPINDLE_OPCUA_CODEC(OpenSecureChannelResponse);
SPINDLE_OPCUA_CODEC(CloseSecureChannelRequest);
SPINDLE_OPCUA_CODEC(CloseSecureChannelResponse);
SPINDLE_OPCUA_CODEC(ApplicationDescription);
SPINDLE_OPCUA_CODEC(UserTokenPolicy);
SPINDLE_OPCUA_CODEC(EndpointDescription);
SPINDLE_OPCUA_CODEC(GetEndpointsRequest);
SPINDLE_OPCUA_CODEC(GetEndpointsResponse);
SPINDLE_OPCUA_CODEC(SignedSoftwareCertificate);
SPINDLE_OPCUA_CODEC(SignatureData);
SPINDLE_OPCUA_CODEC(CreateSessionRequest);
SPINDLE_OPCUA_CODEC(CreateSessionResponse);
SPINDLE_OPCUA_CODEC(AnonymousIdentityToken);
SPINDLE_OPCUA_CODEC(UserNameIdentityToken);
SPINDLE_OPCUA_CODEC(X509IdentityToken);
SPINDLE_OPCUA_CODEC(ActivateSessionRequest);
SPINDLE_OPCUA_CODEC(ActivateSessionResponse);
SPINDLE_OPCUA_CODEC(CloseSessionRequest);
SPINDLE_OPCUA_CODEC(CloseSessionResponse);

}  // namespace spindle::opcua
