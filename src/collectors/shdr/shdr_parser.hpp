#pragma once
/// The SHDR codec: bytes from an adapter in, observations out. Pure: no sockets, no clocks
/// (the caller passes the arrival time), no logging (problems are returned as rejections).

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/flat_text_index.hpp"
#include "collectors/shdr/shdr_tokenizer.hpp"
#include "model/device_file.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"
#include "model/unit_conversion.hpp"

namespace spindle::collectors::shdr {

/// A `* name: value` line from the adapter (PONG, shdrVersion, uuid, ...).
struct Command {
  std::string name;   ///< "PONG", "shdrVersion", "uuid"
  std::string value;  ///< "10000", "2"
};

/// A line, or part of one, that could not be used, and why.
struct Rejection {
  std::uint64_t lineNumber = 0;  ///< 1-based count of lines fed to this parser
  std::string reason;
  std::string excerpt;  ///< the start of the line, at most 120 characters
};

struct ParseOutput {
  model::Batch observations;
  std::vector<Command> commands;
  std::vector<Rejection> rejections;

  void clear() {
    observations.clear();
    commands.clear();
    rejections.clear();
  }
};

struct ParserOptions {
  /// Kinds declared in configuration, by key. Without a declaration the parser infers the
  /// kind from the line's shape and remembers it for the key (see docs/collectors/shdr.md).
  std::map<std::string, model::Kind> kinds;
  /// Use the arrival time instead of the adapter's timestamps (adapters with bad clocks).
  bool ignoreTimestamps = false;
  /// Longest accepted line (and multiline asset) in bytes; longer input is rejected.
  std::size_t maxLineBytes = 1 << 20;
  /// Most distinct keys (data items) of this machine; a line's new key beyond it is rejected
  /// with the rest of its line (the fields that follow cannot be told apart), and counted.
  std::size_t maxItems = 2000;
  /// The machine's device file (device_file:), or null. With one, its data items are the
  /// machine's items, interned under their ids at construction with the file's kinds; an
  /// adapter key names one by id or, failing that, by name. Numeric sample values are converted
  /// from the item's nativeUnits (and nativeScale) to its units.
  std::shared_ptr<const model::DeviceFile> device;
};

struct ParserStats {
  std::uint64_t lines = 0;
  std::uint64_t observations = 0;
  std::uint64_t rejected = 0;
  std::uint64_t commands = 0;
  std::uint64_t itemsRefused = 0;  ///< new keys refused at max_items
};

class ShdrParser {
 public:
  ShdrParser(model::ItemCatalog& catalog, model::MachineId machine, ParserOptions options = {});

  /// Feeds raw bytes. Every complete line (LF or CR LF) is parsed into `out`; an incomplete
  /// last line waits for the next call. `arrival` stamps lines without a timestamp.
  void feed(std::string_view bytes, TimestampNs arrival, ParseOutput& out);

  /// Parses one complete line without its line ending.
  void parseLine(std::string_view line, TimestampNs arrival, ParseOutput& out);

  /// The value every device file item has before the adapter says anything: UNAVAILABLE, or
  /// the one value its constraints allow. Appended to `out`; nothing without a device file.
  void initialObservations(TimestampNs now, ParseOutput& out) const;

  /// Forgets any partial line and unfinished multiline asset (after a reconnect).
  void resetStream();

  /// Every item this parser has produced, with its kind (to mark them UNAVAILABLE).
  std::vector<std::pair<model::ItemId, model::Kind>> knownItems() const;

  int shdrVersion() const { return m_shdrVersion; }
  const ParserStats& stats() const { return m_stats; }

 private:
  struct KeyInfo {
    model::ItemId id = 0;
    model::Kind kind = model::Kind::kEvent;
    bool fixedKind = false;  ///< declared, in the device file, or learned from the first value
    bool alias = false;      ///< a device file item found by its name (also kept by its id)
    const model::DeviceFileItem* file = nullptr;
    std::optional<model::UnitConversion> conversion;  ///< device file samples: native to units
  };
  struct PendingAsset {
    bool active = false;
    std::string terminator;
    model::Observation observation;
    std::string id;
    std::string type;
    std::string document;
  };

  /// The key's entry, created on first use; nullptr when a new key would pass max_items
  /// (`internal` keys such as @ASSET@ are always created).
  /// The key's entry, interned on first use; nullptr when refused (max_items, or the catalog's
  /// max_keys: m_refusal says which).
  KeyInfo* lookup(std::string_view key, bool internal = false,
                  model::Kind kind = model::Kind::kEvent);
  struct KeyEntry;
  /// lookup()'s entry (key and KeyInfo), or null.
  KeyEntry* lookupEntry(std::string_view key, bool internal, model::Kind kind);
  /// Adds `key` with `info`, or replaces the info of a key known already.
  KeyEntry* setKey(std::string_view key, const KeyInfo& info);
  /// Interns the device file's items and maps their ids and names to them.
  void addDeviceFileItems();
  /// Scales and converts a device file sample's number to the item's units.
  static void adjustFileValue(const KeyInfo& info, model::Value& value);
  void parseFields(std::string_view line, TimestampNs arrival, ParseOutput& out);
  void parseCommand(std::string_view line, ParseOutput& out);
  // Each returns the number of fields consumed after the key, or -1 after a rejection.
  int parseAssetCommand(std::string_view key, size_t i, TimestampNs ts, std::uint8_t flags,
                        ParseOutput& out);
  int parseItem(KeyInfo& info, size_t i, TimestampNs ts, std::uint8_t flags, ParseOutput& out);
  /// The key's entry, trying the key last seen as the line's `n`-th first.
  KeyInfo* lookupAt(std::size_t n, std::string_view key);
  void continueAsset(std::string_view line, ParseOutput& out);
  void reject(ParseOutput& out, std::string reason);

  model::ItemCatalog& m_catalog;
  model::MachineId m_machine;
  ParserOptions m_options;
  /// The fields of the line being parsed (the thread's tokenizer's, valid during the call).
  const std::vector<std::string_view>* m_fields = nullptr;
  std::string_view m_line;  ///< the line being parsed, for rejection excerpts
  /// Every key with its KeyInfo, in the order first seen: side by side in the deque's blocks
  /// (never moved), so the keys of a line are read as a sequential stream, which the CPU
  /// prefetches; a fleet's parsers are cold in the cache at every line.
  struct KeyEntry {
    std::string_view key;  ///< the catalog's text of the key, or the device file's name
    KeyInfo info;
  };
  std::deque<KeyEntry> m_entries;
  /// The entries by key.
  FlatTextIndex m_keys;  ///< indexes into m_entries
  /// The entry of `key`, or null.
  KeyEntry* findEntry(std::string_view key);
  /// The n-th key of the last lines: an adapter sends its keys in the same order line after
  /// line, so a comparison with the key last seen at that place usually spares the hash
  /// lookup. Bounded by kRecentKeys.
  std::vector<KeyEntry*> m_recentKeys;
  std::string m_partial;
  bool m_discardingLongLine = false;
  std::uint64_t m_rejectedLineMark = 0;  ///< last line number counted in stats.rejected
  std::string m_lastTimestampText;
  TimestampNs m_lastTimestamp = 0;
  TimestampCache m_timestampCache;
  PendingAsset m_asset;
  int m_shdrVersion = 1;
  ParserStats m_stats;
  std::string m_refusal;  ///< why the last lookup() returned nullptr
};

}  // namespace spindle::collectors::shdr
