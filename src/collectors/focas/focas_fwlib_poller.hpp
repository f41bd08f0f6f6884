#pragma once
/// The library's share of one focas machine (the `fwlib:` key): an fwlib::FwlibSession of its
/// own, connected and reconnected with the machine's backoff, read on the slow group for the
/// spindle loads (spindle_load_<n>) and the tool offsets the script names (tool_offset_<n>:
/// items tool_offset_<n>_radius_wear, _radius_geometry, _length_wear, _length_geometry).
///
/// The library calls run on the session's worker; their replies are posted to the collector's
/// strand, where everything here runs but stop(). A call the library or the control cannot
/// answer (fwlib::isUnsupported) is said once and not asked again in that session; a timeout or
/// a lost connection drops the session (stopped on a thread of its own, never an io thread),
/// makes the library's items UNAVAILABLE and connects a new one after the backoff.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <spdlog/logger.h>

#include "collectors/backoff.hpp"
#include "collectors/focas/focas_session.hpp"
#include "collectors/focas/fwlib/fwlib_backend.hpp"
#include "model/observation.hpp"

namespace spindle::transform {
class CompiledScript;
}

namespace spindle::collectors::focas {

/// The tool numbers the script names as keys tool_offset_<n> (n 1..9999), each once; an error
/// names a malformed key.
Result<std::vector<std::int16_t>> toolOffsetKeys(const transform::CompiledScript* script);

/// The library at `path`, loaded once per process while any machine holds it (the library
/// starts itself once per file); errors name the path.
Result<std::shared_ptr<fwlib::FwlibLibrary>> sharedFwlib(const std::string& path);

class FwlibPoller : public std::enable_shared_from_this<FwlibPoller> {
 public:
  struct Hooks {
    /// A value (or model::Unavailable) for a key; the collector's emit (changes only).
    std::function<void(const std::string&, model::Value, model::Kind)> emit;
    std::function<void()> flush;          ///< after a reply's values
    std::function<void()> detailChanged;  ///< unsupported() or problem() changed
  };
  struct Options {
    fwlib::SessionOptions session;
    Duration reconnectMin = std::chrono::milliseconds(500);
    Duration reconnectMax = std::chrono::seconds(30);
  };

  FwlibPoller(FocasSession::Strand strand, std::shared_ptr<fwlib::FwlibLibrary> library,
              Options options, std::vector<std::int16_t> tools,
              std::shared_ptr<spdlog::logger> logger, Hooks hooks);
  /// Waits for the sessions being stopped (a call stuck in the library: up to twice stopGrace).
  ~FwlibPoller();
  FwlibPoller(const FwlibPoller&) = delete;
  FwlibPoller& operator=(const FwlibPoller&) = delete;

  /// Posts the first connect. Any thread.
  void start();
  /// No hook runs after it returns (on the strand or not); waits for the sessions it stopped.
  /// Not on the strand.
  void stop();
  /// The slow group: spindle loads of `spindles` spindles (1..8) and the tool offsets. Skipped
  /// while the previous round is still answering. On the strand.
  void poll(std::size_t spindles);

  /// On the strand: "cnc_rdtofs (...)" for the functions dropped this session, and what keeps
  /// the library's session from connecting ("" when connected).
  const std::string& unsupported() const { return m_unsupported; }
  const std::string& problem() const { return m_problem; }
  /// Rounds skipped because the previous one had not finished (any thread).
  std::uint64_t overruns() const { return m_overruns.load(); }

 private:
  void connect();
  void drop(const Error& error);
  void retire(std::unique_ptr<fwlib::FwlibSession> session);
  void scheduleConnect();
  struct Retired {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  /// Handles a failed reply of `function` whose items are `keys`; false when the session is gone.
  bool failed(const char* function, const Error& error, const std::vector<std::string>& keys);
  void unavailable(const std::vector<std::string>& keys);
  template <typename T, typename Call, typename Done>
  void ask(Call call, Done done);

  FocasSession::Strand m_strand;
  std::shared_ptr<fwlib::FwlibLibrary> m_library;
  Options m_options;
  std::vector<std::int16_t> m_tools;
  std::shared_ptr<spdlog::logger> m_logger;
  Hooks m_hooks;
  boost::asio::steady_timer m_timer;
  Backoff m_backoff;
  std::unique_ptr<fwlib::FwlibSession> m_session;
  std::uint64_t m_generation = 0;  ///< replies of an older session are dropped
  bool m_connected = false;
  bool m_wasDown = false;
  int m_pending = 0;  ///< calls of this round not answered yet
  std::set<std::string> m_dropped;
  std::set<std::string> m_warned;  ///< errors logged once (bounded)
  std::set<std::string> m_keys;    ///< every key emitted this session
  std::string m_unsupported;
  std::string m_problem;
  std::atomic<bool> m_stopped{false};
  std::atomic<std::uint64_t> m_overruns{0};
  std::mutex m_retiredMutex;
  std::vector<Retired> m_retired;  ///< sessions being stopped off the strand
};

}  // namespace spindle::collectors::focas
