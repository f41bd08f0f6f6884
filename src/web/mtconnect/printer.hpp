#pragma once
/// MTConnect response documents in the schema version the Header names (HeaderInfo::version;
/// XML valid against that version's official schemas) and in the agent JSON format version 2.
/// Pure: everything printed is passed in.

#include <cstdint>
#include <string>
#include <vector>

#include "base/xml_text.hpp"
#include "web/mtconnect/device_model.hpp"
#include "web/mtconnect/observation_index.hpp"
#include "web/mtconnect/schema_version.hpp"

namespace spindle::web::mtconnect {

/// The interface's own version, in Header@version.
constexpr const char* kAgentVersion = "2.2.0.0";

enum class Format { kXml, kJson };

struct HeaderInfo {
  SchemaVersion version = kDefaultSchemaVersion;  ///< of the document
  std::string sender;
  std::uint64_t instanceId = 0;
  std::uint64_t bufferSize = 0;
  std::uint64_t firstSequence = 0;
  std::uint64_t lastSequence = 0;
  std::uint64_t nextSequence = 0;
  std::uint64_t assetBufferSize = 0;
  std::uint64_t assetCount = 0;
  std::string deviceModelChangeTime;
  TimestampNs creationTime = 0;
};

/// One observation to print: the item (index into Snapshot::items) and its entry. A synthetic
/// item (availability, the Agent's items) has `text` instead of a value.
struct Row {
  std::size_t meta = 0;
  std::uint64_t sequence = 0;
  TimestampNs timestamp = 0;
  const model::Value* value = nullptr;
  std::string text;
  std::uint8_t flags = 0;
  model::Kind kind = model::Kind::kEvent;
};

/// Leaves out the rows `header`'s version cannot carry and orders the rest by device,
/// component, category (samples, events, conditions) and sequence, as both formats print them.
/// Returns the device index (into snapshot.devices) of every snapshot item.
std::vector<std::size_t> orderRows(const HeaderInfo& header, const Snapshot& snapshot,
                                   std::vector<Row>& rows);

/// `selected` (same indexes as snapshot.items) limits the items shown; nullptr shows all.
void printDevices(std::string& out, Format format, const HeaderInfo& header,
                  const Snapshot& snapshot, const std::vector<bool>* selected);
/// Rows in any order; printed per device, then by sequence.
void printStreams(std::string& out, Format format, const HeaderInfo& header,
                  const Snapshot& snapshot, std::vector<Row>& rows);
void printError(std::string& out, Format format, const HeaderInfo& header, const std::string& code,
                const std::string& text);
void printAssets(std::string& out, Format format, const HeaderInfo& header,
                 const std::vector<AssetEntry>& assets);

}  // namespace spindle::web::mtconnect
