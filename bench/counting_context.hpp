#pragma once
/// What the polling benchmarks (bench/modbus_bench, bench/focas_poll_bench) share: a collector
/// context that counts the observations it is given and keeps nothing, and the process's own
/// CPU time and resident memory.

#include <atomic>
#include <fstream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <spdlog/logger.h>
#include <sys/resource.h>

#include "collectors/collector.hpp"

namespace spindle::bench {

/// A collector context on the shared io_context that counts what it is given and keeps nothing.
class CountingContext final : public collectors::CollectorContext {
 public:
  CountingContext(boost::asio::io_context& io, model::ItemCatalog& catalog, std::string name,
                  std::shared_ptr<const transform::CompiledScript> script,
                  std::shared_ptr<spdlog::logger> logger)
      : m_io(io),
        m_catalog(catalog),
        m_machine(catalog.addMachine(name)),
        m_name(std::move(name)),
        m_script(std::move(script)),
        m_logger(std::move(logger)) {}
  boost::asio::io_context& io() override { return m_io; }
  model::ItemCatalog& catalog() override { return m_catalog; }
  model::MachineId machine() const override { return m_machine; }
  const std::string& machineName() const override { return m_name; }
  const Clock& clock() const override { return m_clock; }
  const std::shared_ptr<spdlog::logger>& logger() const override { return m_logger; }
  bool tryEmit(model::Batch& batch) override {
    m_observations += batch.size();
    batch.clear();
    return true;
  }
  void setRoomListener(std::function<void()>) override {}
  void setState(collectors::ConnectionState, const std::string&) override {}
  std::shared_ptr<const transform::CompiledScript> script() const override { return m_script; }
  std::atomic<std::uint64_t> m_observations{0};

 private:
  boost::asio::io_context& m_io;
  model::ItemCatalog& m_catalog;
  model::MachineId m_machine;
  std::string m_name;
  SystemClock m_clock;
  std::shared_ptr<const transform::CompiledScript> m_script;
  std::shared_ptr<spdlog::logger> m_logger;
};

inline double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

inline double residentKb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

}  // namespace spindle::bench
