// The version stamp of the test build `spindle_stamped` (update.cmake): the whole spindle
// program, linked with this file instead of src/update/build_stamp.cpp. Its version lives in a
// patchable field, so the update tests make any number of "builds" by copying one binary and
// writing another version into the copy (update_harness.hpp, stampedCopy), at the cost of one
// extra link instead of a build per version.
//
// The field also names a fault, for the builds whose trial must fail:
//   exit-at-start  `spindle run` exits with status 3 before doing anything (a crashing build);
//   no-uplink      the NATS connection is pointed at a closed port (a build that never
//                  connects), by wrapping cnats' natsOptions_SetServers.
// Nothing here is in the spindle binary itself.

#include <fstream>
#include <iterator>
#include <string>

#include <dlfcn.h>
#include <nats/nats.h>
#include <unistd.h>

#include "update/build_stamp.hpp"

// "SPINDLE-TEST-STAMP:" then "<version>;<fault>", NUL-padded. Not const, not static: the
// compiler must read it at run time, and the tests find it in the file by its marker.
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables)
[[gnu::used]] char spindle_test_stamp[96] = "SPINDLE-TEST-STAMP:" SPINDLE_VERSION ";none";
}

namespace {

constexpr std::size_t kMarker = 19;  // strlen("SPINDLE-TEST-STAMP:")

std::string field(bool version) {
  const std::string all(spindle_test_stamp + kMarker);
  const auto semi = all.find(';');
  if (semi == std::string::npos) return version ? all : "none";
  return version ? all.substr(0, semi) : all.substr(semi + 1);
}

bool runCommand() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto first = all.find('\0');
  return first != std::string::npos && all.compare(first + 1, 4, std::string("run") + '\0') == 0;
}

// A crashing build: gone before main, as a build that cannot start would be.
[[maybe_unused]] const bool kExitedAtStart = [] {
  if (field(false) == "exit-at-start" && runCommand()) ::_exit(3);
  return false;
}();

}  // namespace

namespace spindle::update {

std::string_view buildVersion() {
  static const std::string version = field(true);
  return version;
}

}  // namespace spindle::update

extern "C" natsStatus natsOptions_SetServers(natsOptions* opts, const char** servers, int count) {
  using Real = natsStatus (*)(natsOptions*, const char**, int);
  static const auto real = reinterpret_cast<Real>(::dlsym(RTLD_NEXT, "natsOptions_SetServers"));
  if (field(false) == "no-uplink") {
    static const char* closed[] = {"nats://127.0.0.1:1"};
    return real(opts, closed, 1);
  }
  return real(opts, servers, count);
}
