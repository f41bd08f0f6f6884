#pragma once
/// HfPublisher: the high-frequency channel. Tool-monitoring samples (the items listed in
/// hf_items, and every time-series observation) are gathered per machine and sent every
/// hf_flush as one compact `spindle.hf.v1` message on `spindle.<edge>.hf.<machine>`.
/// Core NATS, not JetStream: the channel is live telemetry, lossy by design. While the
/// connection is down it keeps at most hf_max_samples samples and drops the oldest, counted
/// and reported in the next message. The journal's data path is separate and loses nothing.

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "model/item_catalog.hpp"
#include "uplinks/nats/nats_connection.hpp"
#include "uplinks/payload/payload_codec.hpp"

namespace spindle::uplinks::nats {

struct HfStats {
  std::uint64_t samples = 0;   ///< samples sent
  std::uint64_t messages = 0;  ///< messages sent
  std::uint64_t dropped = 0;   ///< samples dropped (buffer full)
  std::size_t buffered = 0;
};

class HfPublisher {
 public:
  /// Uses hf_items, hf_flush, hf_max_samples, compress_above and compression_level.
  HfPublisher(const NatsOptions& options, std::string edgeId, NatsConnection& connection,
              const model::ItemCatalog& catalog);
  ~HfPublisher();

  Status start();
  /// Sends what is buffered if connected, then stops. Idempotent.
  void stop();

  /// Copies the high-frequency samples of `batch`. Never blocks on the network. Any thread.
  void offer(const model::Batch& batch);

  /// Sends what is buffered now (the flush thread calls it every hf_flush).
  void flush();
  HfStats stats() const;

 private:
  struct Sample {
    model::MachineId machine;
    model::ItemId item;
    TimestampNs timestamp;
    double value;
  };
  void run();
  void push(const Sample& sample);
  /// True when `item` goes to this channel (hf_items match, decided once per item). Caller
  /// holds m_mutex.
  bool wants(model::ItemId item, model::Kind kind);

  NatsOptions m_options;
  std::string m_edge;
  NatsConnection& m_connection;
  const model::ItemCatalog& m_catalog;
  std::shared_ptr<spdlog::logger> m_log;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<Sample> m_samples;
  std::vector<std::int8_t> m_wanted;  ///< by ItemId: -1 unknown, 0 no, 1 yes
  std::vector<std::uint64_t> m_droppedByMachine;
  HfStats m_stats;
  bool m_stopping = false;
  std::thread m_thread;
  std::mutex m_flushMutex;
  Compressor m_compressor;
  std::string m_raw, m_packed;
};

}  // namespace spindle::uplinks::nats
