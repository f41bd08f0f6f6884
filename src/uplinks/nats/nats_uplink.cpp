#include "uplinks/nats/nats_uplink.hpp"

#include <algorithm>

#include "base/log.hpp"

namespace spindle::uplinks::nats {
namespace {

std::string subjectToken(const std::string& name) {
  std::string out = name.empty() ? "_" : name.substr(0, 64);
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

}  // namespace

NatsUplink::NatsUplink(NatsOptions options, std::string edgeId, NatsConnection& connection,
                       const model::ItemCatalog& catalog)
    : m_options(std::move(options)),
      m_edge(std::move(edgeId)),
      m_connection(connection),
      m_catalog(catalog),
      m_log(makeLogger("uplink.nats")),
      m_encoder(catalog),
      m_compressor(m_options.compressAbove.bytes, m_options.compressionLevel) {
  // Back from an outage: the engine plans its lanes again.
  m_connection.onStateChange([slot = m_wake](bool) {
    std::lock_guard lock(slot->mutex);
    if (slot->wake) slot->wake();
  });
}

NatsUplink::~NatsUplink() { stop(); }

DeliveryOptions NatsUplink::delivery() const {
  DeliveryOptions d;
  d.liveWindow = m_options.liveWindow;
  d.backlogRate = m_options.backlogRate;
  d.maxInFlight = m_options.maxInFlight;
  d.maxInFlightBytes = m_options.maxInFlightBytes;
  return d;
}

Status NatsUplink::start() {
  if (!validSubjectToken(m_edge)) {
    return Error(ErrorCode::kInvalidArgument,
                 "edge id '" + m_edge + "' cannot be used in NATS subjects")
        .with("use 1-64 letters, digits, '-' or '_' in edge.id");
  }
  return okStatus();
}

// The JetStream context needs a started connection: it is made at the first record (the engine
// submits only while the connection is up), so the uplink may start before the connection.
Status NatsUplink::ensurePublisher() {
  if (m_publisher) return okStatus();
  auto publisher =
      std::make_unique<JetStreamPublisher>(m_connection, m_options.jsDomain, m_options.ackTimeout,
                                           [this](const PublishCompletion& c) { onComplete(c); });
  if (auto status = publisher->start(); !status) return status;
  m_publisher = std::move(publisher);
  m_log->info("publishing the journal to spindle.{}.data.<machine>", m_edge);
  return okStatus();
}

void NatsUplink::attach(const AttachInfo& info) {
  m_journalId = info.journalId;
  std::lock_guard lock(m_wake->mutex);
  m_wake->wake = info.wake;
}

void NatsUplink::stop() {
  {
    std::lock_guard lock(m_wake->mutex);
    m_wake->wake = nullptr;
  }
  if (!m_publisher) return;  // nothing was ever submitted
  m_publisher->stop();       // no completion runs after this
  m_publisher.reset();
  std::lock_guard lock(m_mutex);
  m_pending.clear();
}

std::string NatsUplink::subjectFor(model::MachineId machine) {
  auto it = m_subjects.find(machine);
  if (it != m_subjects.end()) return it->second;
  std::string subject =
      "spindle." + m_edge + ".data." + subjectToken(m_catalog.machineName(machine));
  m_subjects.emplace(machine, subject);
  return subject;
}

std::size_t NatsUplink::submit(const Record& record, CompletionFn done) {
  if (auto s = ensurePublisher(); !s) {
    done(Completion{Outcome::kRetry, s.error().describe()});
    return 0;
  }
  const auto obs = record.observations;
  // Split per machine in order of first appearance, then at max_batch: deterministic, so a
  // record sent again carries the same message ids.
  std::vector<std::pair<model::MachineId, std::vector<std::uint32_t>>> parts;
  m_partIndex.clear();
  for (std::uint32_t i = 0; i < obs.size(); ++i) {
    auto [it, added] = m_partIndex.try_emplace(obs[i].machine, parts.size());
    if (added) parts.emplace_back(obs[i].machine, std::vector<std::uint32_t>{});
    parts[it->second].second.push_back(i);
  }
  const auto maxBatch = static_cast<std::size_t>(m_options.maxBatch);
  int messages = 0;
  for (const auto& p : parts)
    messages += static_cast<int>((p.second.size() + maxBatch - 1) / maxBatch);
  const std::uint64_t token = record.firstSequence;
  {
    std::lock_guard lock(m_mutex);
    Pending pending;
    pending.done = std::move(done);
    pending.partsLeft = messages + 1;  // +1 until every part is handed over
    m_pending[token] = std::move(pending);
  }
  std::size_t bytes = 0;
  int sent = 0;
  bool rejected = false;
  std::string why;
  for (const auto& [machine, indices] : parts) {
    const std::string subject = subjectFor(machine);
    const std::string& machineName = m_catalog.machineName(machine);
    for (std::size_t at = 0; at < indices.size() && why.empty(); at += maxBatch) {
      const std::size_t n = std::min(maxBatch, indices.size() - at);
      const std::span<const std::uint32_t> slice(indices.data() + at, n);
      const std::uint64_t firstSeq = record.firstSequence + slice.front();
      const std::uint64_t lastSeq = record.firstSequence + slice.back();
      m_raw.clear();
      m_encoder.encode(m_edge, machineName, RecordPart{obs, record.firstSequence, slice}, m_raw);
      const Encoding enc = m_compressor.pack(m_raw, m_packed);
      Headers headers{{kHeaderMsgId, messageId(m_edge, m_journalId, firstSeq)},
                      {kHeaderSchema, std::string(kBatchSchema)},
                      {kHeaderEncoding, toString(enc)},
                      {kHeaderSeq, std::to_string(firstSeq) + "-" + std::to_string(lastSeq)},
                      {kHeaderCount, std::to_string(n)}};
      if (m_journalId != 0) headers.emplace_back(kHeaderJournal, journalIdText(m_journalId));
      natsStatus raw = NATS_OK;
      auto status = m_publisher->publish(subject, headers, m_packed, token, &raw);
      if (!status) {
        why = status.error().describe();
        if (raw == NATS_MAX_PAYLOAD) {
          rejected = true;
          why = "a message of " + std::to_string(m_packed.size()) +
                " bytes exceeds the server's max_payload";
        }
        break;
      }
      ++sent;
      bytes += m_packed.size();
      ++m_published;
      m_bytesOut += m_packed.size();
      m_bytesRaw += m_raw.size();
    }
    if (!why.empty()) break;
  }
  // The parts never published, plus the hand-over count, will not complete.
  settle(token, messages - sent + 1, !why.empty(), rejected, why);
  return bytes;
}

void NatsUplink::onComplete(const PublishCompletion& c) {
  if (c.ok) {
    ++m_acked;
    if (c.duplicate) ++m_duplicates;
    settle(c.token, 1, false, false, "");
    return;
  }
  ++m_failed;
  std::string why = "publish to the hub failed: " + c.error;
  if (c.status == NATS_NO_RESPONDERS) {
    why += " (no JetStream stream on the hub stores spindle." + m_edge + ".data.>)";
  }
  settle(c.token, 1, true, false, why);
}

void NatsUplink::settle(std::uint64_t token, int parts, bool failed, bool rejected,
                        const std::string& why) {
  CompletionFn done;
  Completion completion;
  {
    std::lock_guard lock(m_mutex);
    auto it = m_pending.find(token);
    if (it == m_pending.end()) return;
    Pending& p = it->second;
    if (failed && !p.failed) {
      p.failed = true;
      p.reason = why;
      m_lastError = why;
    }
    p.rejected = p.rejected || rejected;
    p.partsLeft -= parts;
    if (p.partsLeft > 0) return;
    completion.outcome =
        p.rejected ? Outcome::kReject : (p.failed ? Outcome::kRetry : Outcome::kOk);
    completion.reason = p.reason;
    done = std::move(p.done);
    m_pending.erase(it);
  }
  done(std::move(completion));
}

std::vector<std::pair<std::string, std::uint64_t>> NatsUplink::counters() const {
  return {{"published", m_published.load()},   {"acked", m_acked.load()},
          {"duplicates", m_duplicates.load()}, {"failed", m_failed.load()},
          {"bytes_out", m_bytesOut.load()},    {"bytes_raw", m_bytesRaw.load()}};
}

}  // namespace spindle::uplinks::nats
