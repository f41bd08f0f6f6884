#pragma once
/// The `journal:` section of spindle.yaml as written (JournalOptions, loaded by its option
/// table) and as the journal uses it (Settings, resolved against the data directory).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "base/units.hpp"
#include "config/option_table.hpp"

namespace spindle::journal {

struct JournalOptions {
  std::string dir;             ///< "" = <data_dir>/journal; relative = under data_dir
  std::string fsync = "50ms";  ///< a duration, "always" or "never"
  ByteSize fsyncSize{4ULL << 20};
  ByteSize maxSize{1ULL << 30};
  Duration maxAge = std::chrono::hours(24 * 7);
  std::string policy = "drop_oldest";
  ByteSize segmentSize{64ULL << 20};
  std::string compression = "none";
  /// Samples and events that repeat their item's latest value are not recorded (nor sent).
  bool filterDuplicates = false;
  std::uint64_t sendBatch = 4096;
  Duration retryMin = std::chrono::milliseconds(100);
  Duration retryMax = std::chrono::seconds(5);
  Duration consumerGrace = std::chrono::hours(24 * 7);
};

const config::OptionTable<JournalOptions>& optionTable();

enum class SyncMode {
  kInterval,  ///< group commit: one fdatasync per interval (or per fsync_size bytes)
  kAlways,    ///< fdatasync after every append
  kNever,     ///< written to the OS only; survives a process crash, not a power loss
};

struct SyncPolicy {
  SyncMode mode = SyncMode::kInterval;
  Duration interval = std::chrono::milliseconds(50);
};

/// "50ms" (any duration > 0), "always" or "never".
Result<SyncPolicy> parseSyncPolicy(std::string_view text);
std::string toString(const SyncPolicy& policy);

enum class FullPolicy {
  kDropOldest,  ///< evict the oldest whole segment, counting every observation lost
  kBlock,       ///< refuse appends until consumers free space; collectors pause
};

/// What Journal::open needs, every field checked.
struct Settings {
  std::string dir;
  SyncPolicy sync;
  std::uint64_t syncSize = 4ULL << 20;           ///< commit once this many bytes wait (0: never)
  std::uint64_t maxSize = 1ULL << 30;            ///< bytes of segments on disk
  Duration maxAge = std::chrono::hours(24 * 7);  ///< 0: no age limit
  FullPolicy policy = FullPolicy::kDropOldest;
  std::uint64_t segmentSize = 64ULL << 20;  ///< a segment is sealed past this size
  bool compress = false;                    ///< zstd level 1 for payloads of 64 bytes and more
  std::size_t sendBatch = 4096;             ///< observations handed to an uplink at once
  Duration retryMin = std::chrono::milliseconds(100);
  Duration retryMax = std::chrono::seconds(5);
  /// The consumers (uplink names) the configuration runs. Retention keeps what each of them
  /// has not acknowledged from the moment the journal opens, whether or not it has started.
  std::vector<std::string> consumers;
  /// A cursor on disk whose consumer the configuration no longer names keeps its data this
  /// long after its last update (or until `spindle journal drop-consumer`).
  Duration consumerGrace = std::chrono::hours(24 * 7);
  /// Remembers the journal's identity outside its directory ("" = not kept), so that a
  /// journal lost with its directory is noticed when a new one replaces it.
  std::string identityFile;
};

/// Checks the options and resolves `dir` against `dataDir`. The message names the key.
Result<Settings> resolveSettings(const JournalOptions& options, const std::string& dataDir);

}  // namespace spindle::journal
