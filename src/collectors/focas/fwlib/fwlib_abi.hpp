#pragma once
/// The binary interface of FANUC's FOCAS library (libfwlib32.so) as Spindle calls it: our own
/// declarations, written from the documented layouts, never FANUC's header.
///
/// Two facts shape every line here:
/// - The library packs its structs to 4 bytes (`#pragma pack(4)`), so an int32 after an odd
///   number of int16 fields sits at a 2-byte offset.
/// - Its header says `long`, but the Linux x86_64 library treats every `long` as 32 bits. Under
///   LP64 a C `long` is 64 bits, so the header used as-is reads garbage. Every `long` of the
///   documented API is `std::int32_t` below (and every `short` is `std::int16_t`).
///
/// The array sizes are those of the Ethernet build of the library: 32 axes, 8 spindles.

#include <cstddef>
#include <cstdint>

namespace spindle::collectors::focas::fwlib::abi {

constexpr int kMaxAxis = 32;
constexpr int kMaxSpindle = 8;
constexpr std::int16_t kAllAxes = -1;
constexpr std::int16_t kAllSpindles = -1;

/// Return codes (EW_*) every function answers with; 0 is success.
enum Ew : std::int16_t {
  kEwProtocol = -17,
  kEwSocket = -16,
  kEwNoDll = -15,
  kEwBus = -11,
  kEwSystem2 = -10,
  kEwHssb = -9,
  kEwHandle = -8,
  kEwVersion = -7,
  kEwUnexpected = -6,
  kEwSystem = -5,
  kEwParity = -4,
  kEwMmcsys = -3,
  kEwReset = -2,
  kEwBusy = -1,
  kEwOk = 0,
  kEwFunc = 1,  ///< the control does not have this function
  kEwLength = 2,
  kEwNumber = 3,
  kEwAttrib = 4,
  kEwData = 5,
  kEwNoOpt = 6,  ///< the control lacks the option the function needs
  kEwProt = 7,
  kEwOverflow = 8,
  kEwParam = 9,
  kEwBuffer = 10,
  kEwPath = 11,
  kEwMode = 12,
  kEwReject = 13,
  kEwAlarm = 15,
  kEwStop = 16,
  kEwPasswd = 17,
};

#pragma pack(push, 4)

/// cnc_sysinfo: the control's model and axis count. Text fields are ASCII, space-padded, not
/// NUL-terminated.
struct Odbsys {
  std::int16_t addinfo;
  std::int16_t maxAxis;
  char cncType[2];
  char mtType[2];
  char series[4];
  char version[4];
  char axes[2];  ///< controlled axes as two ASCII digits ("03")
};

/// cnc_statinfo: the generic (0i/16i/18i/21i/30i) status layout.
struct Odbst {
  std::int16_t hdck;
  std::int16_t tmmode;
  std::int16_t aut;
  std::int16_t run;
  std::int16_t motion;
  std::int16_t mstb;
  std::int16_t emergency;
  std::int16_t alarm;
  std::int16_t edit;
};

/// cnc_rddynamic2 with ALL_AXES: the four position sets are arrays of kMaxAxis each, in the
/// control's least increment (scale with cnc_getfigure).
struct Odbdy2 {
  std::int16_t dummy;
  std::int16_t axis;
  std::int32_t alarm;
  std::int32_t prgnum;
  std::int32_t prgmnum;
  std::int32_t seqnum;
  std::int32_t actf;
  std::int32_t acts;
  struct Positions {
    std::int32_t absolute[kMaxAxis];
    std::int32_t machine[kMaxAxis];
    std::int32_t relative[kMaxAxis];
    std::int32_t distance[kMaxAxis];
  } pos;
};

/// cnc_rdspload: serial spindle load meters in percent.
struct Odbspn {
  std::int16_t datano;
  std::int16_t type;
  std::int16_t data[kMaxSpindle];
};

/// cnc_rdtofs: one tool offset in the control's least increment.
struct Odbtofs {
  std::int16_t datano;
  std::int16_t type;
  std::int32_t data;
};

/// cnc_rdmacro: value = mcrVal / 10^decVal; a vacant variable has decVal -1.
struct Odbm {
  std::int16_t datano;
  std::int16_t dummy;
  std::int32_t mcrVal;
  std::int16_t decVal;
};

/// A real parameter: value = prmVal / 10^decVal.
struct Realprm {
  std::int32_t prmVal;
  std::int32_t decVal;
};

/// cnc_rdparam (Ethernet layout): the header, then the value as the parameter's type wants it.
struct Iodbpsd {
  std::int16_t datano;
  std::int16_t type;  ///< axis number, 0 for a parameter that is not per axis
  union {
    char cdata;
    std::int16_t idata;
    std::int32_t ldata;
    Realprm rdata;
    char cdatas[kMaxAxis];
    std::int16_t idatas[kMaxAxis];
    std::int32_t ldatas[kMaxAxis];
    Realprm rdatas[kMaxAxis];
  } u;
};

#pragma pack(pop)

// The documented sizes and offsets; a mistake here would read every value from the wrong bytes.
static_assert(sizeof(Odbsys) == 18);
static_assert(offsetof(Odbsys, series) == 8 && offsetof(Odbsys, axes) == 16);
static_assert(sizeof(Odbst) == 18 && offsetof(Odbst, run) == 6 && offsetof(Odbst, edit) == 16);
static_assert(sizeof(Odbdy2) == 28 + 4 * 4 * kMaxAxis);
static_assert(offsetof(Odbdy2, alarm) == 4 && offsetof(Odbdy2, acts) == 24);
static_assert(offsetof(Odbdy2, pos) == 28);
static_assert(offsetof(Odbdy2, pos) + offsetof(Odbdy2::Positions, machine) == 28 + 4 * kMaxAxis);
static_assert(offsetof(Odbdy2, pos) + offsetof(Odbdy2::Positions, distance) ==
              28 + 3 * 4 * kMaxAxis);
static_assert(sizeof(Odbspn) == 4 + 2 * kMaxSpindle && offsetof(Odbspn, data) == 4);
static_assert(sizeof(Odbtofs) == 8 && offsetof(Odbtofs, data) == 4);
static_assert(sizeof(Odbm) == 12 && offsetof(Odbm, mcrVal) == 4 && offsetof(Odbm, decVal) == 8);
static_assert(sizeof(Realprm) == 8);
static_assert(sizeof(Iodbpsd) == 4 + 8 * kMaxAxis && offsetof(Iodbpsd, u) == 4);

// The functions, `long` as int32 (see above). All return an EW_* code.
extern "C" {
using StartupProcessFn = std::int16_t (*)(std::int32_t level, const char* logFile);
using ExitProcessFn = std::int16_t (*)();
using AllclibhndlFn = std::int16_t (*)(const char* host, std::uint16_t port,
                                       std::int32_t timeoutSeconds, std::uint16_t* handle);
using FreelibhndlFn = std::int16_t (*)(std::uint16_t handle);
using SetpathFn = std::int16_t (*)(std::uint16_t handle, std::int16_t path);
using SysinfoFn = std::int16_t (*)(std::uint16_t handle, Odbsys* out);
using StatinfoFn = std::int16_t (*)(std::uint16_t handle, Odbst* out);
/// kind 0 = axes, 1 = tool offsets; decIn/decOut hold kMaxAxis entries.
using GetfigureFn = std::int16_t (*)(std::uint16_t handle, std::int16_t kind,
                                     std::int16_t* validFigures, std::int16_t* decIn,
                                     std::int16_t* decOut);
using Rddynamic2Fn = std::int16_t (*)(std::uint16_t handle, std::int16_t axis, std::int16_t length,
                                      Odbdy2* out);
using RdsploadFn = std::int16_t (*)(std::uint16_t handle, std::int16_t spindle, Odbspn* out);
using RdtofsFn = std::int16_t (*)(std::uint16_t handle, std::int16_t number, std::int16_t type,
                                  std::int16_t length, Odbtofs* out);
using RdmacroFn = std::int16_t (*)(std::uint16_t handle, std::int16_t number, std::int16_t length,
                                   Odbm* out);
using RdparamFn = std::int16_t (*)(std::uint16_t handle, std::int16_t number, std::int16_t axis,
                                   std::int16_t length, Iodbpsd* out);
}

/// The length argument each call takes: the bytes the library may fill.
constexpr std::int16_t kOdbdy2Length = sizeof(Odbdy2);
constexpr std::int16_t kOdbtofsLength = sizeof(Odbtofs);
constexpr std::int16_t kOdbmLength = 10;  ///< the fields without the struct's tail padding

}  // namespace spindle::collectors::focas::fwlib::abi
