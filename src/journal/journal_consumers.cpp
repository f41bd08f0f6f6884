// The journal's consumers as retention sees them: known from the moment the journal opens (the
// configuration's names and every cursor file on disk), attached when their uplink starts,
// dropped only by the operator or when a consumer the configuration no longer names has
// outlived its grace. Also the journal's identity file, which makes a lost journal visible.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string_view>

#include <sys/stat.h>

#include "base/atomic_file.hpp"
#include "base/units.hpp"
#include "journal/cursor_file.hpp"
#include "journal/journal.hpp"

namespace spindle::journal {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCursorSuffix = ".cursor";
constexpr const char* kDropSuffix = ".drop";

bool isRegularFile(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

TimestampNs modifiedAt(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<TimestampNs>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

/// The consumer a cursor-folder entry names (`name.cursor` or `name.drop`), "" for others.
std::string consumerOf(const fs::path& path, const char* suffix) {
  const std::string file = path.filename().string();
  const std::string_view s(suffix);
  if (file.size() <= s.size() || file.compare(file.size() - s.size(), s.size(), s) != 0) {
    return {};
  }
  return file.substr(0, file.size() - s.size());
}

std::string hexId(std::uint64_t id) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
  return text;
}

}  // namespace

void Journal::loadConsumers() {
  const fs::path dir = fs::path(m_settings.dir) / "cursors";
  const std::uint64_t oldest = firstSequence();
  std::lock_guard lock(m_mutex);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = consumerOf(entry.path(), kCursorSuffix);
    if (name.empty()) continue;
    if (!isRegularFile(entry.path())) {
      m_log->warn("ignoring {}: not a regular file", entry.path().string());
      continue;
    }
    std::string problem;
    const auto cursor = readCursorFile(entry.path().string(), &problem);
    Consumer c;
    c.name = name;
    // A cursor that cannot be read holds everything: its consumer restarts at the oldest.
    c.next = cursor ? cursor->next : oldest;
    c.lastMoved = modifiedAt(entry.path());
    c.configured = std::find(m_settings.consumers.begin(), m_settings.consumers.end(), name) !=
                   m_settings.consumers.end();
    if (!c.configured) {
      m_log->warn(
          "consumer {} has a cursor (at sequence {}) but the configuration no longer names it: "
          "its data is kept for journal.consumer_grace ({}) after its last update, or until "
          "'spindle journal drop-consumer {}'",
          name, c.next, formatDuration(m_settings.consumerGrace), name);
    }
    m_consumers.push_back(std::move(c));
  }
  for (const auto& name : m_settings.consumers) {
    const bool known = std::any_of(m_consumers.begin(), m_consumers.end(),
                                   [&](const Consumer& c) { return c.name == name; });
    if (known) continue;
    Consumer c;
    c.name = name;
    c.next = oldest;  // a new consumer starts at the oldest observation held
    c.configured = true;
    c.lastMoved = wallClockNs();
    m_consumers.push_back(std::move(c));
  }
}

void Journal::expireConsumers() {
  const fs::path dir = fs::path(m_settings.dir) / "cursors";
  std::vector<std::string> requests;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = consumerOf(entry.path(), kDropSuffix);
    if (!name.empty()) requests.push_back(std::move(name));
  }
  const TimestampNs now = wallClockNs();
  std::lock_guard lock(m_mutex);
  for (const auto& name : requests) {
    fs::remove(dir / (name + kDropSuffix), ec);
    auto it = std::find_if(m_consumers.begin(), m_consumers.end(),
                           [&](const Consumer& c) { return c.name == name && !c.dropped; });
    if (it == m_consumers.end()) {
      m_log->warn("drop-consumer {}: no such consumer", name);
    } else if (it->attached || it->configured) {
      m_log->warn(
          "drop-consumer {}: refused, the configuration runs this consumer (remove its "
          "uplink from the configuration first)",
          name);
    } else {
      dropConsumerLocked(*it, "dropped by the operator");
    }
  }
  for (auto& c : m_consumers) {
    if (c.dropped || c.attached || c.configured) continue;
    if (now - c.lastMoved < m_settings.consumerGrace.count()) continue;
    dropConsumerLocked(c, "not in the configuration for longer than journal.consumer_grace (" +
                              formatDuration(m_settings.consumerGrace) + ")");
  }
}

void Journal::dropConsumerLocked(Consumer& c, const std::string& cause) {
  const std::uint64_t undelivered = m_durableEnd > c.next ? m_durableEnd - c.next : 0;
  c.dropped = true;
  ++m_counters.droppedConsumers;
  m_counters.evictedObservations += undelivered;
  const fs::path cursor = fs::path(cursorPath(c.name));
  std::error_code ec;
  fs::remove(cursor, ec);
  fs::remove(cursor.string() + ".acked", ec);
  m_log->warn(
      "consumer {} dropped ({}): {} observations it had not received (from sequence {}) are no "
      "longer kept for it",
      c.name, cause, undelivered, c.next);
}

std::size_t Journal::addConsumer(const std::string& name, std::uint64_t next) {
  std::lock_guard lock(m_mutex);
  for (std::size_t i = 0; i < m_consumers.size(); ++i) {
    Consumer& c = m_consumers[i];
    if (c.name != name) continue;
    c.next = next;
    c.attached = true;
    c.dropped = false;
    return i;
  }
  Consumer c;
  c.name = name;
  c.next = next;
  c.attached = true;
  c.lastMoved = wallClockNs();
  m_consumers.push_back(std::move(c));
  return m_consumers.size() - 1;
}

void Journal::acknowledge(std::size_t consumer, std::uint64_t next) {
  std::lock_guard lock(m_mutex);
  if (consumer < m_consumers.size()) m_consumers[consumer].next = next;
}

void Journal::removeConsumer(std::size_t consumer) {
  std::lock_guard lock(m_mutex);
  if (consumer >= m_consumers.size()) return;
  // Detached, not forgotten: its position holds its data until it comes back.
  m_consumers[consumer].attached = false;
  m_consumers[consumer].lastMoved = wallClockNs();
}

std::vector<ConsumerView> Journal::consumers() const {
  std::lock_guard lock(m_mutex);
  std::vector<ConsumerView> out;
  for (const auto& c : m_consumers) {
    if (c.dropped) continue;
    out.push_back(ConsumerView{c.name, c.next, c.configured, c.attached, c.lastMoved});
  }
  return out;
}

std::uint64_t Journal::minCursorLocked() const {
  std::uint64_t min = 0;
  bool any = false;
  for (const auto& c : m_consumers) {
    if (c.dropped) continue;
    min = any ? std::min(min, c.next) : c.next;
    any = true;
  }
  return any ? min : 0;  // no consumer: nothing counts as acknowledged
}

void Journal::checkIdentity() {
  {
    std::lock_guard lock(m_mutex);
    m_counters.journalId = m_journalId;
  }
  if (m_settings.identityFile.empty()) return;
  std::uint64_t previous = 0;
  {
    std::ifstream in(m_settings.identityFile);
    std::string text;
    if (in >> text) previous = std::strtoull(text.c_str(), nullptr, 16);
  }
  if (previous != 0 && previous != m_journalId) {
    std::lock_guard lock(m_mutex);
    m_counters.replacedJournalId = previous;
  }
  if (previous != 0 && previous != m_journalId) {
    m_log->error(
        "journal {} is new (id {}) but this edge last ran journal {}: its directory was lost or "
        "replaced, and what it held and had not delivered is gone; sequences start again at {} "
        "and uplinks tell the two journals apart by their ids",
        m_settings.dir, hexId(m_journalId), hexId(previous), m_next);
  }
  if (previous != m_journalId) {
    if (auto s = writeFileAtomically(m_settings.identityFile, hexId(m_journalId) + "\n"); !s) {
      m_log->warn("cannot record the journal's identity: {}", s.error().describe());
    }
  }
}

}  // namespace spindle::journal
