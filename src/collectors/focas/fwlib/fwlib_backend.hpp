#pragma once
/// One machine's session through FANUC's FOCAS library: the calls the native client cannot make
/// because their wire codes are not public (cnc_rddynamic2, cnc_rdspload, cnc_rdtofs), plus the
/// few a session needs around them (connect, path, sysinfo, statinfo, macro, parameter).
///
/// Every library call blocks on the network, so each session runs them on its own worker thread
/// (BlockingWorker), one at a time, each with a deadline. Nothing here runs on the io threads and
/// one session's stuck call never delays another session.
///
/// Calls are asynchronous: each returns kUnavailable at once when refused (the session's queue is
/// full or it stopped; the reply is then not called), else its reply runs exactly once, on the
/// session's worker or watchdog thread (post it to the collector's strand), unless stop() came
/// first. A reply gets the typed value, or an Error:
/// - kTimeout: the call did not return within its deadline. The library call still runs and the
///   calls queued behind it wait for it: drop the session (stop()) and make a new one.
/// - kUnavailable "disconnected": not connected, or an earlier call lost the connection
///   (EW_SOCKET, EW_HANDLE); the handle was freed. Reconnecting (connect()) is the caller's
///   business, with its backoff.
/// - kNotFound: the control answered EW_FUNC or EW_NOOPT, or the library lacks this optional
///   function: it will never answer, stop asking (fwlib::isUnsupported()). The message names
///   the function and the code.
/// - others: see ewError() in fwlib_codes.hpp.
///
/// Values are scaled where the library says how: positions by the axis's decimal places
/// (cnc_getfigure kind 0, dec_fig_in, read at connect), tool offsets by the tool-offset decimal
/// places (kind 1), macros and real parameters by the decimals they carry. Where the library
/// lacks cnc_getfigure the value is the raw integer and `scaled` is false.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "base/units.hpp"
#include "collectors/blocking_worker.hpp"
#include "collectors/focas/fwlib/fwlib_library.hpp"

namespace spindle::collectors::focas::fwlib {

struct SessionOptions {
  std::string host;  ///< the control's address, as the library takes it (IPv4 or name)
  std::uint16_t port = 8193;
  /// The library's own connect timeout (cnc_allclibhndl3 takes whole seconds, at least 1);
  /// connect()'s deadline is this plus callTimeout.
  Duration connectTimeout = std::chrono::seconds(10);
  Duration callTimeout = std::chrono::seconds(5);  ///< deadline of every other call
  std::size_t queueLimit = 16;                     ///< calls waiting; more are refused
  Duration stopGrace = std::chrono::seconds(2);    ///< how long stop() waits for a running call
};

/// cnc_sysinfo. Text fields are trimmed of their padding.
struct SystemInfo {
  std::int16_t addinfo = 0;
  std::int16_t maxAxis = 0;
  std::string cncType;  ///< "0", "16", "30"...
  std::string mtType;   ///< "M" (machining), "T" (turning)...
  std::string series;   ///< "D4F1"
  std::string version;  ///< "30.0"
  int axes = 0;         ///< controlled axes
};

/// cnc_statinfo; the meanings of each value are in docs/collectors/focas.md.
struct CncStatus {
  std::int16_t hdck = 0;
  std::int16_t tmmode = 0;
  std::int16_t aut = 0;  ///< mode: 0 MDI, 1 MEM, 3 EDIT, 4 HND, 5 JOG...
  std::int16_t run = 0;  ///< 0 reset, 1 STOP, 2 HOLD, 3 STaRT, 4 MSTR
  std::int16_t motion = 0;
  std::int16_t mstb = 0;
  std::int16_t emergency = 0;
  std::int16_t alarm = 0;
  std::int16_t edit = 0;
};

struct AxisPosition {
  double absolute = 0;
  double machine = 0;
  double relative = 0;
  double distanceToGo = 0;
  std::int16_t decimals = 0;  ///< decimal places applied (0 when not scaled)
};

/// cnc_rddynamic2 for all axes.
struct DynamicData {
  std::int32_t alarm = 0;          ///< alarm status bits
  std::int32_t program = 0;        ///< running O-number
  std::int32_t mainProgram = 0;    ///< main O-number
  std::int32_t sequence = 0;       ///< N-number
  std::int32_t feed = 0;           ///< actual feed, in the control's feed unit (mm/min, inch/min)
  std::int32_t speed = 0;          ///< actual spindle speed, rpm
  std::vector<AxisPosition> axes;  ///< the controlled axes (sysinfo), in the control's order
  bool scaled = false;             ///< positions carry their decimal places
};

struct ToolOffset {
  double value = 0;
  std::int16_t decimals = 0;
  bool scaled = false;
};

/// A parameter's data type, which fixes the length cnc_rdparam reads.
enum class ParameterType { kByte, kWord, kTwoWord, kReal };

class FwlibSession {
 public:
  template <typename T>
  using Reply = std::function<void(Result<T>)>;

  /// Starts the worker; connects nothing yet.
  FwlibSession(std::shared_ptr<FwlibLibrary> library, SessionOptions options);
  /// stop().
  ~FwlibSession();
  FwlibSession(const FwlibSession&) = delete;
  FwlibSession& operator=(const FwlibSession&) = delete;

  /// cnc_allclibhndl3 (an open handle is freed first), then cnc_sysinfo (axis count) and, when
  /// the library has it, cnc_getfigure for the decimal places used to scale later values.
  Status connect(Reply<SystemInfo> reply);
  /// cnc_freelibhndl; Ok also when not connected.
  Status disconnect(Reply<Ok> reply);
  /// cnc_setpath: later calls address path `path` (1-based) of a multi-path control.
  Status setPath(std::int16_t path, Reply<Ok> reply);

  Status readSystem(Reply<SystemInfo> reply);
  Status readStatus(Reply<CncStatus> reply);
  Status readDynamic(Reply<DynamicData> reply);
  /// cnc_rdspload for all spindles: the load in percent of the first `count` (1..8) spindles.
  Status readSpindleLoads(std::size_t count, Reply<std::vector<std::int16_t>> reply);
  /// cnc_rdtofs: offset `number` of `type` (milling: 0 radius wear, 1 radius geometry, 2 length
  /// wear, 3 length geometry).
  Status readToolOffset(std::int16_t number, std::int16_t type, Reply<ToolOffset> reply);
  /// cnc_rdmacro: macro variable #number; nullopt when it is vacant.
  Status readMacro(std::int16_t number, Reply<std::optional<double>> reply);
  /// cnc_rdparam: parameter `number`, of axis `axis` (1..32) or 0 for one that is not per axis.
  Status readParameter(std::int16_t number, std::int16_t axis, ParameterType type,
                       Reply<double> reply);

  /// Frees an open handle (on the worker, within stopGrace), then stops the worker: no reply
  /// runs after it returns and later calls are refused. A library call that overran its
  /// deadline is left to finish on its thread, which then frees the handle. Returns within
  /// twice stopGrace. Idempotent; any thread but a reply's.
  void stop();

  struct State;  ///< what the worker's calls share (it outlives the session if a call hangs)

 private:
  template <typename T>
  Status run(const char* function, Duration timeout, std::function<Result<T>(State&)> call,
             Reply<T> reply);

  SessionOptions m_options;
  std::shared_ptr<State> m_state;
  BlockingWorker m_worker;
  bool m_stopped = false;
};

}  // namespace spindle::collectors::focas::fwlib
