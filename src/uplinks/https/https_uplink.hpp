#pragma once
/// HttpsUplink: journal records POSTed to the cloud API over an HTTP client of its own, driven
/// by a delivery engine (uplinks/delivery_engine.hpp) that owns lanes, window, cursor and
/// retries.
///
/// Requests. Consecutive records are gathered into one request of at most `max_batch`
/// observations, sent when it is full, when a record does not follow the last, or when the
/// engine has nothing more to give for now (flush()); a record larger than `max_batch` is sent
/// in requests of `max_batch`. The body is the NATS uplink's `spindle.batch.v1`: batches (a
/// header line, then observation lines) one after another, one per machine and record, zstd
/// above a threshold. At most `max_in_flight` requests are on the wire; the rest wait here in
/// order. Each request names its journal and sequences (Spindle-Journal, Spindle-Seq), carries
/// Idempotency-Key "<edge>:<journal>:<first>-<last>" and is signed with the edge's key
/// (request_signature.hpp). A server drops observations whose sequence it already has
/// (docs/cloud-protocol.md), so what a crash or a lost answer sends again is stored once.
///
/// Answers: 2xx completes the request's records; no answer, 408, 425, 429 and 5xx are retried
/// (by the client, then by the engine); 401, 403, 404, 405 and 407 mean the edge is not set up
/// as the server expects: the records wait in the journal (Retry, logged with the body) until
/// the configuration or the server is fixed; 413 and other 4xx refuse the request's records:
/// they are held (`<journal>/held/https.jsonl`, with the answer) and the rest flows on.

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <spdlog/logger.h>

#include "base/log_limiter.hpp"
#include "model/item_catalog.hpp"
#include "net/http/http_client.hpp"
#include "uplinks/https/https_options.hpp"
#include "uplinks/https/request_signature.hpp"
#include "uplinks/payload/payload_codec.hpp"
#include "uplinks/uplink.hpp"

namespace spindle::uplinks::https {

/// The HTTPS uplink's name (its journal cursor is cursors/https.cursor).
inline constexpr std::string_view kConsumerName = "https";

/// How an answer ends a request (pure, for tests): the outcome and why.
Completion completionFor(const net::http::HttpResponse& response, const std::string& url);

class HttpsUplink final : public Uplink {
 public:
  /// `url` is final (https_options.hpp: dataUrl); `signer` absent sends unsigned requests.
  /// The uplink owns its client (its connections, stopped with it); the catalog must outlive
  /// the uplink.
  HttpsUplink(HttpsUplinkOptions options, std::string url, std::string edgeId,
              std::optional<RequestSigner> signer, std::unique_ptr<net::http::HttpClient> client,
              const model::ItemCatalog& catalog);
  ~HttpsUplink() override;

  const std::string& name() const override { return m_name; }
  DeliveryOptions delivery() const override;
  Status start() override;
  void attach(const AttachInfo& info) override;
  std::size_t submit(const Record& record, CompletionFn done) override;
  void flush() override;
  std::vector<std::pair<std::string, std::uint64_t>> counters() const override;
  void stop() override;

 private:
  struct Pending {
    CompletionFn done;
    int partsLeft = 0;
    Outcome outcome = Outcome::kOk;  ///< the worst so far: Reject over Retry over Ok
    std::string reason;
  };
  /// A request and the records (by first sequence) it completes.
  struct Outgoing {
    net::http::HttpRequest request;
    std::vector<std::uint64_t> tokens;
  };
  /// What the client's callbacks share with the uplink: they may run while it stops.
  struct Shared {
    std::shared_ptr<spdlog::logger> log;
    std::string url;
    net::http::HttpClient* client = nullptr;
    std::mutex mutex;
    bool stopped = false;
    std::map<std::uint64_t, Pending> pending;          ///< by record's first sequence
    std::deque<Outgoing> waiting;                      ///< built, not yet on the wire
    int active = 0, maxActive = 1;                     ///< requests on the wire
    LogLimiter refusals{10, std::chrono::minutes(1)};  ///< client thread
    std::atomic<std::uint64_t> requests{0}, accepted{0}, duplicates{0}, failed{0}, refused{0};
    std::atomic<std::uint64_t> bytesOut{0}, bytesRaw{0};
  };

  /// Appends observations [from, to) of `record` to the open request, one batch per machine.
  void encode(const Record& record, std::size_t from, std::size_t to);
  /// Sends the open request, if any, for the records in m_tokens.
  void send();
  static void dispatch(const std::shared_ptr<Shared>& shared, Outgoing outgoing);
  static void onAnswer(const std::shared_ptr<Shared>& shared,
                       const std::vector<std::uint64_t>& tokens,
                       const net::http::HttpResponse& response);
  static void settle(Shared& shared, std::uint64_t token, int parts, const Completion& completion);

  HttpsUplinkOptions m_options;
  std::string m_url;
  std::string m_edge;
  std::string m_name{kConsumerName};
  std::optional<RequestSigner> m_signer;
  std::unique_ptr<net::http::HttpClient> m_client;
  const model::ItemCatalog& m_catalog;
  std::shared_ptr<Shared> m_shared = std::make_shared<Shared>();
  std::uint64_t m_journalId = 0;

  // Engine thread: the open request.
  BatchEncoder m_encoder;
  Compressor m_compressor;
  std::string m_raw;
  std::uint64_t m_first = 0, m_end = 0;  ///< its sequences; m_first == m_end: none
  std::vector<std::uint64_t> m_tokens;
  std::vector<std::pair<model::MachineId, std::vector<std::uint32_t>>> m_groups;
  std::unordered_map<model::MachineId, std::size_t> m_groupIndex;
};

}  // namespace spindle::uplinks::https
