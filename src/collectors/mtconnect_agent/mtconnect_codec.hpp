#pragma once
/// The MTConnect document codec: agent documents in (XML 1.1-2.x, JSON version 2), device
/// models and observations out. Pure: no sockets, no clocks (the caller passes the arrival
/// time), no logging (problems are returned as rejections or an Error).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/text_hash.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"

namespace spindle::collectors::mtconnect_agent {

enum class DocumentType { kUnknown, kDevices, kStreams, kAssets, kError };
const char* toString(DocumentType type);

/// The Header element (or object) every MTConnect response starts with.
struct Header {
  std::uint64_t instanceId = 0;
  std::uint64_t bufferSize = 0;
  std::uint64_t firstSequence = 0;  ///< streams only
  std::uint64_t lastSequence = 0;   ///< streams only
  std::uint64_t nextSequence = 0;   ///< streams only
  std::string version;              ///< the agent's software version
  std::string schemaVersion;        ///< from the namespace ("1.3", "2.0"), or JSON schemaVersion
  std::string deviceModelChangeTime;
};

/// One <Error errorCode="...">text</Error> of an MTConnectError document.
struct AgentError {
  std::string code;  ///< OUT_OF_RANGE, INVALID_REQUEST, NO_DEVICE, ... (2.x typed names mapped)
  std::string text;
};

/// A data item of the device model (/probe).
struct DataItemInfo {
  std::string id;
  std::string name;
  std::string category;  ///< SAMPLE, EVENT, CONDITION
  std::string type;      ///< EXECUTION, POSITION, ...
  std::string subType;
  std::string units;
  std::string representation;  ///< VALUE (or empty), TIME_SERIES, DATA_SET, TABLE, DISCRETE
  model::Kind kind = model::Kind::kEvent;
};

struct DeviceInfo {
  std::string id;
  std::string name;
  std::string uuid;
  bool isAgent = false;  ///< the agent's own device (element Agent, or named "Agent")
  std::vector<DataItemInfo> items;
};

struct DevicesDocument {
  Header header;
  std::vector<DeviceInfo> devices;
};

/// Components nested deeper than this in a device model make the probe document an error
/// (kProtocol): real devices nest a few levels; the walk is recursive and must not exhaust
/// the stack on a hostile agent's document.
constexpr int kMaxModelDepth = 64;

/// The kind a data item's category, type and representation give.
model::Kind kindOf(std::string_view category, std::string_view type,
                   std::string_view representation);

/// Which document a response body holds, from its root (XML) or top key (JSON); never fails.
DocumentType detectDocument(std::string_view body);

/// Parses an MTConnectDevices document (probe). kProtocol when it is not one.
Result<DevicesDocument> parseDevices(std::string_view body);

/// Parses an MTConnectError document into its errors (an error document holds at least one).
Result<std::vector<AgentError>> parseErrors(std::string_view body);

/// Finds the device a collector reads: by name or uuid; an empty selector takes the only
/// device that is not the agent's own. Returns nullptr and sets `why` when none fits.
const DeviceInfo* selectDevice(const DevicesDocument& doc, const std::string& selector,
                               std::string& why);

/// An observation element that could not be used, and why.
struct Rejection {
  std::string reason;
  std::string excerpt;  ///< dataItemId and element name
};

struct StreamsOutput {
  DocumentType type = DocumentType::kUnknown;
  Header header;
  std::vector<AgentError> errors;        ///< set when the body was an MTConnectError document
  model::Batch observations;             ///< in ascending sequence order
  std::vector<std::uint64_t> sequences;  ///< sequence of each observation (same index)
  std::vector<Rejection> rejections;
  bool deviceSeen = false;  ///< the selected device's DeviceStream was present

  void clear();
};

struct DecoderOptions {
  /// Device name or uuid; empty: every DeviceStream except the agent's own.
  std::string device;
  /// Item key: the dataItemId (default) or the data item's name (the id when it has none).
  bool keyByName = false;
  /// Stamp observations with the arrival time instead of the agent's timestamps.
  bool ignoreTimestamps = false;
  /// Most distinct data items of this machine; observations of new items beyond it are
  /// rejected and counted (DecoderStats::itemsRefused).
  std::size_t maxItems = 2000;
};

struct DecoderStats {
  std::uint64_t documents = 0;
  std::uint64_t observations = 0;
  std::uint64_t rejected = 0;
  std::uint64_t itemsRefused = 0;
};

/// Puts decoded observations in ascending sequence order (agents group them by component).
void sortBySequence(StreamsOutput& out);

/// Turns MTConnectStreams documents (current, sample, streaming parts) into observations of
/// one machine, interning keys in the catalog. Knows the data items' kinds from the probe
/// when setModel() was called, otherwise from the observation's category and element name.
class StreamsDecoder {
 public:
  StreamsDecoder(model::ItemCatalog& catalog, model::MachineId machine, DecoderOptions options);
  ~StreamsDecoder();
  StreamsDecoder(const StreamsDecoder&) = delete;
  StreamsDecoder& operator=(const StreamsDecoder&) = delete;

  /// Remembers the probe's data items (kinds, and the name/id mapping for keys).
  void setModel(const DeviceInfo& device);

  /// Decodes one document (XML or JSON, detected). `body` may be modified (parsed in place).
  /// The output is cleared first. An MTConnectError document fills `out.errors` and is not an
  /// error; a body that is not MTConnect at all returns kProtocol.
  Status decode(std::string& body, TimestampNs arrival, StreamsOutput& out);

  /// Every item this decoder has produced, with its kind (to mark them UNAVAILABLE).
  std::vector<std::pair<model::ItemId, model::Kind>> knownItems() const;
  const DecoderStats& stats() const { return m_stats; }

  /// One observation as parsed, before interning (used by the XML and JSON walkers).
  struct Raw {
    std::string_view id;
    std::string_view name;
    std::string_view element;   ///< local element name (Position, Fault, VariableDataSet)
    std::string_view category;  ///< Samples, Events or Condition
    std::string_view timestamp;
    std::uint64_t sequence = 0;
    bool resetTriggered = false;
  };
  /// Interns the item and returns its kind; used by the walkers.
  struct Slot {
    model::ItemId item = 0;
    model::Kind kind = model::Kind::kEvent;
    bool refused = false;  ///< a new item beyond max_items or max_keys: the walkers reject it
  };
  Slot slotFor(const Raw& raw);
  /// Appends an observation; false (and a rejection) when the timestamp is bad.
  bool push(const Raw& raw, const Slot& slot, model::Value value, StreamsOutput& out,
            TimestampNs arrival);
  bool wantsDevice(std::string_view name, std::string_view uuid) const;
  void noteRejection(StreamsOutput& out, std::string reason, std::string excerpt) {
    out.rejections.push_back(Rejection{std::move(reason), std::move(excerpt)});
  }

 private:
  /// One observation element of an XML document (`node` is a pugi::xml_node).
  void decodeXmlElement(const void* node, std::string_view category, TimestampNs arrival,
                        StreamsOutput& out);

  model::ItemCatalog& m_catalog;
  model::MachineId m_machine;
  DecoderOptions m_options;
  TextMap<DataItemInfo> m_model;
  TextMap<Slot> m_slots;
  TextSet m_keys;  ///< every key interned
  /// Whether `key` may be interned (known, or under max_items); counts a refusal.
  bool admitKey(std::string_view key);
  /// Keeps the slot of an interned item; a slot the catalog refused is returned refused.
  Slot remember(const Raw& raw, std::string_view key, Result<model::ItemId> item, Slot slot);
  std::string m_lastTimestampText;
  TimestampNs m_lastTimestamp = 0;
  DecoderStats m_stats;
};

}  // namespace spindle::collectors::mtconnect_agent
