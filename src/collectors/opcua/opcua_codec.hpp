#pragma once
/// The opcua collector's codec: what an OPC UA value becomes in Spindle's model. Pure: no I/O,
/// no clock (the caller passes the arrival time).
///
/// Variant -> model::Value:
///   null                                   UNAVAILABLE
///   Boolean                                bool
///   SByte .. Int64, Byte .. UInt32         int64
///   UInt64                                 int64 when it fits, else double
///   Float, Double                          double (NaN and infinities: UNAVAILABLE, rejected)
///   String, XmlElement                     string
///   LocalizedText                          its text (the locale dropped)
///   DateTime                               ISO 8601 UTC text, e.g. "2026-12-05T18:36:23.125Z"
///   Guid, NodeId, ExpandedNodeId           their text forms (opcua/types.hpp)
///   QualifiedName                          "<ns>:<name>", or the name alone in namespace 0
///   StatusCode                             its name, e.g. "BadNodeIdUnknown"
///   ByteString                             lowercase hex
///   arrays (any dimensions) of numbers     std::vector<double>, flattened in order (Boolean 0/1)
///   arrays of other types                  text "[a, b, c]" of the elements as above
///   ExtensionObject Range (i=886)          std::vector<double>{low, high}
///   ExtensionObject EUInformation (i=889)  the display name's text
///   other ExtensionObjects, DataValue, Variant, DiagnosticInfo: an error naming the type
///   (Spindle cannot decode a server's own structures: read their fields as nodes)

#include <cstdint>
#include <string>

#include "base/error.hpp"
#include "base/time.hpp"
#include "model/observation.hpp"
#include "opcua/types.hpp"

namespace spindle::collectors::opcua {

namespace ua = spindle::opcua;

/// Which timestamp an observation carries (option `timestamps`).
enum class TimestampSource : std::uint8_t {
  kSource,   ///< the value's SourceTimestamp, else its ServerTimestamp, else arrival
  kServer,   ///< the ServerTimestamp, else arrival
  kArrival,  ///< when the edge received it
};

/// The model value of one Variant (the table above); kInvalidArgument naming the type when it
/// has none.
Result<model::Value> toValue(const ua::Variant& variant);

/// One DataValue as Spindle records it.
struct ItemValue {
  model::Value value;  ///< UNAVAILABLE when the status is Bad or the value cannot be converted
  TimestampNs time = 0;
  bool arrivalTime = false;  ///< `time` is the arrival (observation flag kFlagArrivalTime)
  /// Why the value is UNAVAILABLE: "BadNodeIdUnknown", or the conversion error; empty when
  /// the value is good or Uncertain (an Uncertain value is kept).
  std::string problem;
};

/// A DataValue without a value but with a Good status (a server that left the value out) is
/// UNAVAILABLE with problem "no value". Timestamps before 1970 or more than a day after
/// `arrival` are not believed: arrival is used instead (a PLC without a set clock).
ItemValue fromDataValue(const ua::DataValue& dataValue, TimestampNs arrival,
                        TimestampSource source);

}  // namespace spindle::collectors::opcua
