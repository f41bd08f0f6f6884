#pragma once
/// The MTConnect agent REST interface over every machine: /probe, /current (at, interval),
/// /sample (from, count, interval, heartbeat; streamed as multipart/mixed), /assets and
/// /asset/<ids>, per-device paths (/<device>/probe ...), path= filters, XML and JSON,
/// `pretty=true` for indented documents and `schemaVersion=` for another served version.

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "web/http_server.hpp"
#include "web/mtconnect/device_model.hpp"
#include "web/mtconnect/observation_index.hpp"
#include "web/mtconnect/printer.hpp"
#include "web/web_options.hpp"

namespace spindle::web::mtconnect {

/// How a request wants its documents printed.
struct Style {
  Format format = Format::kXml;
  bool pretty = false;                            ///< indented (pretty=true)
  SchemaVersion version = kDefaultSchemaVersion;  ///< web.schema_version, or schemaVersion=
};

/// The part of the buffer a /sample reads: forward from `from`, or backwards (count < 0, or
/// `to` given) ending at `to` / the newest observation.
struct SampleRange {
  std::uint64_t from = 0;
  std::optional<std::uint64_t> to;  ///< inclusive upper bound
  std::int64_t count = 100;         ///< never 0; negative reads backwards
  bool fromGiven = false;
};

class AgentService : public std::enable_shared_from_this<AgentService> {
 public:
  /// `sender` names the edge in every Header. Thread safety: handle() from any thread.
  AgentService(const WebOptions& options, const state::StateStore& store,
               const model::ItemCatalog& catalog, std::string sender);

  void handle(const HttpRequest& request, std::shared_ptr<Responder> responder);

  /// Which items a request selects.
  struct Scope {
    std::shared_ptr<const Snapshot> snapshot;
    std::vector<bool> selected;  ///< by snapshot item index (synthetic items included)
    std::vector<int> metaOf;     ///< by ItemId: snapshot item index, -1 when not selected
    /// The Agent's DEVICE_ADDED, DEVICE_CHANGED, DEVICE_REMOVED: snapshot item index, or -1.
    std::array<int, 3> agentMeta{-1, -1, -1};
    std::string device;  ///< as asked ("" for all), to rebuild when the model grows
    std::string path;
  };

  /// Fills `scope` for a device (name or uuid; empty: all) and a path filter (empty: none).
  /// Returns "" or the MTConnect error code, with `why` set.
  std::string makeScope(std::string_view device, const std::string& path, Scope& scope,
                        std::string& why);

  /// The /current document of `scope`, or as of sequence `at`; ok false when `at` is outside
  /// the buffer.
  std::string currentDocument(const Style& st, const Scope& scope, std::optional<std::uint64_t> at,
                              bool& ok);
  /// A /sample document of `range`; sets `next` (the Header's nextSequence) and the number of
  /// observations in it.
  std::string sampleDocument(const Style& st, const Scope& scope, const SampleRange& range,
                             std::uint64_t& next, std::size_t& observations);

  ObservationIndex& index() { return m_index; }
  std::shared_ptr<const Snapshot> snapshot() { return m_model.snapshot(); }
  /// Milliseconds since the epoch when this interface started: the same for every document
  /// of a running edge, a new value after a restart (sequence numbers begin again).
  std::uint64_t instanceId() const { return m_instanceId; }
  /// Stops every stream at its next tick.
  void stop() { m_stopped = true; }

 private:
  class Stream;

  HeaderInfo headerInfo(const Style& st) const;
  /// Whether `scope` selects item `id` (catalog items and the Agent's events).
  static bool wants(const Scope& scope, model::ItemId id);
  /// The printable row of an index entry of `scope`.
  static Row rowOf(const Scope& scope, const Entry& e);
  void error(Responder& r, const Style& st, unsigned status, const std::string& code,
             const std::string& text) const;
  /// Replies 200 with `body`, indented when the request asked for it.
  static void reply(Responder& r, const Style& st, std::string body);
  void probe(const HttpRequest& req, Responder& r, const Style& st, const Scope& scope);
  void current(const HttpRequest& req, std::shared_ptr<Responder> r, const Style& st,
               const Scope& scope);
  void sample(const HttpRequest& req, std::shared_ptr<Responder> r, const Style& st,
              const Scope& scope);
  void assets(const HttpRequest& req, Responder& r, const Style& st, std::string_view ids);

 private:
  WebOptions m_options;
  const model::ItemCatalog& m_catalog;
  DeviceModel m_model;
  ObservationIndex m_index;
  SchemaVersion m_version;
  std::uint64_t m_instanceId;
  TimestampNs m_started;
  std::atomic<bool> m_stopped{false};
};

}  // namespace spindle::web::mtconnect
