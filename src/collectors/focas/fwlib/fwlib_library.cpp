#include "collectors/focas/fwlib/fwlib_library.hpp"

#include <map>
#include <mutex>
#include <system_error>

#include <dlfcn.h>

#include "collectors/focas/fwlib/fwlib_codes.hpp"

namespace spindle::collectors::focas::fwlib {

namespace {

/// How many FwlibLibrary objects hold each opened file (keyed by the dlopen handle, which is
/// the same for every dlopen of one file). The library's startup and exit bracket the process's
/// use of the file, so this tally is process-wide by nature.
struct StartupTally {
  std::mutex mutex;
  std::map<void*, int> holders;
};

StartupTally& tally() {
  static StartupTally instance;
  return instance;
}

std::string loaderError() {
  const char* reason = dlerror();
  return reason != nullptr ? reason : "unknown reason";
}

template <typename Fn>
void resolve(void* handle, const char* name, bool required, Fn& slot,
             std::vector<std::string>& missingRequired, std::vector<std::string>& missingOptional) {
  dlerror();  // clear: dlsym's null is ambiguous without it
  void* symbol = dlsym(handle, name);
  if (symbol == nullptr) {
    (required ? missingRequired : missingOptional).emplace_back(name);
    return;
  }
  slot = reinterpret_cast<Fn>(symbol);
}

}  // namespace

FwlibLibrary::FwlibLibrary(std::filesystem::path path, void* handle)
    : m_path(std::move(path)), m_handle(handle) {}

Result<std::shared_ptr<FwlibLibrary>> FwlibLibrary::load(const std::filesystem::path& path,
                                                         const LoadOptions& options) {
  const std::string context = "loading the FOCAS library " + path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Error(ErrorCode::kNotFound, "no such file").with(context);
  }
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Error(ErrorCode::kInvalidArgument, "not a regular file").with(context);
  }
  // A path without a slash would make dlopen search the library path instead of this file.
  const std::filesystem::path exact = path.has_parent_path() ? path : "." / path;
  void* handle = dlopen(exact.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "not a loadable shared library: " + loaderError())
        .with(context);
  }
  std::shared_ptr<FwlibLibrary> library(new FwlibLibrary(path, handle));
  FwlibFunctions& f = library->m_functions;
  std::vector<std::string> missingRequired;
  std::vector<std::string>& missingOptional = library->m_missing;
  resolve(handle, "cnc_allclibhndl3", true, f.allclibhndl3, missingRequired, missingOptional);
  resolve(handle, "cnc_freelibhndl", true, f.freelibhndl, missingRequired, missingOptional);
  resolve(handle, "cnc_sysinfo", true, f.sysinfo, missingRequired, missingOptional);
  resolve(handle, "cnc_statinfo", true, f.statinfo, missingRequired, missingOptional);
  resolve(handle, "cnc_rddynamic2", true, f.rddynamic2, missingRequired, missingOptional);
  resolve(handle, "cnc_startupprocess", false, f.startupProcess, missingRequired, missingOptional);
  resolve(handle, "cnc_exitprocess", false, f.exitProcess, missingRequired, missingOptional);
  resolve(handle, "cnc_setpath", false, f.setpath, missingRequired, missingOptional);
  resolve(handle, "cnc_getfigure", false, f.getfigure, missingRequired, missingOptional);
  resolve(handle, "cnc_rdspload", false, f.rdspload, missingRequired, missingOptional);
  resolve(handle, "cnc_rdtofs", false, f.rdtofs, missingRequired, missingOptional);
  resolve(handle, "cnc_rdmacro", false, f.rdmacro, missingRequired, missingOptional);
  resolve(handle, "cnc_rdparam", false, f.rdparam, missingRequired, missingOptional);
  if (!missingRequired.empty()) {
    std::string names;
    for (const auto& name : missingRequired) names += (names.empty() ? "" : ", ") + name;
    return Error(ErrorCode::kInvalidArgument,
                 "the library lacks the required function" +
                     std::string(missingRequired.size() > 1 ? "s " : " ") + names)
        .with(context);
  }

  std::lock_guard lock(tally().mutex);
  int& holders = tally().holders[handle];
  if (holders == 0 && f.startupProcess != nullptr) {
    const std::int16_t rc = f.startupProcess(options.logLevel, options.logFile.c_str());
    if (rc != abi::kEwOk) {
      tally().holders.erase(handle);
      Error error = ewError("cnc_startupprocess", rc);
      return Error(ErrorCode::kUnavailable, error.message()).with(context);
    }
  }
  ++holders;
  library->m_started = true;
  return library;
}

FwlibLibrary::~FwlibLibrary() {
  if (m_started) {
    std::lock_guard lock(tally().mutex);
    auto it = tally().holders.find(m_handle);
    if (it != tally().holders.end() && --it->second == 0) {
      tally().holders.erase(it);
      if (m_functions.exitProcess != nullptr) m_functions.exitProcess();
    }
  }
  dlclose(m_handle);
}

}  // namespace spindle::collectors::focas::fwlib
