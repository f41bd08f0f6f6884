#pragma once
/// NatsUplink: journal records to the hub's JetStream stream, driven by a delivery engine
/// (uplinks/delivery_engine.hpp) that owns lanes, window, cursor and retries.
///
/// Each record becomes one message per machine (split at max_batch observations) on
/// `spindle.<edge>.data.<machine>`, with Nats-Msg-Id "<edge>:<journal>:<first sequence>", so
/// the hub drops anything sent twice. A record completes Ok when the hub has acknowledged all
/// its messages; Retry when one failed or timed out (the engine sends the record again, with
/// the same ids); Reject when a message can never be sent (larger than the server's
/// max_payload).

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <spdlog/logger.h>

#include "model/item_catalog.hpp"
#include "uplinks/nats/js_publisher.hpp"
#include "uplinks/nats/nats_connection.hpp"
#include "uplinks/nats/nats_options.hpp"
#include "uplinks/payload/payload_codec.hpp"
#include "uplinks/uplink.hpp"

namespace spindle::uplinks::nats {

/// The NATS uplink's name (its journal cursor is cursors/nats.cursor).
inline constexpr std::string_view kConsumerName = "nats";

class NatsUplink final : public Uplink {
 public:
  /// The connection and the catalog must outlive the uplink; the connection is started by its
  /// owner (it may still be connecting).
  NatsUplink(NatsOptions options, std::string edgeId, NatsConnection& connection,
             const model::ItemCatalog& catalog);
  ~NatsUplink() override;

  const std::string& name() const override { return m_name; }
  DeliveryOptions delivery() const override;
  /// Fails on an edge id that cannot be a subject token. The connection may start later.
  Status start() override;
  void attach(const AttachInfo& info) override;
  bool ready() const override { return m_connection.connected(); }
  std::size_t submit(const Record& record, CompletionFn done) override;
  std::vector<std::pair<std::string, std::uint64_t>> counters() const override;
  void stop() override;

 private:
  struct Pending {
    CompletionFn done;
    int partsLeft = 0;
    bool failed = false, rejected = false;
    std::string reason;
  };
  /// The wake function, shared with the connection's state listener (which may outlive us).
  struct WakeSlot {
    std::mutex mutex;
    std::function<void()> wake;
  };

  Status ensurePublisher();
  void onComplete(const PublishCompletion& completion);
  /// `parts` publishes of the record at `token` will not complete: settles it when none is left.
  void settle(std::uint64_t token, int parts, bool failed, bool rejected, const std::string& why);
  std::string subjectFor(model::MachineId machine);

  NatsOptions m_options;
  std::string m_edge;
  std::string m_name{kConsumerName};
  NatsConnection& m_connection;
  const model::ItemCatalog& m_catalog;
  std::shared_ptr<spdlog::logger> m_log;
  std::shared_ptr<WakeSlot> m_wake = std::make_shared<WakeSlot>();
  std::unique_ptr<JetStreamPublisher> m_publisher;
  std::uint64_t m_journalId = 0;

  // Engine thread.
  BatchEncoder m_encoder;
  Compressor m_compressor;
  std::string m_raw, m_packed;
  std::map<model::MachineId, std::string> m_subjects;
  std::unordered_map<model::MachineId, std::size_t> m_partIndex;

  mutable std::mutex m_mutex;
  std::map<std::uint64_t, Pending> m_pending;  ///< by first sequence
  std::string m_lastError;
  std::atomic<std::uint64_t> m_published{0}, m_acked{0}, m_duplicates{0}, m_failed{0};
  std::atomic<std::uint64_t> m_bytesOut{0}, m_bytesRaw{0};
};

}  // namespace spindle::uplinks::nats
