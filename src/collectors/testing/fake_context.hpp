#pragma once
/// Test support: a CollectorContext that runs its own io_context thread and records what a
/// collector emits. Header-only; used by collector tests only.

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "base/log.hpp"
#include "collectors/collector.hpp"

namespace spindle::collectors::testing {

class FakeContext final : public CollectorContext {
 public:
  explicit FakeContext(std::string machine = "m")
      : m_machine(m_catalog.addMachine(machine)),
        m_name(std::move(machine)),
        m_logger(makeLogger("collector.test." + m_name)),
        m_work(boost::asio::make_work_guard(m_io)),
        m_thread([this] { m_io.run(); }) {}

  ~FakeContext() override {
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }

  boost::asio::io_context& io() override { return m_io; }
  model::ItemCatalog& catalog() override { return m_catalog; }
  model::MachineId machine() const override { return m_machine; }
  const std::string& machineName() const override { return m_name; }
  const Clock& clock() const override { return m_clock; }
  const std::shared_ptr<spdlog::logger>& logger() const override { return m_logger; }

  bool tryEmit(model::Batch& batch) override {
    std::lock_guard lock(m_mutex);
    ++m_offers;
    if (m_full) {
      m_refused = true;
      ++m_refusedEmits;
      m_changed.notify_all();
      return false;
    }
    for (auto& o : batch) m_observations.push_back(std::move(o));
    batch.clear();
    m_changed.notify_all();
    return true;
  }

  void setState(ConnectionState state, const std::string& detail) override {
    std::lock_guard lock(m_mutex);
    m_states.push_back(state);
    m_detail = detail;
    m_changed.notify_all();
  }

  std::shared_ptr<const transform::CompiledScript> script() const override {
    std::lock_guard lock(m_mutex);
    return m_script;
  }
  std::string dataDir() const override {
    std::lock_guard lock(m_mutex);
    return m_dataDir;
  }
  /// Where the collector keeps its files (a test's temporary folder); set before start().
  void setDataDir(std::string dataDir) {
    std::lock_guard lock(m_mutex);
    m_dataDir = std::move(dataDir);
  }
  /// The script the collector sees (a test's register map, say); set before start().
  void setScript(std::shared_ptr<const transform::CompiledScript> script) {
    std::lock_guard lock(m_mutex);
    m_script = std::move(script);
  }

  void reportRefusals(const InputRefusals& refusals) override {
    std::lock_guard lock(m_mutex);
    m_refusals = refusals;
    m_changed.notify_all();
  }

  InputRefusals refusals() {
    std::lock_guard lock(m_mutex);
    return m_refusals;
  }

  void setRoomListener(std::function<void()> onRoom) override {
    std::lock_guard lock(m_listenerMutex);
    m_onRoom = std::move(onRoom);
  }

  /// While full, tryEmit refuses every batch. Making room calls the room listener when a
  /// batch was refused, as the pipeline does.
  void setFull(bool full) {
    bool notify = false;
    {
      std::lock_guard lock(m_mutex);
      m_full = full;
      notify = !full && m_refused;
      if (notify) m_refused = false;
    }
    if (!notify) return;
    std::lock_guard lock(m_listenerMutex);
    if (m_onRoom) m_onRoom();
  }

  /// How many batches tryEmit was offered (taken or refused).
  std::size_t offers() {
    std::lock_guard lock(m_mutex);
    return m_offers;
  }

  bool hasRoomListener() {
    std::lock_guard lock(m_listenerMutex);
    return static_cast<bool>(m_onRoom);
  }

  /// Batches tryEmit refused while full: each proves the collector had read data to hand over.
  std::size_t refusedEmits() {
    std::lock_guard lock(m_mutex);
    return m_refusedEmits;
  }

  /// The detail of the latest state reported ("" when none).
  std::string stateDetail() {
    std::lock_guard lock(m_mutex);
    return m_detail;
  }

  /// How many times the collector reported `state` (kBackoff: one failed attempt handled).
  std::size_t stateCount(ConnectionState state) {
    std::lock_guard lock(m_mutex);
    return static_cast<std::size_t>(std::count(m_states.begin(), m_states.end(), state));
  }

  /// Waits up to `timeout` for `predicate(observations)` to hold; returns whether it did.
  bool waitFor(const std::function<bool(const model::Batch&)>& predicate,
               std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return predicate(m_observations); });
  }

  model::Batch observations() {
    std::lock_guard lock(m_mutex);
    return m_observations;
  }

  /// The latest value of `key`, or nothing if never seen.
  std::optional<model::Value> latest(const std::string& key) {
    std::lock_guard lock(m_mutex);
    for (auto it = m_observations.rbegin(); it != m_observations.rend(); ++it) {
      if (m_catalog.item(it->item).key == key) return it->value;
    }
    return std::nullopt;
  }

  /// The latest value of `key` as text, or "" if never seen.
  std::string latestText(const std::string& key) {
    const auto value = latest(key);
    if (!value) return "";
    if (std::holds_alternative<model::Unavailable>(*value)) return "UNAVAILABLE";
    if (auto* s = std::get_if<std::string>(&*value)) return *s;
    if (auto* i = std::get_if<std::int64_t>(&*value)) return std::to_string(*i);
    if (auto* d = std::get_if<double>(&*value)) return std::to_string(*d);
    return "?";
  }

  std::size_t countOf(const std::string& key, const std::string& text) {
    std::size_t n = 0;
    std::lock_guard lock(m_mutex);
    for (const auto& o : m_observations) {
      if (m_catalog.item(o.item).key != key) continue;
      const auto* s = std::get_if<std::string>(&o.value);
      if ((s && *s == text) || (text == "UNAVAILABLE" && model::isUnavailable(o.value))) ++n;
    }
    return n;
  }

 private:
  model::ItemCatalog m_catalog;
  model::MachineId m_machine;
  std::string m_name;
  SystemClock m_clock;
  std::shared_ptr<spdlog::logger> m_logger;
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  mutable std::mutex m_mutex;
  std::shared_ptr<const transform::CompiledScript> m_script;
  std::string m_dataDir = "spindle-data";
  std::condition_variable m_changed;
  model::Batch m_observations;
  std::vector<ConnectionState> m_states;
  std::string m_detail;  ///< of the latest setState
  bool m_full = false;
  bool m_refused = false;
  std::size_t m_offers = 0;
  std::mutex m_listenerMutex;
  std::function<void()> m_onRoom;
  std::size_t m_refusedEmits = 0;
  InputRefusals m_refusals;
  std::thread m_thread;
};

}  // namespace spindle::collectors::testing
