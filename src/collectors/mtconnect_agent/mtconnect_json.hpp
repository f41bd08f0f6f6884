#pragma once
/// The JSON half of the codec: documents in the agent's JSON format version 2
/// (`"jsonVersion": 2`: observations grouped in objects keyed by element name whose values are
/// arrays). Version 1 documents are refused with a clear error.

#include <string_view>

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"

namespace spindle::collectors::mtconnect_agent::jsonv2 {

DocumentType detect(std::string_view body);
Result<DevicesDocument> parseDevices(std::string_view body);
Result<std::vector<AgentError>> parseErrors(std::string_view body);
/// Fills `out` (already cleared) from an MTConnectStreams or MTConnectError JSON document.
Status decodeStreams(StreamsDecoder& decoder, std::string_view body, TimestampNs arrival,
                     StreamsOutput& out);

}  // namespace spindle::collectors::mtconnect_agent::jsonv2
