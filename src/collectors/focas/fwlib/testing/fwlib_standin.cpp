// A stand-in for FANUC's libfwlib32.so, built only with the tests. It exports the cnc_* functions
// the backend resolves, with the library's C signatures as the Linux x86_64 build has them
// (`long` is 32 bits), and answers from a fixed imaginary control (4 axes, 2 spindles) without
// touching the network.
//
// It fills the caller's structs byte by byte at the documented offsets, independently of the
// backend's own struct declarations, so a layout mistake there shows up as a wrong value.
//
// Knobs for the tests (exported, C linkage):
//   fwlib_standin_set(host, function, result, delayMs): calls of `function` on sessions opened
//     with `host` ("" = every host) sleep delayMs, then answer `result` (0 = the normal answer).
//   fwlib_standin_reset(), fwlib_standin_startups(), fwlib_standin_exits(),
//   fwlib_standin_thread(host): the thread (pthread_self) of the last call on `host`,
//   fwlib_standin_running(): calls in progress, fwlib_standin_open(): open handles.
//
// Build variants leave out one function: FWLIB_STANDIN_WITHOUT_RDDYNAMIC2 (a required one),
// FWLIB_STANDIN_WITHOUT_RDTOFS (an optional one).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <pthread.h>

#define STANDIN_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

constexpr int kMaxAxis = 32;
constexpr int kAxes = 4;
constexpr std::int16_t kDecimals[kAxes] = {3, 3, 3, 4};  // X Y Z in mm, B in degrees

struct Knob {
  std::int16_t result = 0;
  std::int32_t delayMs = 0;
};

struct Control {
  std::mutex mutex;
  std::map<std::string, Knob> knobs;  // "host/function"
  std::map<std::uint16_t, std::string> handles;
  std::map<std::string, std::uint64_t> threads;
  std::uint16_t nextHandle = 1;
  int startups = 0;
  int exits = 0;
  std::atomic<int> running{0};
};

Control& control() {
  static Control instance;
  return instance;
}

void put16(void* out, std::size_t offset, std::int16_t value) {
  std::memcpy(static_cast<char*>(out) + offset, &value, sizeof value);
}

void put32(void* out, std::size_t offset, std::int32_t value) {
  std::memcpy(static_cast<char*>(out) + offset, &value, sizeof value);
}

/// The host of `handle`, or nullptr for an unknown handle.
bool hostOf(std::uint16_t handle, std::string& host) {
  std::lock_guard lock(control().mutex);
  auto it = control().handles.find(handle);
  if (it == control().handles.end()) return false;
  host = it->second;
  return true;
}

/// Applies the knob for (host, function): records the thread, sleeps, returns the set result.
std::int16_t knob(const std::string& host, const char* function) {
  Knob k;
  {
    std::lock_guard lock(control().mutex);
    control().threads[host] = static_cast<std::uint64_t>(pthread_self());
    for (const std::string& key : {host + "/" + function, "/" + std::string(function)}) {
      auto it = control().knobs.find(key);
      if (it != control().knobs.end()) {
        k = it->second;
        break;
      }
    }
  }
  if (k.delayMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(k.delayMs));
  return k.result;
}

/// Every call on an open handle: unknown handle -> EW_HANDLE (-8), else the knob's answer.
struct Call {
  std::int16_t rc = 0;
  explicit Call(std::uint16_t handle, const char* function) {
    ++control().running;
    std::string host;
    rc = hostOf(handle, host) ? knob(host, function) : std::int16_t{-8};
  }
  ~Call() { --control().running; }
};

}  // namespace

STANDIN_EXPORT void fwlib_standin_set(const char* host, const char* function, std::int16_t result,
                                      std::int32_t delayMs) {
  std::lock_guard lock(control().mutex);
  control().knobs[std::string(host) + "/" + function] = Knob{result, delayMs};
}

STANDIN_EXPORT void fwlib_standin_reset() {
  std::lock_guard lock(control().mutex);
  control().knobs.clear();
}

STANDIN_EXPORT int fwlib_standin_startups() {
  std::lock_guard lock(control().mutex);
  return control().startups;
}

STANDIN_EXPORT int fwlib_standin_exits() {
  std::lock_guard lock(control().mutex);
  return control().exits;
}

STANDIN_EXPORT std::uint64_t fwlib_standin_thread(const char* host) {
  std::lock_guard lock(control().mutex);
  auto it = control().threads.find(host);
  return it == control().threads.end() ? 0 : it->second;
}

STANDIN_EXPORT int fwlib_standin_running() { return control().running.load(); }

STANDIN_EXPORT int fwlib_standin_open() {
  std::lock_guard lock(control().mutex);
  return static_cast<int>(control().handles.size());
}

STANDIN_EXPORT std::int16_t cnc_startupprocess(std::int32_t /*level*/, const char* /*logFile*/) {
  std::lock_guard lock(control().mutex);
  ++control().startups;
  return 0;
}

STANDIN_EXPORT std::int16_t cnc_exitprocess() {
  std::lock_guard lock(control().mutex);
  ++control().exits;
  return 0;
}

STANDIN_EXPORT std::int16_t cnc_allclibhndl3(const char* host, std::uint16_t port,
                                             std::int32_t timeoutSeconds, std::uint16_t* handle) {
  ++control().running;
  std::int16_t rc = knob(host, "cnc_allclibhndl3");
  if (rc == 0 && (port == 0 || timeoutSeconds < 1)) rc = 5;  // EW_DATA
  if (rc == 0) {
    std::lock_guard lock(control().mutex);
    *handle = control().nextHandle++;
    control().handles[*handle] = host;
  }
  --control().running;
  return rc;
}

STANDIN_EXPORT std::int16_t cnc_freelibhndl(std::uint16_t handle) {
  std::lock_guard lock(control().mutex);
  return control().handles.erase(handle) == 1 ? std::int16_t{0} : std::int16_t{-8};
}

STANDIN_EXPORT std::int16_t cnc_setpath(std::uint16_t handle, std::int16_t path) {
  Call call(handle, "cnc_setpath");
  if (call.rc != 0) return call.rc;
  return (path == 1 || path == 2) ? std::int16_t{0} : std::int16_t{11};  // EW_PATH
}

STANDIN_EXPORT std::int16_t cnc_sysinfo(std::uint16_t handle, void* out) {
  Call call(handle, "cnc_sysinfo");
  if (call.rc != 0) return call.rc;
  put16(out, 0, 1090);      // addinfo
  put16(out, 2, kMaxAxis);  // max_axis
  std::memcpy(static_cast<char*>(out) + 4, "30", 2);
  std::memcpy(static_cast<char*>(out) + 6, " M", 2);
  std::memcpy(static_cast<char*>(out) + 8, "G421", 4);
  std::memcpy(static_cast<char*>(out) + 12, "17.0", 4);
  std::memcpy(static_cast<char*>(out) + 16, "04", 2);
  return 0;
}

STANDIN_EXPORT std::int16_t cnc_statinfo(std::uint16_t handle, void* out) {
  Call call(handle, "cnc_statinfo");
  if (call.rc != 0) return call.rc;
  const std::int16_t fields[9] = {0, 0, 1, 3, 1, 0, 0, 2, 0};  // MEM, STaRT, MoTioN, BAT alarm
  for (int i = 0; i < 9; ++i) put16(out, static_cast<std::size_t>(2 * i), fields[i]);
  return 0;
}

STANDIN_EXPORT std::int16_t cnc_getfigure(std::uint16_t handle, std::int16_t kind,
                                          std::int16_t* valid, std::int16_t* decIn,
                                          std::int16_t* decOut) {
  Call call(handle, "cnc_getfigure");
  if (call.rc != 0) return call.rc;
  if (kind == 0) {
    for (int i = 0; i < kAxes; ++i) {
      valid[i] = 9;
      decIn[i] = kDecimals[i];
      decOut[i] = kDecimals[i];
    }
    return 0;
  }
  if (kind == 1) {
    valid[0] = 9;
    decIn[0] = 3;
    decOut[0] = 3;
    return 0;
  }
  return 4;  // EW_ATTRIB
}

#ifndef FWLIB_STANDIN_WITHOUT_RDDYNAMIC2
STANDIN_EXPORT std::int16_t cnc_rddynamic2(std::uint16_t handle, std::int16_t axis,
                                           std::int16_t length, void* out) {
  Call call(handle, "cnc_rddynamic2");
  if (call.rc != 0) return call.rc;
  if (axis != -1) return 3;                   // EW_NUMBER: this stand-in answers ALL_AXES only
  if (length < 28 + 4 * 4 * kAxes) return 2;  // EW_LENGTH
  put16(out, 0, 0);
  put16(out, 2, -1);
  put32(out, 4, 0x11);    // alarm bits
  put32(out, 8, 1234);    // O1234 running
  put32(out, 12, 1000);   // O1000 main
  put32(out, 16, 70);     // N70
  put32(out, 20, 1500);   // feed
  put32(out, 24, 12000);  // spindle rpm
  const std::size_t absolute = 28;
  const std::size_t machine = absolute + 4 * kMaxAxis;
  const std::size_t relative = machine + 4 * kMaxAxis;
  const std::size_t distance = relative + 4 * kMaxAxis;
  for (int i = 0; i < kAxes; ++i) {
    const auto at = static_cast<std::size_t>(4 * i);
    put32(out, absolute + at, 123456 * (i + 1));
    put32(out, machine + at, -250000 - i);
    put32(out, relative + at, 1000 * (i + 1));
    put32(out, distance + at, -5 * (i + 1));
  }
  return 0;
}
#endif

STANDIN_EXPORT std::int16_t cnc_rdspload(std::uint16_t handle, std::int16_t spindle, void* out) {
  Call call(handle, "cnc_rdspload");
  if (call.rc != 0) return call.rc;
  const std::int16_t loads[2] = {42, 7};
  if (spindle == -1) {
    put16(out, 0, -1);
    put16(out, 4, loads[0]);
    put16(out, 6, loads[1]);
    return 0;
  }
  if (spindle < 1 || spindle > 2) return 3;  // EW_NUMBER
  put16(out, 0, spindle);
  put16(out, 4, loads[spindle - 1]);
  return 0;
}

#ifndef FWLIB_STANDIN_WITHOUT_RDTOFS
STANDIN_EXPORT std::int16_t cnc_rdtofs(std::uint16_t handle, std::int16_t number, std::int16_t type,
                                       std::int16_t length, void* out) {
  Call call(handle, "cnc_rdtofs");
  if (call.rc != 0) return call.rc;
  if (length != 8) return 2;                // EW_LENGTH
  if (number < 1 || number > 99) return 3;  // EW_NUMBER
  if (type < 0 || type > 3) return 4;       // EW_ATTRIB
  put16(out, 0, number);
  put16(out, 2, type);
  put32(out, 4, (type % 2 == 0 ? -1 : 1) * (number * 10000 + type * 100 + 5));  // wear < 0
  return 0;
}
#endif

STANDIN_EXPORT std::int16_t cnc_rdmacro(std::uint16_t handle, std::int16_t number,
                                        std::int16_t length, void* out) {
  Call call(handle, "cnc_rdmacro");
  if (call.rc != 0) return call.rc;
  if (length != 10) return 2;  // EW_LENGTH
  put16(out, 0, number);
  put16(out, 2, 0);
  switch (number) {
    case 100:
      put32(out, 4, 123456);
      put16(out, 8, 3);
      return 0;  // 123.456
    case 101:
      put32(out, 4, 0);
      put16(out, 8, -1);
      return 0;  // vacant
    case 102:    // decimal places no control has
      put32(out, 4, 1);
      put16(out, 8, 12);
      return 0;
    case 500:
      put32(out, 4, -25);
      put16(out, 8, 0);
      return 0;  // -25
    default:
      return 3;  // EW_NUMBER
  }
}

STANDIN_EXPORT std::int16_t cnc_rdparam(std::uint16_t handle, std::int16_t number,
                                        std::int16_t axis, std::int16_t length, void* out) {
  Call call(handle, "cnc_rdparam");
  if (call.rc != 0) return call.rc;
  put16(out, 0, number);
  put16(out, 2, axis);
  switch (number) {
    case 6711:  // parts count, two-word
      if (length != 8) return 2;
      put32(out, 4, 4711);
      return 0;
    case 1320:  // stroke limit per axis, two-word
      if (length != 8) return 2;
      if (axis < 1 || axis > kAxes) return 3;
      put32(out, 4, 500000 * axis);
      return 0;
    case 3202:  // word
      if (length != 6) return 2;
      put16(out, 4, 0x1234);
      return 0;
    case 3401:  // byte (bit parameter)
      if (length != 5) return 2;
      static_cast<unsigned char*>(out)[4] = 0xA5;
      return 0;
    case 1430:  // real: 1500.0 as 15000 with 1 decimal
      if (length != 12) return 2;
      put32(out, 4, 15000);
      put32(out, 8, 1);
      return 0;
    default:
      return 3;  // EW_NUMBER
  }
}
