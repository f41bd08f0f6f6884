#include "journal/journal_options.hpp"

#include <filesystem>

namespace spindle::journal {

const config::OptionTable<JournalOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<JournalOptions> t;
    t.optional("dir", &JournalOptions::dir, "<data_dir>/journal",
               "directory of the journal's segments and cursors; relative paths are under "
               "edge.data_dir");
    t.optional("fsync", &JournalOptions::fsync, "50ms",
               "group commit: a duration (one fdatasync per interval), 'always' (after every "
               "batch) or 'never' (the OS decides; safe against crashes, not power loss)");
    t.optional("fsync_size", &JournalOptions::fsyncSize, "4MiB",
               "also commit as soon as this many bytes wait, whatever the interval", {"0B", ""});
    t.optional("max_size", &JournalOptions::maxSize, "1GiB",
               "disk space the journal may use; when full, 'policy' applies", {"8KiB", ""});
    t.optional("max_age", &JournalOptions::maxAge, "7d",
               "observations older than this are dropped whole segments at a time, counted; "
               "0s keeps them until max_size",
               {"0s", ""});
    t.choice("policy", &JournalOptions::policy, {"drop_oldest", "block"}, "drop_oldest",
             "when max_size is reached: drop the oldest segment (counted and logged) or block "
             "(collectors pause until uplinks catch up)");
    t.optional("segment_size", &JournalOptions::segmentSize, "64MiB",
               "size of one segment file; space is freed a whole segment at a time",
               {"4KiB", "1GiB"});
    t.choice("compression", &JournalOptions::compression, {"none", "zstd"}, "none",
             "compress record payloads with zstd (level 1)");
    t.optional("filter_duplicates", &JournalOptions::filterDuplicates, "false",
               "leave out a sample or event that repeats its item's latest value: not stored, "
               "journaled nor sent to the cloud (conditions, messages and the rest always are)");
    t.optional("send_batch", &JournalOptions::sendBatch, "4096",
               "most observations an uplink's delivery engine reads from the journal at once "
               "(whole records)",
               {"1", "1048576"});
    t.optional("retry_min", &JournalOptions::retryMin, "100ms",
               "first wait after an uplink asks to retry; doubles up to retry_max", {"1ms", ""});
    t.optional("retry_max", &JournalOptions::retryMax, "5s", "longest wait between retries",
               {"1ms", ""});
    t.optional("consumer_grace", &JournalOptions::consumerGrace, "7d",
               "a consumer the configuration no longer names (an uplink removed) keeps its "
               "undelivered data this long after its cursor last moved; then it is dropped, "
               "counted and logged (or at once with 'spindle journal drop-consumer')",
               {"0s", ""});
    return t;
  }();
  return table;
}

Result<SyncPolicy> parseSyncPolicy(std::string_view text) {
  if (text == "always") return SyncPolicy{SyncMode::kAlways, Duration::zero()};
  if (text == "never") return SyncPolicy{SyncMode::kNever, Duration::zero()};
  auto d = parseDuration(text);
  if (!d) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + std::string(text) + "' is not a duration, 'always' or 'never'");
  }
  if (d->count() <= 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "the fsync interval must be above zero (or write "
                 "'always')");
  }
  return SyncPolicy{SyncMode::kInterval, *d};
}

std::string toString(const SyncPolicy& policy) {
  switch (policy.mode) {
    case SyncMode::kAlways:
      return "always";
    case SyncMode::kNever:
      return "never";
    case SyncMode::kInterval:
      break;
  }
  return formatDuration(policy.interval);
}

Result<Settings> resolveSettings(const JournalOptions& options, const std::string& dataDir) {
  Settings s;
  auto sync = parseSyncPolicy(options.fsync);
  if (!sync) return std::move(sync).error().with("journal.fsync");
  s.sync = *sync;
  const std::filesystem::path dir(options.dir.empty() ? "journal" : options.dir);
  s.dir = dir.is_absolute() ? dir.string() : (std::filesystem::path(dataDir) / dir).string();
  auto normal = std::filesystem::path(s.dir).lexically_normal();
  if (normal.filename().empty()) normal = normal.parent_path();
  if (!normal.filename().empty()) s.identityFile = normal.string() + ".id";
  s.syncSize = options.fsyncSize.bytes;
  s.segmentSize = options.segmentSize.bytes;
  if (s.segmentSize < 4096) {
    return Error(ErrorCode::kInvalidArgument, "journal.segment_size must be at least 4KiB");
  }
  s.maxSize = options.maxSize.bytes;
  if (s.maxSize < 2 * s.segmentSize) {
    return Error(ErrorCode::kInvalidArgument,
                 "journal.max_size must be at least twice journal.segment_size (" +
                     formatByteSize(ByteSize{2 * s.segmentSize}) + ")");
  }
  if (options.maxAge.count() < 0) {
    return Error(ErrorCode::kInvalidArgument, "journal.max_age cannot be negative");
  }
  s.maxAge = options.maxAge;
  s.policy = options.policy == "block" ? FullPolicy::kBlock : FullPolicy::kDropOldest;
  s.compress = options.compression == "zstd";
  if (options.sendBatch < 1 || options.sendBatch > (1u << 20)) {
    return Error(ErrorCode::kInvalidArgument, "journal.send_batch must be between 1 and 1048576");
  }
  s.sendBatch = options.sendBatch;
  if (options.retryMin.count() <= 0 || options.retryMax < options.retryMin) {
    return Error(ErrorCode::kInvalidArgument,
                 "journal.retry_min must be above zero and at most journal.retry_max");
  }
  s.retryMin = options.retryMin;
  s.retryMax = options.retryMax;
  if (options.consumerGrace.count() < 0) {
    return Error(ErrorCode::kInvalidArgument, "journal.consumer_grace cannot be negative");
  }
  s.consumerGrace = options.consumerGrace;
  return s;
}

}  // namespace spindle::journal
