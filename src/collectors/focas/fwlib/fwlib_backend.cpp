#include "collectors/focas/fwlib/fwlib_backend.hpp"

#include <algorithm>
#include <cmath>
#include <future>
#include <string_view>

#include "collectors/focas/fwlib/fwlib_codes.hpp"

namespace spindle::collectors::focas::fwlib {

namespace {

/// FANUC values carry at most 9 decimal places (an int32 has 10 digits); more is garbage.
constexpr std::int32_t kMaxDecimals = 9;

bool plausibleDecimals(std::int32_t decimals) { return decimals >= 0 && decimals <= kMaxDecimals; }

Error implausibleDecimals(const char* function, std::int32_t decimals) {
  return Error(ErrorCode::kProtocol, std::string(function) + ": the library returned " +
                                         std::to_string(decimals) + " decimal places");
}

double scale(std::int32_t raw, std::int16_t decimals) {
  return static_cast<double>(raw) / std::pow(10.0, decimals);
}

std::string trimmed(const char* text, std::size_t size) {
  std::string_view view(text, size);
  while (!view.empty() && (view.front() == ' ' || view.front() == '\0')) view.remove_prefix(1);
  while (!view.empty() && (view.back() == ' ' || view.back() == '\0')) view.remove_suffix(1);
  return std::string(view);
}

SystemInfo toSystemInfo(const abi::Odbsys& raw) {
  SystemInfo info;
  info.addinfo = raw.addinfo;
  info.maxAxis = raw.maxAxis;
  info.cncType = trimmed(raw.cncType, sizeof raw.cncType);
  info.mtType = trimmed(raw.mtType, sizeof raw.mtType);
  info.series = trimmed(raw.series, sizeof raw.series);
  info.version = trimmed(raw.version, sizeof raw.version);
  int axes = 0;
  for (char c : raw.axes) {
    if (c >= '0' && c <= '9') axes = axes * 10 + (c - '0');
  }
  info.axes = axes;
  return info;
}

Error unsupported(const char* function) {
  return Error(ErrorCode::kNotFound,
               std::string(function) + ": the FOCAS library does not export this function");
}

}  // namespace

/// Touched only by the calls, which the worker runs one at a time.
struct FwlibSession::State {
  std::shared_ptr<FwlibLibrary> library;
  SessionOptions options;
  std::uint16_t handle = 0;
  bool open = false;
  int axes = 0;                              ///< controlled axes, from sysinfo
  std::vector<std::int16_t> axisDecimals;    ///< empty: unknown
  std::optional<std::int16_t> toolDecimals;  ///< nullopt: unknown

  ~State() { close(); }

  const FwlibFunctions& fn() const { return library->functions(); }

  void close() {
    if (!open) return;
    open = false;
    fn().freelibhndl(handle);
  }

  /// Ok when a handle is open, else the "disconnected" error for `function`.
  Status ready(const char* function) const {
    if (open) return okStatus();
    return Error(ErrorCode::kUnavailable, std::string(function) + ": disconnected");
  }

  /// The error for a failed call; a lost connection frees the handle, so later calls say
  /// "disconnected" until connect().
  Error failed(const char* function, std::int16_t code) {
    if (code == abi::kEwSocket || code == abi::kEwHandle) close();
    return ewError(function, code);
  }

  /// cnc_getfigure for `kind`: the input decimal places of the first `count` entries, or
  /// nullopt.
  std::optional<std::vector<std::int16_t>> figures(std::int16_t kind, int count) {
    if (fn().getfigure == nullptr) return std::nullopt;
    std::int16_t valid[abi::kMaxAxis] = {};
    std::int16_t decIn[abi::kMaxAxis] = {};
    std::int16_t decOut[abi::kMaxAxis] = {};
    if (fn().getfigure(handle, kind, valid, decIn, decOut) != abi::kEwOk) return std::nullopt;
    // Garbage in any entry makes them all unknown: values then stay unscaled, not wrong.
    if (!std::all_of(decIn, decIn + count, plausibleDecimals)) return std::nullopt;
    return std::vector<std::int16_t>(decIn, decIn + count);
  }

  Result<SystemInfo> connect() {
    close();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.connectTimeout);
    const auto timeout = static_cast<std::int32_t>(std::max<std::int64_t>(1, seconds.count()));
    std::uint16_t newHandle = 0;
    const std::int16_t rc =
        fn().allclibhndl3(options.host.c_str(), options.port, timeout, &newHandle);
    if (rc != abi::kEwOk) return ewError("cnc_allclibhndl3", rc);
    handle = newHandle;
    open = true;
    Result<SystemInfo> info = system();
    if (!info.ok()) {
      close();
      return std::move(info).error();
    }
    axes = std::clamp(info->axes, 0, abi::kMaxAxis);
    axisDecimals.clear();
    if (auto decimals = figures(0, axes)) axisDecimals = std::move(*decimals);
    toolDecimals.reset();
    if (auto decimals = figures(1, 1)) toolDecimals = decimals->front();
    return info;
  }

  Result<SystemInfo> system() {
    if (Status s = ready("cnc_sysinfo"); !s.ok()) return std::move(s).error();
    abi::Odbsys raw{};
    if (const auto rc = fn().sysinfo(handle, &raw); rc != abi::kEwOk) {
      return failed("cnc_sysinfo", rc);
    }
    return toSystemInfo(raw);
  }

  Result<CncStatus> status() {
    if (Status s = ready("cnc_statinfo"); !s.ok()) return std::move(s).error();
    abi::Odbst raw{};
    if (const auto rc = fn().statinfo(handle, &raw); rc != abi::kEwOk) {
      return failed("cnc_statinfo", rc);
    }
    return CncStatus{raw.hdck, raw.tmmode,    raw.aut,   raw.run, raw.motion,
                     raw.mstb, raw.emergency, raw.alarm, raw.edit};
  }

  Result<DynamicData> dynamic() {
    if (Status s = ready("cnc_rddynamic2"); !s.ok()) return std::move(s).error();
    auto raw = std::make_unique<abi::Odbdy2>();  // 540 bytes: not on the worker's stack
    const auto rc = fn().rddynamic2(handle, abi::kAllAxes, abi::kOdbdy2Length, raw.get());
    if (rc != abi::kEwOk) return failed("cnc_rddynamic2", rc);
    DynamicData data;
    data.alarm = raw->alarm;
    data.program = raw->prgnum;
    data.mainProgram = raw->prgmnum;
    data.sequence = raw->seqnum;
    data.feed = raw->actf;
    data.speed = raw->acts;
    data.scaled = static_cast<int>(axisDecimals.size()) >= axes;
    data.axes.reserve(static_cast<std::size_t>(axes));
    for (int i = 0; i < axes; ++i) {
      const std::int16_t decimals = data.scaled ? axisDecimals[static_cast<std::size_t>(i)] : 0;
      data.axes.push_back(AxisPosition{
          scale(raw->pos.absolute[i], decimals), scale(raw->pos.machine[i], decimals),
          scale(raw->pos.relative[i], decimals), scale(raw->pos.distance[i], decimals), decimals});
    }
    return data;
  }

  Result<std::vector<std::int16_t>> spindleLoads(std::size_t count) {
    if (fn().rdspload == nullptr) return unsupported("cnc_rdspload");
    if (Status s = ready("cnc_rdspload"); !s.ok()) return std::move(s).error();
    abi::Odbspn raw{};
    if (const auto rc = fn().rdspload(handle, abi::kAllSpindles, &raw); rc != abi::kEwOk) {
      return failed("cnc_rdspload", rc);
    }
    return std::vector<std::int16_t>(raw.data, raw.data + count);
  }

  Result<ToolOffset> toolOffset(std::int16_t number, std::int16_t type) {
    if (fn().rdtofs == nullptr) return unsupported("cnc_rdtofs");
    if (Status s = ready("cnc_rdtofs"); !s.ok()) return std::move(s).error();
    abi::Odbtofs raw{};
    const auto rc = fn().rdtofs(handle, number, type, abi::kOdbtofsLength, &raw);
    if (rc != abi::kEwOk) return failed("cnc_rdtofs", rc);
    const std::int16_t decimals = toolDecimals.value_or(0);
    return ToolOffset{scale(raw.data, decimals), decimals, toolDecimals.has_value()};
  }

  Result<std::optional<double>> macro(std::int16_t number) {
    if (fn().rdmacro == nullptr) return unsupported("cnc_rdmacro");
    if (Status s = ready("cnc_rdmacro"); !s.ok()) return std::move(s).error();
    abi::Odbm raw{};
    if (const auto rc = fn().rdmacro(handle, number, abi::kOdbmLength, &raw); rc != abi::kEwOk) {
      return failed("cnc_rdmacro", rc);
    }
    if (raw.decVal == -1) return std::optional<double>();  // vacant
    if (!plausibleDecimals(raw.decVal)) return implausibleDecimals("cnc_rdmacro", raw.decVal);
    return std::optional<double>(scale(raw.mcrVal, raw.decVal));
  }

  Result<double> parameter(std::int16_t number, std::int16_t axis, ParameterType type) {
    if (fn().rdparam == nullptr) return unsupported("cnc_rdparam");
    if (Status s = ready("cnc_rdparam"); !s.ok()) return std::move(s).error();
    abi::Iodbpsd raw{};
    std::int16_t length = 4;  // datano and type, then the value
    switch (type) {
      case ParameterType::kByte:
        length += 1;
        break;
      case ParameterType::kWord:
        length += 2;
        break;
      case ParameterType::kTwoWord:
        length += 4;
        break;
      case ParameterType::kReal:
        length += 8;
        break;
    }
    if (const auto rc = fn().rdparam(handle, number, axis, length, &raw); rc != abi::kEwOk) {
      return failed("cnc_rdparam", rc);
    }
    switch (type) {
      case ParameterType::kByte:
        return static_cast<double>(static_cast<unsigned char>(raw.u.cdata));
      case ParameterType::kWord:
        return static_cast<double>(raw.u.idata);
      case ParameterType::kTwoWord:
        return static_cast<double>(raw.u.ldata);
      case ParameterType::kReal:
        if (!plausibleDecimals(raw.u.rdata.decVal)) {
          return implausibleDecimals("cnc_rdparam", raw.u.rdata.decVal);
        }
        return scale(raw.u.rdata.prmVal, static_cast<std::int16_t>(raw.u.rdata.decVal));
    }
    return Error(ErrorCode::kInternal, "cnc_rdparam: unknown parameter type");
  }
};

FwlibSession::FwlibSession(std::shared_ptr<FwlibLibrary> library, SessionOptions options)
    : m_options(std::move(options)),
      m_state(std::make_shared<State>()),
      m_worker({.queueLimit = m_options.queueLimit, .stopGrace = m_options.stopGrace}) {
  m_state->library = std::move(library);
  m_state->options = m_options;
}

FwlibSession::~FwlibSession() { stop(); }

template <typename T>
Status FwlibSession::run(const char* function, Duration timeout,
                         std::function<Result<T>(State&)> call, Reply<T> reply) {
  // The call fills the slot on the worker thread, which then answers on that same thread; a
  // timeout answers from the watchdog and never reads the slot.
  auto slot = std::make_shared<std::optional<Result<T>>>();
  Status submitted = m_worker.submit(
      [state = m_state, slot, call = std::move(call)] {
        slot->emplace(call(*state));
        return okStatus();
      },
      timeout,
      [slot, function, reply = std::move(reply)](Status status) {
        if (status.ok()) {
          reply(std::move(**slot));
        } else {
          reply(Error(status.error().code(),
                      std::string(function) + ": " + status.error().message()));
        }
      });
  if (!submitted.ok()) return std::move(submitted).error().with(function);
  return okStatus();
}

Status FwlibSession::connect(Reply<SystemInfo> reply) {
  return run<SystemInfo>(
      "cnc_allclibhndl3", m_options.connectTimeout + m_options.callTimeout,
      [](State& s) { return s.connect(); }, std::move(reply));
}

Status FwlibSession::disconnect(Reply<Ok> reply) {
  return run<Ok>(
      "cnc_freelibhndl", m_options.callTimeout,
      [](State& s) {
        s.close();
        return okStatus();
      },
      std::move(reply));
}

Status FwlibSession::setPath(std::int16_t path, Reply<Ok> reply) {
  return run<Ok>(
      "cnc_setpath", m_options.callTimeout,
      [path](State& s) -> Status {
        if (s.fn().setpath == nullptr) return unsupported("cnc_setpath");
        if (Status ready = s.ready("cnc_setpath"); !ready.ok()) return ready;
        if (const auto rc = s.fn().setpath(s.handle, path); rc != abi::kEwOk) {
          return s.failed("cnc_setpath", rc);
        }
        return okStatus();
      },
      std::move(reply));
}

Status FwlibSession::readSystem(Reply<SystemInfo> reply) {
  return run<SystemInfo>(
      "cnc_sysinfo", m_options.callTimeout, [](State& s) { return s.system(); }, std::move(reply));
}

Status FwlibSession::readStatus(Reply<CncStatus> reply) {
  return run<CncStatus>(
      "cnc_statinfo", m_options.callTimeout, [](State& s) { return s.status(); }, std::move(reply));
}

Status FwlibSession::readDynamic(Reply<DynamicData> reply) {
  return run<DynamicData>(
      "cnc_rddynamic2", m_options.callTimeout, [](State& s) { return s.dynamic(); },
      std::move(reply));
}

Status FwlibSession::readSpindleLoads(std::size_t count, Reply<std::vector<std::int16_t>> reply) {
  if (count < 1 || count > static_cast<std::size_t>(abi::kMaxSpindle)) {
    return Error(ErrorCode::kInvalidArgument,
                 "cnc_rdspload: spindle count " + std::to_string(count) + " is not in 1..8");
  }
  return run<std::vector<std::int16_t>>(
      "cnc_rdspload", m_options.callTimeout, [count](State& s) { return s.spindleLoads(count); },
      std::move(reply));
}

Status FwlibSession::readToolOffset(std::int16_t number, std::int16_t type,
                                    Reply<ToolOffset> reply) {
  return run<ToolOffset>(
      "cnc_rdtofs", m_options.callTimeout,
      [number, type](State& s) { return s.toolOffset(number, type); }, std::move(reply));
}

Status FwlibSession::readMacro(std::int16_t number, Reply<std::optional<double>> reply) {
  return run<std::optional<double>>(
      "cnc_rdmacro", m_options.callTimeout, [number](State& s) { return s.macro(number); },
      std::move(reply));
}

Status FwlibSession::readParameter(std::int16_t number, std::int16_t axis, ParameterType type,
                                   Reply<double> reply) {
  if (axis < 0 || axis > abi::kMaxAxis) {
    return Error(ErrorCode::kInvalidArgument,
                 "cnc_rdparam: axis " + std::to_string(axis) + " is not in 0..32");
  }
  return run<double>(
      "cnc_rdparam", m_options.callTimeout,
      [number, axis, type](State& s) { return s.parameter(number, axis, type); }, std::move(reply));
}

void FwlibSession::stop() {
  if (m_stopped) return;
  m_stopped = true;
  // Free the handle where the library calls run; `done` always comes (result or timeout).
  auto closed = std::make_shared<std::promise<void>>();
  std::future<void> waited = closed->get_future();
  const Status submitted = m_worker.submit(
      [state = m_state] {
        state->close();
        return okStatus();
      },
      m_options.stopGrace, [closed](Status) { closed->set_value(); });
  if (submitted.ok()) waited.wait();
  m_worker.stop();
  // A call still running holds its own reference and frees a handle it leaves open when done.
  m_state.reset();
}

}  // namespace spindle::collectors::focas::fwlib
