#pragma once
/// The clock check: asks the configured NTP servers (SNTP) how far this edge's clock is off.
/// When the offset passes the threshold, or no server answers, the clock is untrusted: health
/// says so, and collectors flag what they observe with model::kFlagUntrustedClock.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/time.hpp"
#include "base/units.hpp"
#include "net/resolver_chain.hpp"
#include "net/server_address.hpp"
#include "net/sntp.hpp"

namespace spindle::net {

struct ClockOptions {
  std::vector<ServerAddress> servers{ServerAddress{"pool.ntp.org", 123}};  ///< asked in order
  Duration timeout = std::chrono::seconds(2);                              ///< per server address
  Duration interval = std::chrono::minutes(15);  ///< between checks (start() only)
  /// Beyond this the clock is untrusted (allowing for half the round trip: the offset is
  /// only known within +- delay/2).
  Duration maxOffset = std::chrono::seconds(1);
};

enum class ClockState {
  kUnknown,    ///< not checked yet: observations are not flagged
  kTrusted,    ///< a server answered and the offset is within maxOffset
  kUntrusted,  ///< the offset is too large, or no server answered
};
const char* toString(ClockState state);

struct ClockReport {
  ClockState state = ClockState::kUnknown;
  std::string reason;  ///< one sentence for health pages and logs
  std::string server;  ///< the server the sample came from, e.g. "pool.ntp.org:123 (192.0.2.1)"
  std::optional<SntpSample> sample;
  std::vector<std::string> failures;  ///< one line per server that did not answer
  TimestampNs checkedAt = 0;
};

class ClockMonitor : public std::enable_shared_from_this<ClockMonitor> {
 public:
  /// Names in `options.servers` resolve through `resolver` (which may be null when every
  /// server is an IP literal). `clock` is the clock being judged (nullptr: the system clock).
  static std::shared_ptr<ClockMonitor> create(boost::asio::any_io_executor executor,
                                              std::shared_ptr<ResolverChain> resolver,
                                              ClockOptions options,
                                              std::shared_ptr<const Clock> clock = nullptr);

  /// Checks now and then every `interval`. Returns at once. With no servers it checks nothing
  /// and reports kUnknown ("clock check off") until reconfigure() gives it some.
  void start();
  /// Replaces the servers, timeout, interval and limit (a changed `net:` section). A started
  /// monitor checks again at once with them; a check in flight on the old servers still
  /// answers its caller but no longer sets the report. Thread-safe; returns at once.
  void reconfigure(ClockOptions options);
  /// Cancels the periodic check; a check in flight still reports. Idempotent.
  void stop();
  /// One check now; `done` (optional) runs on the monitor's strand with the new report.
  void checkNow(std::function<void(ClockReport)> done = {});

  /// The last report. Thread-safe.
  ClockReport report() const;
  /// True once a check found the clock untrusted (and until one finds it trusted). Lock-free.
  bool untrusted() const { return m_untrusted.load(std::memory_order_relaxed); }
  /// model::kFlagUntrustedClock while untrusted(), else 0: OR it into observations' flags.
  std::uint8_t observationFlags() const;

 private:
  struct Round;
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;

  ClockMonitor(Strand strand, std::shared_ptr<ResolverChain> resolver, ClockOptions options,
               std::shared_ptr<const Clock> clock);
  void schedule();
  void nextServer(const std::shared_ptr<Round>& round);
  void nextAddress(const std::shared_ptr<Round>& round);
  void conclude(const std::shared_ptr<Round>& round);

  void turnOff();  ///< no servers: report kUnknown, flag nothing

  Strand m_strand;
  std::shared_ptr<ResolverChain> m_resolver;
  ClockOptions m_options;          ///< strand only; each round takes a copy
  std::uint64_t m_generation = 0;  ///< bumped by reconfigure(): older rounds set no report
  std::shared_ptr<const Clock> m_clock;
  boost::asio::steady_timer m_timer;
  bool m_running = false;
  std::atomic<bool> m_untrusted{false};
  mutable std::mutex m_mutex;
  ClockReport m_report;
};

/// "+12.3 ms", "-2.450 s": a signed offset for people.
std::string formatOffset(Duration offset);

}  // namespace spindle::net
