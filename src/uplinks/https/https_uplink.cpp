#include "uplinks/https/https_uplink.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "net/http/http_url.hpp"

namespace spindle::uplinks::https {
namespace {

constexpr std::size_t kBodyInLog = 300;
/// Records the engine may have in flight: requests are bounded by max_in_flight.
constexpr int kMaxRecordsInFlight = 65536;  ///< characters of a refusal's body in logs and reasons

std::string snippet(const std::string& body) {
  std::string out = body.substr(0, kBodyInLog);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  if (body.size() > kBodyInLog) out += "...";
  return out.empty() ? "(no body)" : out;
}

bool validEdgeId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

}  // namespace

Completion completionFor(const net::http::HttpResponse& r, const std::string& url) {
  const std::string where = net::http::redactUrlForMessage(url);
  if (r.error) return {Outcome::kRetry, r.error->describe()};
  const int s = r.status;
  if (s >= 200 && s < 300) return {Outcome::kOk, ""};
  const std::string answered = where + " answered " + std::to_string(s) + ": " + snippet(r.body);
  if (s == 408 || s == 425 || s == 429 || s >= 500) return {Outcome::kRetry, answered};
  if (s == 401 || s == 403) {
    return {Outcome::kRetry, answered +
                                 " (the API does not accept this edge's signature: is the edge "
                                 "provisioned (spindle provision) and key_file its key?)"};
  }
  if (s == 404 || s == 405) {
    return {Outcome::kRetry,
            answered + " (no data endpoint there: check uplinks.https.url and https.api)"};
  }
  if (s == 407) {
    return {Outcome::kRetry, answered + " (the proxy wants credentials: net.proxy_credentials)"};
  }
  if (s == 413) {
    return {Outcome::kReject, answered +
                                  " (the batch is too large for the server: lower "
                                  "uplinks.https.max_batch)"};
  }
  if (s >= 400) return {Outcome::kReject, answered + " (the server refused this batch)"};
  return {Outcome::kRetry, answered + " (an answer the uplink does not expect)"};
}

HttpsUplink::HttpsUplink(HttpsUplinkOptions options, std::string url, std::string edgeId,
                         std::optional<RequestSigner> signer,
                         std::unique_ptr<net::http::HttpClient> client,
                         const model::ItemCatalog& catalog)
    : m_options(std::move(options)),
      m_url(std::move(url)),
      m_edge(std::move(edgeId)),
      m_signer(std::move(signer)),
      m_client(std::move(client)),
      m_catalog(catalog),
      m_encoder(catalog),
      m_compressor(m_options.compressAbove.bytes, m_options.compressionLevel) {
  m_shared->log = makeLogger("uplink.https");
  m_shared->url = m_url;
  m_shared->client = m_client.get();
  m_shared->maxActive = std::max(1, m_options.maxInFlight);
}

HttpsUplink::~HttpsUplink() { stop(); }

DeliveryOptions HttpsUplink::delivery() const {
  DeliveryOptions d;
  d.liveWindow = m_options.liveWindow;
  d.backlogRate = m_options.backlogRate;
  // Records, not requests: many small records go in one request. Requests on the wire are
  // bounded here (max_in_flight), bytes by the engine.
  d.maxInFlight = kMaxRecordsInFlight;
  d.maxInFlightBytes = m_options.maxInFlightBytes;
  return d;
}

Status HttpsUplink::start() {
  if (!validEdgeId(m_edge)) {
    return Error(ErrorCode::kInvalidArgument,
                 "edge id '" + m_edge + "' cannot name the edge to the API")
        .with("use 1-64 letters, digits, '-' or '_' in edge.id");
  }
  const std::string where = net::http::redactUrlForMessage(m_url);
  if (m_signer) {
    m_shared->log->info("posting the journal to {}, signed with key {}", where, m_signer->keyId());
  } else {
    m_shared->log->warn(
        "posting the journal to {} unsigned: the edge has no key (run spindle provision); an "
        "API that checks signatures refuses it",
        where);
  }
  return okStatus();
}

void HttpsUplink::attach(const AttachInfo& info) { m_journalId = info.journalId; }

void HttpsUplink::stop() {
  {
    std::lock_guard lock(m_shared->mutex);
    m_shared->stopped = true;  // answers still to come are dropped
    m_shared->pending.clear();
    m_shared->waiting.clear();
  }
  m_tokens.clear();
  m_first = m_end = 0;
  if (m_client)
    m_client->stop();  // requests on the wire end now; their records stay in the journal
}

std::size_t HttpsUplink::submit(const Record& record, CompletionFn done) {
  const std::size_t total = record.observations.size();
  const auto maxBatch = static_cast<std::size_t>(m_options.maxBatch);
  const std::uint64_t token = record.firstSequence;
  const int parts = total > maxBatch ? static_cast<int>((total + maxBatch - 1) / maxBatch) : 1;
  {
    std::lock_guard lock(m_shared->mutex);
    Pending pending;
    pending.done = std::move(done);
    pending.partsLeft = parts + 1;  // +1 until every part is handed over
    m_shared->pending[token] = std::move(pending);
  }
  // The open request takes the record when it follows on and fits; else it goes first.
  if (m_first != m_end && (record.firstSequence != m_end || (m_end - m_first) + total > maxBatch)) {
    send();
  }
  std::size_t bytes = 0;
  for (std::size_t from = 0; from < total; from += maxBatch) {
    const std::size_t to = std::min(total, from + maxBatch);
    if (m_first == m_end) m_first = m_end = record.firstSequence + from;
    const std::size_t at = m_raw.size();
    encode(record, from, to);
    bytes += m_raw.size() - at;
    m_end = record.firstSequence + to;
    m_tokens.push_back(token);
    if (parts > 1 || m_end - m_first >= maxBatch) send();
  }
  settle(*m_shared, token, 1, Completion{});
  return bytes;
}

void HttpsUplink::encode(const Record& record, std::size_t from, std::size_t to) {
  const auto obs = record.observations;
  // One batch per machine, in order of first appearance.
  m_groups.clear();
  m_groupIndex.clear();
  for (auto i = static_cast<std::uint32_t>(from); i < to; ++i) {
    auto [it, added] = m_groupIndex.try_emplace(obs[i].machine, m_groups.size());
    if (added) m_groups.emplace_back(obs[i].machine, std::vector<std::uint32_t>{});
    m_groups[it->second].second.push_back(i);
  }
  for (const auto& [machine, indices] : m_groups) {
    m_encoder.encode(m_edge, m_catalog.machineName(machine),
                     RecordPart{obs, record.firstSequence, indices}, m_raw);
  }
}

void HttpsUplink::flush() { send(); }

void HttpsUplink::send() {
  if (m_first == m_end) return;
  Outgoing out;
  out.tokens.swap(m_tokens);
  net::http::HttpRequest& request = out.request;
  const Encoding encoding = m_compressor.pack(m_raw, request.body);
  const std::uint64_t last = m_end - 1;
  const std::string range = std::to_string(m_first) + "-" + std::to_string(last);
  request.method = "POST";
  request.url = m_url;
  request.timeout = m_options.timeout;
  request.idempotencyKey = m_edge + ":" + journalIdText(m_journalId) + ":" + range;
  request.headers = {{"Content-Type", "application/x-ndjson"},
                     {kHeaderSchema, std::string(kBatchSchema)},
                     {kHeaderEncoding, toString(encoding)},
                     {kHeaderJournal, journalIdText(m_journalId)},
                     {kHeaderSeq, range},
                     {kHeaderCount, std::to_string(m_end - m_first)}};
  m_shared->bytesRaw += m_raw.size();
  m_raw.clear();
  m_first = m_end;
  if (m_signer) {
    if (auto signedOk = m_signer->sign(request, wallClockNs()); !signedOk) {
      for (auto token : out.tokens) {
        settle(*m_shared, token, 1, Completion{Outcome::kRetry, signedOk.error().describe()});
      }
      return;
    }
  }
  dispatch(m_shared, std::move(out));
}

void HttpsUplink::dispatch(const std::shared_ptr<Shared>& shared, Outgoing out) {
  {
    std::lock_guard lock(shared->mutex);
    if (shared->stopped) return;
    if (shared->active >= shared->maxActive) {
      shared->waiting.push_back(std::move(out));
      return;
    }
    ++shared->active;
  }
  ++shared->requests;
  shared->bytesOut += out.request.body.size();
  shared->client->submit(std::move(out.request),
                         [shared, tokens = std::move(out.tokens)](net::http::HttpResponse r) {
                           onAnswer(shared, tokens, r);
                         });
}

void HttpsUplink::onAnswer(const std::shared_ptr<Shared>& shared,
                           const std::vector<std::uint64_t>& tokens,
                           const net::http::HttpResponse& response) {
  Completion c = completionFor(response, shared->url);
  if (c.outcome == Outcome::kOk) {
    ++shared->accepted;
    const auto dup = response.headers.find("spindle-duplicate");
    if (dup != response.headers.end() && dup->second == "true") ++shared->duplicates;
  } else if (response.status >= 400 && response.status < 500 && response.status != 408 &&
             response.status != 425 && response.status != 429) {
    ++shared->refused;
    shared->refusals.log(*shared->log, spdlog::level::err, "{}", c.reason);
  } else {
    ++shared->failed;
  }
  for (auto token : tokens) settle(*shared, token, 1, c);
  std::optional<Outgoing> next;
  {
    std::lock_guard lock(shared->mutex);
    if (shared->stopped) return;
    --shared->active;
    if (!shared->waiting.empty()) {
      next.emplace(std::move(shared->waiting.front()));
      shared->waiting.pop_front();
    }
  }
  if (next) dispatch(shared, std::move(*next));
}

void HttpsUplink::settle(Shared& shared, std::uint64_t token, int parts,
                         const Completion& completion) {
  CompletionFn done;
  Completion result;
  {
    std::lock_guard lock(shared.mutex);
    if (shared.stopped) return;
    auto it = shared.pending.find(token);
    if (it == shared.pending.end()) return;
    Pending& p = it->second;
    // The worst answer decides: Reject over Retry over Ok.
    if (static_cast<int>(completion.outcome) > static_cast<int>(p.outcome)) {
      p.outcome = completion.outcome;
      p.reason = completion.reason;
    }
    p.partsLeft -= parts;
    if (p.partsLeft > 0) return;
    result = Completion{p.outcome, p.reason};
    done = std::move(p.done);
    shared.pending.erase(it);
  }
  done(std::move(result));
}

std::vector<std::pair<std::string, std::uint64_t>> HttpsUplink::counters() const {
  const Shared& s = *m_shared;
  return {{"requests", s.requests.load()},     {"accepted", s.accepted.load()},
          {"duplicates", s.duplicates.load()}, {"failed", s.failed.load()},
          {"refused", s.refused.load()},       {"bytes_out", s.bytesOut.load()},
          {"bytes_raw", s.bytesRaw.load()}};
}

}  // namespace spindle::uplinks::https
