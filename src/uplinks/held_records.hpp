#pragma once
/// Records an uplink rejected (it can never deliver them, e.g. larger than the destination
/// takes) are held here rather than skipped: appended as JSON lines to `held/<uplink>.jsonl`
/// beside the journal, with the reason, so an operator can see, fix and replay them. The file
/// is bounded; a record past the bound is counted and logged, never silently lost.

#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "base/error.hpp"
#include "model/item_catalog.hpp"
#include "uplinks/uplink.hpp"

namespace spindle::uplinks {

class HeldRecords {
 public:
  /// `path` is created (with its folder) on the first held record.
  HeldRecords(std::string path, std::uint64_t maxBytes, const model::ItemCatalog& catalog);

  /// Appends one line: {"uplink","reason","journal","seq","count","observations":[...]} and
  /// syncs it. Fails when the file is full (max bytes) or cannot be written.
  Status hold(const std::string& uplink, std::uint64_t journalId, const Record& record,
              const std::string& reason);
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::uint64_t m_maxBytes;
  const model::ItemCatalog& m_catalog;
  std::string m_line;
};

}  // namespace spindle::uplinks
