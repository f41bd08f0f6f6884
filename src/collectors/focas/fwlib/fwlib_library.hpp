#pragma once
/// FANUC's FOCAS library, loaded at run time from a file the user has. FANUC licenses it; Spindle
/// never ships, downloads or requires it. Nothing links against it: load() opens the file with
/// dlopen and looks each function up by name.
///
/// Required functions (a library without one is refused): cnc_allclibhndl3, cnc_freelibhndl,
/// cnc_sysinfo, cnc_statinfo, cnc_rddynamic2. Optional ones (absent: named by missing(), and a
/// call to one is answered "unsupported"): cnc_startupprocess, cnc_exitprocess, cnc_setpath,
/// cnc_getfigure, cnc_rdspload, cnc_rdtofs, cnc_rdmacro, cnc_rdparam.
///
/// The Linux library wants cnc_startupprocess before any call and cnc_exitprocess after the last.
/// Spindle calls them once per loaded file and process: the first FwlibLibrary of a file starts
/// it, the last one destroyed ends it (then dlclose).
///
/// Thread: load() and the destructor from any thread; the functions are called by FwlibSession
/// on its worker thread only (every one of them blocks on the network).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/error.hpp"
#include "collectors/focas/fwlib/fwlib_abi.hpp"

namespace spindle::collectors::focas::fwlib {

struct LoadOptions {
  /// Where the library writes its own log (cnc_startupprocess); it is FANUC's format.
  std::string logFile = "/dev/null";
  std::int32_t logLevel = 0;  ///< cnc_startupprocess level: 0 = errors only
};

/// The resolved functions; an absent optional one is null.
struct FwlibFunctions {
  abi::StartupProcessFn startupProcess = nullptr;
  abi::ExitProcessFn exitProcess = nullptr;
  abi::AllclibhndlFn allclibhndl3 = nullptr;
  abi::FreelibhndlFn freelibhndl = nullptr;
  abi::SetpathFn setpath = nullptr;
  abi::SysinfoFn sysinfo = nullptr;
  abi::StatinfoFn statinfo = nullptr;
  abi::GetfigureFn getfigure = nullptr;
  abi::Rddynamic2Fn rddynamic2 = nullptr;
  abi::RdsploadFn rdspload = nullptr;
  abi::RdtofsFn rdtofs = nullptr;
  abi::RdmacroFn rdmacro = nullptr;
  abi::RdparamFn rdparam = nullptr;
};

class FwlibLibrary {
 public:
  /// Opens `path` (RTLD_NOW | RTLD_LOCAL) and resolves the functions. Errors name the path and
  /// what is wrong: kNotFound for a missing file, kInvalidArgument for a file that is not a
  /// loadable shared library (with the loader's reason) or one without a required function (its
  /// name), kUnavailable when cnc_startupprocess fails (with its EW_* code).
  static Result<std::shared_ptr<FwlibLibrary>> load(const std::filesystem::path& path,
                                                    const LoadOptions& options = {});

  /// cnc_exitprocess if this was the file's last instance, then dlclose.
  ~FwlibLibrary();
  FwlibLibrary(const FwlibLibrary&) = delete;
  FwlibLibrary& operator=(const FwlibLibrary&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  const FwlibFunctions& functions() const { return m_functions; }
  /// The optional functions the file lacks, e.g. {"cnc_rdtofs"}; empty when it has them all.
  const std::vector<std::string>& missing() const { return m_missing; }

 private:
  FwlibLibrary(std::filesystem::path path, void* handle);

  std::filesystem::path m_path;
  void* m_handle;
  FwlibFunctions m_functions;
  std::vector<std::string> m_missing;
  bool m_started = false;  ///< counted in the per-file startup tally
};

}  // namespace spindle::collectors::focas::fwlib
