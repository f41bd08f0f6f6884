#pragma once
/// The file uplink: observations as JSON lines in a local file (rotated by size) or on stdout.
/// It is Spindle's first journal consumer: what the demo shows and what tests read back.
/// Every line ends with the journal's identity ("journal") and the observation's sequence in
/// it ("seq"); after a crash the journal offers the batches since the last acknowledged one
/// again, and the uplink skips what its file already holds, so each observation is written
/// exactly once. A position it cannot trust (another journal's, or past the journal's end) is
/// never used to skip anything. Output is synced before the engine's cursor moves.

#include <cstdio>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "base/units.hpp"
#include "config/option_table.hpp"
#include "model/item_catalog.hpp"
#include "uplinks/uplink.hpp"

namespace spindle::uplinks::file {

struct FileOptions {
  std::string path = "observations.jsonl";  ///< relative to the data directory; "-" = stdout
  ByteSize rotateSize{64ULL << 20};         ///< start a new file past this size (0: never)
  int keepFiles = 5;                        ///< rotated files kept: path.1 .. path.N
  ByteSize maxFileSize{1ULL << 30};         ///< the file rotates here even when rotateSize is 0
};

const config::OptionTable<FileOptions>& optionTable();

class FileUplink final : public Uplink {
 public:
  /// `path` must already be resolved against the data directory.
  FileUplink(FileOptions options, const model::ItemCatalog& catalog);
  ~FileUplink() override;

  /// "file", or "stdout" when writing to stdout (each has its own journal cursor).
  const std::string& name() const override { return m_name; }
  /// Opens the file and finds the last sequence it holds (cutting a line torn by a crash).
  Status start() override;
  /// One line per observation, in sequence order, one submit at a time; it never rejects, so
  /// consecutive records come in one submit (one write for many small records).
  DeliveryOptions delivery() const override {
    return DeliveryOptions{.ordered = true, .coalesce = true};
  }
  void attach(const AttachInfo& info) override;
  /// Writes the record and completes inline: Ok, or Retry when the file cannot be written.
  std::size_t submit(const Record& record, CompletionFn done) override;
  Status sync() override;
  void stop() override;

  const std::string& path() const { return m_options.path; }
  /// The highest sequence written so far (0: none).
  std::uint64_t lastSequence() const { return m_lastSequence; }

 private:
  Status open();
  void rotate();
  void recoverLastSequence();
  Completion write(std::uint64_t firstSequence, std::span<const model::Observation> batch);

  FileOptions m_options;
  const model::ItemCatalog& m_catalog;
  std::string m_name;
  std::shared_ptr<spdlog::logger> m_log;
  std::FILE* m_file = nullptr;
  bool m_isStdout = false;
  std::uint64_t m_written = 0;
  std::uint64_t m_lastSequence = 0;
  std::uint64_t m_lastJournal = 0;  ///< journal of the last line found at start (0: none named)
  std::uint64_t m_journalId = 0;    ///< the journal sequences come from now (0: not attached)
  std::string m_journalField;       ///< `,"journal":"<id>"` or empty
  bool m_unsynced = false;
  bool m_warnedMaxSize = false;
  /// Frees m_buffer after a write that used a quarter of it or less (it grew for a backlog).
  void releaseBurstBuffer();

  std::string m_buffer;  ///< the JSON lines of one write
  bool m_failing = false;
};

}  // namespace spindle::uplinks::file
