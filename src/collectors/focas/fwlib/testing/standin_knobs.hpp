#pragma once
/// The test knobs of the stand-in FOCAS library (fwlib_standin.cpp), reached through dlopen of
/// the same file: the loader hands back the already loaded copy, so the knobs act on the library
/// the code under test loaded.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include <dlfcn.h>

namespace spindle::collectors::focas::fwlib::testing {

class StandinKnobs {
 public:
  explicit StandinKnobs(const std::filesystem::path& library)
      : m_handle(dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (m_handle == nullptr) throw std::runtime_error("cannot open " + library.string());
    m_set =
        symbol<void (*)(const char*, const char*, std::int16_t, std::int32_t)>("fwlib_standin_set");
    m_reset = symbol<void (*)()>("fwlib_standin_reset");
    m_startups = symbol<int (*)()>("fwlib_standin_startups");
    m_exits = symbol<int (*)()>("fwlib_standin_exits");
    m_thread = symbol<std::uint64_t (*)(const char*)>("fwlib_standin_thread");
    m_running = symbol<int (*)()>("fwlib_standin_running");
    m_open = symbol<int (*)()>("fwlib_standin_open");
    m_reset();
  }
  ~StandinKnobs() {
    m_reset();
    dlclose(m_handle);
  }
  StandinKnobs(const StandinKnobs&) = delete;
  StandinKnobs& operator=(const StandinKnobs&) = delete;

  /// Calls of `function` on `host` ("" = all) sleep `delayMs`, then answer `result`.
  void set(const std::string& host, const std::string& function, std::int16_t result,
           std::int32_t delayMs = 0) {
    m_set(host.c_str(), function.c_str(), result, delayMs);
  }
  void reset() { m_reset(); }
  int startups() const { return m_startups(); }
  int exits() const { return m_exits(); }
  std::uint64_t lastThread(const std::string& host) const { return m_thread(host.c_str()); }
  int running() const { return m_running(); }
  int openHandles() const { return m_open(); }

 private:
  template <typename Fn>
  Fn symbol(const char* name) {
    void* s = dlsym(m_handle, name);
    if (s == nullptr) throw std::runtime_error(std::string("the stand-in lacks ") + name);
    return reinterpret_cast<Fn>(s);
  }

  void* m_handle;
  void (*m_set)(const char*, const char*, std::int16_t, std::int32_t) = nullptr;
  void (*m_reset)() = nullptr;
  int (*m_startups)() = nullptr;
  int (*m_exits)() = nullptr;
  std::uint64_t (*m_thread)(const char*) = nullptr;
  int (*m_running)() = nullptr;
  int (*m_open)() = nullptr;
};

}  // namespace spindle::collectors::focas::fwlib::testing
