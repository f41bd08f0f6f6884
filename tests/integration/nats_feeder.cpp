// nats_feeder: an edge in miniature for the kill -9 test. Its journal is a pure function of
// the sequence number (observation s belongs to machine s % machines and carries the value
// s), so, like the durable journal, it is all still there after the process is killed; the
// production clock starts at the first run and keeps going while the process is dead. The
// uplink's cursor is a file in --dir. Exits 0 once every observation up to --total is
// acknowledged by the hub.
//
//   nats_feeder --url nats://127.0.0.1:4222 --edge e1 --dir /tmp/x --total 60000
//               [--rate 20000] [--record 50] [--machines 3]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "base/log.hpp"
#include "uplinks/nats/nats_uplink.hpp"

using namespace spindle;
using namespace spindle::uplinks::nats;

namespace {

class FormulaJournal final : public JournalView {
 public:
  FormulaJournal(model::ItemCatalog& catalog, std::uint64_t total, double rate,
                 std::uint64_t record, int machines, TimestampNs startedAt)
      : m_total(total), m_rate(rate), m_record(record), m_startedAt(startedAt) {
    for (int m = 0; m < machines; ++m) {
      const auto id = catalog.addMachine("m" + std::to_string(m + 1));
      m_machines.push_back(id);
      m_items.push_back(catalog.intern(id, "value", model::Kind::kSample).value());
    }
  }
  std::uint64_t beginSequence() const override { return 1; }
  std::uint64_t endSequence() const override {
    const double produced = m_rate * static_cast<double>(wallClockNs() - m_startedAt) / 1e9;
    const std::uint64_t records =
        std::min(m_total / m_record, static_cast<std::uint64_t>(produced) / m_record);
    return 1 + records * m_record;
  }
  Status read(std::uint64_t from, std::uint64_t to, std::size_t maxObservations,
              std::vector<JournalRecord>& out) override {
    const std::uint64_t end = std::min(to, endSequence());
    std::uint64_t first = 1 + (from - 1) / m_record * m_record;
    std::size_t taken = 0;
    while (first < end && (taken == 0 || taken + m_record <= maxObservations)) {
      JournalRecord r;
      r.firstSequence = first;
      for (std::uint64_t s = first; s < first + m_record; ++s) {
        const std::size_t m = s % m_machines.size();
        r.observations.push_back(
            {m_machines[m], m_items[m],
             m_startedAt + static_cast<TimestampNs>(static_cast<double>(s) / m_rate * 1e9),
             model::Kind::kSample, 0, static_cast<double>(s)});
      }
      out.push_back(std::move(r));
      taken += m_record;
      first += m_record;
    }
    return okStatus();
  }

 private:
  std::uint64_t m_total;
  double m_rate;
  std::uint64_t m_record;
  TimestampNs m_startedAt;
  std::vector<model::MachineId> m_machines;
  std::vector<model::ItemId> m_items;
};

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

/// The production clock's origin, kept in the directory so a restart continues it.
TimestampNs startTime(const std::filesystem::path& dir) {
  const auto path = dir / "started_ns";
  std::ifstream in(path);
  TimestampNs t = 0;
  if (in >> t && t > 0) return t;
  t = wallClockNs();
  std::ofstream(path) << t;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string url = arg(argc, argv, "url", "");
  const std::string edge = arg(argc, argv, "edge", "e1");
  const std::filesystem::path dir = arg(argc, argv, "dir", "");
  const auto total = std::stoull(arg(argc, argv, "total", "60000"));
  const double rate = std::stod(arg(argc, argv, "rate", "20000"));
  const auto record = std::stoull(arg(argc, argv, "record", "50"));
  const int machines = std::stoi(arg(argc, argv, "machines", "3"));
  if (url.empty() || dir.empty() || total % record != 0) {
    std::fprintf(stderr,
                 "usage: nats_feeder --url URL --dir DIR --total N (a multiple of --record)\n");
    return 2;
  }
  std::filesystem::create_directories(dir);
  model::ItemCatalog catalog;
  FormulaJournal journal(catalog, total, rate, record, machines, startTime(dir));
  FileCursorStore cursor((dir / "nats.cursor").string());
  NatsOptions options;
  options.servers = {url};
  options.reconnectMin = std::chrono::milliseconds(50);
  options.reconnectMax = std::chrono::milliseconds(500);
  options.ackTimeout = std::chrono::seconds(1);
  options.maxInFlight = 512;
  options.maxBatch = 20;
  NatsConnection connection(options, edge);
  if (auto s = connection.start(); !s) {
    std::fprintf(stderr, "%s\n", s.error().describe().c_str());
    return 1;
  }
  NatsUplink uplink(options, edge, connection, journal, cursor, catalog);
  if (auto s = uplink.start(); !s) {
    std::fprintf(stderr, "%s\n", s.error().describe().c_str());
    return 1;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (uplink.stats().cursor < total + 1) {
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "gave up at cursor %llu\n",
                   static_cast<unsigned long long>(uplink.stats().cursor));
      return 1;
    }
    uplink.notifyAppended();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto stats = uplink.stats();
  uplink.stop();
  connection.stop();
  std::printf("done cursor=%llu published=%llu acked=%llu duplicates=%llu\n",
              static_cast<unsigned long long>(stats.cursor),
              static_cast<unsigned long long>(stats.published),
              static_cast<unsigned long long>(stats.acked),
              static_cast<unsigned long long>(stats.duplicates));
  return 0;
}
