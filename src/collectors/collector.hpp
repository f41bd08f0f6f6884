#pragma once
/// The contract between Spindle and a collector plugin. A collector sees only its
/// CollectorContext: emit batches, the catalog, a clock, a logger and the io_context.

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <spdlog/logger.h>

#include "base/error.hpp"
#include "base/time.hpp"
#include "collectors/input_guard.hpp"
#include "collectors/resolve.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors {

enum class ConnectionState { kStopped, kConnecting, kConnected, kBackoff };
const char* toString(ConnectionState state);

/// What a running collector may ask of the process. Implemented by app/; tests use a fake.
/// Every method may be called from any io_context thread.
class CollectorContext {
 public:
  virtual ~CollectorContext() = default;

  virtual boost::asio::io_context& io() = 0;
  virtual model::ItemCatalog& catalog() = 0;
  virtual model::MachineId machine() const = 0;
  virtual const std::string& machineName() const = 0;
  virtual const Clock& clock() const = 0;
  virtual const std::shared_ptr<spdlog::logger>& logger() const = 0;

  /// Hands a batch to the pipeline. On success the batch is consumed (left empty) and true is
  /// returned. When the pipeline is full it returns false and leaves the batch untouched: the
  /// collector keeps it, stops reading from its machine and offers it again when the room
  /// listener is called. Collectors use an Emitter (collectors/emitter.hpp), not this directly.
  virtual bool tryEmit(model::Batch& batch) = 0;
  /// Registers `onRoom`, called (on the pipeline's thread; it must only post to the collector's
  /// executor, never block) once there is room for a batch tryEmit refused; once per refusal.
  /// An empty function removes it: after that call returns, the previous listener is not
  /// running and never runs again.
  virtual void setRoomListener(std::function<void()> onRoom) = 0;

  /// Reports the connection state for health and the status page.
  virtual void setState(ConnectionState state, const std::string& detail = "") = 0;
  /// Publishes what the machine's input limits refused since the start (totals, for health).
  virtual void reportRefusals(const InputRefusals& refusals) { (void)refusals; }
  /// How to resolve the machine's host: the edge's DNS chain when running, the system's
  /// resolver by default.
  virtual ResolveFn resolver() { return systemResolve; }
  /// The machine's adapter script, or null when it runs none. Collectors that are told what to
  /// read take it from the script's inputs (CompiledScript::inputs(): Modbus `registers` and
  /// `coils`, OPC UA `tags`, the `keys` a polled control is asked for). Set before start().
  virtual std::shared_ptr<const transform::CompiledScript> script() const { return nullptr; }
  /// The edge's data directory (edge.data_dir), where a collector keeps what it must remember
  /// across restarts (the OPC UA certificates). Set before start().
  virtual std::string dataDir() const { return "spindle-data"; }
};

/// Lifecycle: constructed (options validated, no I/O) -> start (I/O begins, returns at once)
/// -> stop (idempotent; after it returns no more emits happen).
class Collector {
 public:
  virtual ~Collector() = default;
  virtual Status start(CollectorContext& context) = 0;
  virtual void stop() = 0;
  /// Writes `value` to the machine's input `key`, as the script's `writes` section asks (only
  /// collectors registered with CollectorInfo::writes get scripts that write). `done` runs
  /// once with the outcome, on any thread. Any thread, after start().
  virtual void write(const std::string& key, model::Value value, std::function<void(Status)> done) {
    (void)key;
    (void)value;
    done(Error(ErrorCode::kInvalidArgument, "this collector cannot write to its machine"));
  }
};

}  // namespace spindle::collectors
