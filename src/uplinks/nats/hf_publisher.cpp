#include "uplinks/nats/hf_publisher.hpp"

#include <cmath>
#include <map>

#include "base/log.hpp"
#include "base/thread_name.hpp"
#include "uplinks/nats/hf_codec.hpp"

namespace spindle::uplinks::nats {
namespace {

double numeric(const model::Value& v) {
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  if (auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  return NAN;
}

}  // namespace

HfPublisher::HfPublisher(const NatsOptions& options, std::string edgeId, NatsConnection& connection,
                         const model::ItemCatalog& catalog)
    : m_options(options),
      m_edge(std::move(edgeId)),
      m_connection(connection),
      m_catalog(catalog),
      m_log(makeLogger("uplink.nats.hf")),
      m_compressor(options.compressAbove.bytes, options.compressionLevel) {}

HfPublisher::~HfPublisher() { stop(); }

Status HfPublisher::start() {
  if (m_thread.joinable()) return okStatus();
  if (!validSubjectToken(m_edge)) {
    return Error(ErrorCode::kInvalidArgument, "edge id '" + m_edge + "' cannot be a NATS subject");
  }
  m_stopping = false;
  m_thread = std::thread([this] {
    nameThisThread("hf-publish");
    run();
  });
  return okStatus();
}

void HfPublisher::stop() {
  if (!m_thread.joinable()) return;
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_wake.notify_all();
  m_thread.join();
  flush();
}

bool HfPublisher::wants(model::ItemId item, model::Kind kind) {
  if (kind == model::Kind::kTimeSeries) return true;
  if (m_options.hfItems.empty()) return false;
  if (item >= m_wanted.size())
    m_wanted.resize(std::max<std::size_t>(item + 1, 2 * m_wanted.size()), -1);
  if (m_wanted[item] < 0) {
    const auto& d = m_catalog.item(item);
    const std::string full = m_catalog.machineName(d.machine) + "/" + std::string(d.key);
    bool match = false;
    for (const auto& pattern : m_options.hfItems)
      match = match || pattern == d.key || pattern == full;
    m_wanted[item] = match ? 1 : 0;
  }
  return m_wanted[item] == 1;
}

void HfPublisher::push(const Sample& sample) {
  if (m_samples.size() >= static_cast<std::size_t>(m_options.hfMaxSamples)) {
    const auto machine = m_samples.front().machine;
    if (machine >= m_droppedByMachine.size()) m_droppedByMachine.resize(machine + 1, 0);
    ++m_droppedByMachine[machine];
    ++m_stats.dropped;
    m_samples.pop_front();
  }
  m_samples.push_back(sample);
}

void HfPublisher::offer(const model::Batch& batch) {
  std::lock_guard lock(m_mutex);
  for (const auto& obs : batch) {
    if (!wants(obs.item, obs.kind)) continue;
    if (auto* ts = std::get_if<std::shared_ptr<const model::TimeSeries>>(&obs.value)) {
      const auto& samples = (*ts)->samples;
      const double rate = (*ts)->sampleRate;
      for (std::size_t i = 0; i < samples.size(); ++i) {
        // The series ends at the observation's timestamp.
        const double back = rate > 0 ? static_cast<double>(samples.size() - 1 - i) / rate : 0;
        push({obs.machine, obs.item, obs.timestamp - static_cast<TimestampNs>(back * 1e9),
              samples[i]});
      }
    } else {
      push({obs.machine, obs.item, obs.timestamp, numeric(obs.value)});
    }
  }
}

void HfPublisher::flush() {
  std::lock_guard flushLock(m_flushMutex);
  // The current connection, kept for this flush even if it is rebuilt meanwhile.
  const NatsConnection::Ref conn = m_connection.current();
  if (!m_connection.connected() || conn == nullptr) return;
  std::deque<Sample> samples;
  std::vector<std::uint64_t> dropped;
  {
    std::lock_guard lock(m_mutex);
    samples.swap(m_samples);
    dropped.swap(m_droppedByMachine);
  }
  if (samples.empty()) return;
  // machine -> item -> series, in arrival order.
  std::map<model::MachineId, std::map<model::ItemId, HfSeries>> byMachine;
  for (const auto& s : samples) {
    HfSeries& series = byMachine[s.machine][s.item];
    series.timestamps.push_back(s.timestamp);
    series.values.push_back(s.value);
  }
  std::uint64_t sent = 0, messages = 0;
  for (auto& [machine, items] : byMachine) {
    HfBatch batch;
    batch.edge = m_edge;
    batch.machine = m_catalog.machineName(machine);
    batch.dropped = machine < dropped.size() ? dropped[machine] : 0;
    for (auto& [item, series] : items) {
      series.item = m_catalog.item(item).key;
      batch.series.push_back(std::move(series));
    }
    m_raw.clear();
    encodeHf(batch, m_raw);
    const Encoding enc = m_compressor.pack(m_raw, m_packed);
    std::string subject = "spindle." + m_edge + ".hf." + batch.machine;
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, m_packed.data(),
                                  static_cast<int>(m_packed.size()));
    if (s == NATS_OK) {
      natsMsgHeader_Set(msg, kHeaderSchema, std::string(kHfSchema).c_str());
      natsMsgHeader_Set(msg, kHeaderEncoding, toString(enc));
      natsMsgHeader_Set(msg, kHeaderCount, std::to_string(batch.samples()).c_str());
      s = natsConnection_PublishMsg(conn.get(), msg);
    }
    natsMsg_Destroy(msg);
    if (s != NATS_OK) {
      std::lock_guard lock(m_mutex);
      m_stats.dropped += batch.samples();
      m_log->warn("high-frequency batch of {} samples for {} dropped: {}", batch.samples(),
                  batch.machine, natsStatus_GetText(s));
      continue;
    }
    sent += batch.samples();
    ++messages;
  }
  std::lock_guard lock(m_mutex);
  m_stats.samples += sent;
  m_stats.messages += messages;
}

HfStats HfPublisher::stats() const {
  std::lock_guard lock(m_mutex);
  HfStats s = m_stats;
  s.buffered = m_samples.size();
  return s;
}

void HfPublisher::run() {
  while (true) {
    {
      std::unique_lock lock(m_mutex);
      m_wake.wait_for(lock, m_options.hfFlush, [this] { return m_stopping; });
      if (m_stopping) return;
    }
    flush();
  }
}

}  // namespace spindle::uplinks::nats
