#include "opcua/services_session.hpp"

#include "opcua/fields.hpp"

namespace spindle::opcua {

SPINDLE_OPCUA_FIELDS(OpenSecureChannelRequest, x.requestHeader, x.clientProtocolVersion,
                     x.requestType, x.securityMode, x.clientNonce, x.requestedLifetime)
SPINDLE_OPCUA_FIELDS(ChannelSecurityToken, x.channelId, x.tokenId, x.createdAt, x.revisedLifetime)
SPINDLE_OPCUA_FIELDS(OpenSecureChannelResponse, x.responseHeader, x.serverProtocolVersion,
                     x.securityToken, x.serverNonce)
SPINDLE_OPCUA_FIELDS(CloseSecureChannelRequest, x.requestHeader)
SPINDLE_OPCUA_FIELDS(CloseSecureChannelResponse, x.responseHeader)

SPINDLE_OPCUA_FIELDS(ApplicationDescription, x.applicationUri, x.productUri, x.applicationName,
                     x.applicationType, x.gatewayServerUri, x.discoveryProfileUri, x.discoveryUrls)
SPINDLE_OPCUA_FIELDS(UserTokenPolicy, x.policyId, x.tokenType, x.issuedTokenType,
                     x.issuerEndpointUrl, x.securityPolicyUri)
SPINDLE_OPCUA_FIELDS(EndpointDescription, x.endpointUrl, x.server, x.serverCertificate,
                     x.securityMode, x.securityPolicyUri, x.userIdentityTokens,
                     x.transportProfileUri, x.securityLevel)
SPINDLE_OPCUA_FIELDS(GetEndpointsRequest, x.requestHeader, x.endpointUrl, x.localeIds,
                     x.profileUris)
SPINDLE_OPCUA_FIELDS(GetEndpointsResponse, x.responseHeader, x.endpoints)

SPINDLE_OPCUA_FIELDS(SignedSoftwareCertificate, x.certificateData, x.signature)
SPINDLE_OPCUA_FIELDS(SignatureData, x.algorithm, x.signature)
SPINDLE_OPCUA_FIELDS(CreateSessionRequest, x.requestHeader, x.clientDescription, x.serverUri,
                     x.endpointUrl, x.sessionName, x.clientNonce, x.clientCertificate,
                     x.requestedSessionTimeout, x.maxResponseMessageSize)
SPINDLE_OPCUA_FIELDS(CreateSessionResponse, x.responseHeader, x.sessionId, x.authenticationToken,
                     x.revisedSessionTimeout, x.serverNonce, x.serverCertificate, x.serverEndpoints,
                     x.serverSoftwareCertificates, x.serverSignature, x.maxRequestMessageSize)

SPINDLE_OPCUA_FIELDS(AnonymousIdentityToken, x.policyId)
SPINDLE_OPCUA_FIELDS(UserNameIdentityToken, x.policyId, x.userName, x.password,
                     x.encryptionAlgorithm)
SPINDLE_OPCUA_FIELDS(X509IdentityToken, x.policyId, x.certificateData)
SPINDLE_OPCUA_FIELDS(ActivateSessionRequest, x.requestHeader, x.clientSignature,
                     x.clientSoftwareCertificates, x.localeIds, x.userIdentityToken,
                     x.userTokenSignature)
SPINDLE_OPCUA_FIELDS(ActivateSessionResponse, x.responseHeader, x.serverNonce, x.results,
                     x.diagnosticInfos)
SPINDLE_OPCUA_FIELDS(CloseSessionRequest, x.requestHeader, x.deleteSubscriptions)
SPINDLE_OPCUA_FIELDS(CloseSessionResponse, x.responseHeader)

}  // namespace spindle::opcua
