#pragma once
/// What every OPC UA service message shares (Part 4, 7.28, 7.29, 7.30): the request and
/// response headers, ServiceFault, and the enumerations several services use. Each message
/// struct names the NodeId of its DefaultBinary encoding in `kTypeId` (namespace 0); that
/// NodeId precedes the message on the wire (services.hpp: encodeMessage, decodeMessage).

#include <cstdint>

#include "opcua/security_policy.hpp"
#include "opcua/types.hpp"

/// Declares the binary encode and decode of a structure (defined with its fields in a .cpp).
#define SPINDLE_OPCUA_CODEC(Type)            \
  void encode(Writer& w, const Type& value); \
  void decode(Reader& r, Type& value)

namespace spindle::opcua {

/// The services' name for the security mode (Part 4, 7.20): one enumeration for the wire and
/// the policies (security_policy.hpp).
using MessageSecurityMode = SecurityMode;
enum class SecurityTokenRequestType : std::int32_t { kIssue = 0, kRenew = 1 };
enum class ApplicationType : std::int32_t {
  kServer = 0,
  kClient = 1,
  kClientAndServer = 2,
  kDiscoveryServer = 3
};
enum class UserTokenType : std::int32_t {
  kAnonymous = 0,
  kUserName = 1,
  kCertificate = 2,
  kIssuedToken = 3
};
enum class TimestampsToReturn : std::int32_t {
  kSource = 0,
  kServer = 1,
  kBoth = 2,
  kNeither = 3,
  kInvalid = 4
};
enum class BrowseDirection : std::int32_t { kForward = 0, kInverse = 1, kBoth = 2, kInvalid = 3 };
enum class NodeClass : std::int32_t {
  kUnspecified = 0,
  kObject = 1,
  kVariable = 2,
  kMethod = 4,
  kObjectType = 8,
  kVariableType = 16,
  kReferenceType = 32,
  kDataType = 64,
  kView = 128,
};
enum class MonitoringMode : std::int32_t { kDisabled = 0, kSampling = 1, kReporting = 2 };
enum class DataChangeTrigger : std::int32_t {
  kStatus = 0,
  kStatusValue = 1,
  kStatusValueTimestamp = 2
};

/// Attribute ids (Part 6, A.1) a client reads most.
namespace attribute {
inline constexpr std::uint32_t kNodeId = 1;
inline constexpr std::uint32_t kNodeClass = 2;
inline constexpr std::uint32_t kBrowseName = 3;
inline constexpr std::uint32_t kDisplayName = 4;
inline constexpr std::uint32_t kValue = 13;
inline constexpr std::uint32_t kDataType = 14;
}  // namespace attribute

struct RequestHeader {
  NodeId authenticationToken;  ///< from CreateSession; null before
  DateTime timestamp;
  std::uint32_t requestHandle = 0;
  std::uint32_t returnDiagnostics = 0;
  String auditEntryId;
  std::uint32_t timeoutHint = 0;  ///< ms; 0 = none
  ExtensionObject additionalHeader;
  friend bool operator==(const RequestHeader&, const RequestHeader&) = default;
};

struct ResponseHeader {
  DateTime timestamp;
  std::uint32_t requestHandle = 0;
  StatusCode serviceResult;
  DiagnosticInfo serviceDiagnostics;
  Array<String> stringTable;
  ExtensionObject additionalHeader;
  friend bool operator==(const ResponseHeader&, const ResponseHeader&) = default;
};

/// What a server answers instead of the response when the whole service failed.
struct ServiceFault {
  static constexpr std::uint32_t kTypeId = 397;
  ResponseHeader responseHeader;
  friend bool operator==(const ServiceFault&, const ServiceFault&) = default;
};

SPINDLE_OPCUA_CODEC(RequestHeader);
SPINDLE_OPCUA_CODEC(ResponseHeader);
SPINDLE_OPCUA_CODEC(ServiceFault);

}  // namespace spindle::opcua
