#include "control/crash/crash_handler.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <typeinfo>

#include <cxxabi.h>
#include <elf.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "control/crash/crash_report.hpp"
#include "control/crash/elf_symbols.hpp"

namespace spindle::control::crash {
namespace {

constexpr int kSignals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
constexpr std::size_t kTextSize = 128;
constexpr std::size_t kNameSize = 160;
constexpr int kMaxModules = 48;
constexpr int kMaxFrames = 64;
constexpr std::size_t kAltStackSize = 64 * 1024;

struct Module {
  std::uintptr_t bias = 0;  ///< dlpi_addr: frame offsets are relative to it
  std::uintptr_t start = 0;
  std::uintptr_t end = 0;
  char name[kNameSize] = {};
};

/// Everything the signal path reads, prepared at install. Static: no allocation at crash time.
struct HandlerState {
  int dirFd = -1;
  timespec started{};
  char version[kTextSize] = {};
  char buildId[kTextSize] = {};
  char configHash[2][kTextSize] = {};
  std::atomic<int> hashIndex{0};
  Module modules[kMaxModules];
  int moduleCount = 0;
  // Set by the terminate handler (not a signal context) just before it reports.
  char exceptionType[256] = {};
  char exceptionMessage[512] = {};
  std::atomic<long> handlingThread{0};  ///< the thread writing a report; 0 when none
  char buffer[32768] = {};              ///< the report being written
};

HandlerState gState;
bool gInstalled = false;

void copyText(char* out, std::size_t size, std::string_view text) {
  const std::size_t n = text.size() < size - 1 ? text.size() : size - 1;
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

// ---- The signal path: only async-signal-safe calls below until the next marker. ----

/// Writes `value` in decimal at `out` (no terminating NUL); returns the digits written.
std::size_t putDecimal(char* out, long long value) {
  char digits[24];
  std::size_t n = 0;
  const bool negative = value < 0;
  unsigned long long v = negative ? 0ULL - static_cast<unsigned long long>(value)
                                  : static_cast<unsigned long long>(value);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  std::size_t used = 0;
  if (negative) out[used++] = '-';
  while (n > 0) out[used++] = digits[--n];
  return used;
}

/// Appends to gState.buffer; silently stops at its end (a cut report still ends with "end").
class Writer {
 public:
  void text(const char* s) {
    while (*s != '\0' && m_size < sizeof gState.buffer - 8) gState.buffer[m_size++] = *s++;
  }
  void decimal(long long value) {
    char out[24];
    out[putDecimal(out, value)] = '\0';
    text(out);
  }
  void hex(std::uintptr_t value) {
    char out[24] = "0x";
    int n = 0;
    char digits[20];
    do {
      digits[n++] = "0123456789abcdef"[value & 0xf];
      value >>= 4;
    } while (value != 0);
    for (int i = 0; i < n; ++i) out[2 + i] = digits[n - 1 - i];
    out[2 + n] = '\0';
    text(out);
  }
  std::size_t size() const { return m_size; }
  /// Ends the report; the final "end" line is always written, so a reader tells cut from torn.
  void finish() {
    const char* end = "end\n";
    while (*end != '\0') gState.buffer[m_size++] = *end++;
  }

 private:
  std::size_t m_size = 0;
};

long currentThreadId() { return syscall(SYS_gettid); }

/// The thread's name from /proc (names change at run time, so it is read at crash time).
void threadName(long tid, char* out, std::size_t size) {
  char path[64] = "/proc/self/task/";
  std::size_t n = std::strlen(path);
  n += putDecimal(path + n, tid);
  const char* tail = "/comm";
  while (*tail != '\0') path[n++] = *tail++;
  path[n] = '\0';
  out[0] = '\0';
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  const ssize_t got = ::read(fd, out, size - 1);
  ::close(fd);
  std::size_t len = got > 0 ? static_cast<std::size_t>(got) : 0;
  while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\0')) --len;
  out[len] = '\0';
}

std::uintptr_t faultPc(void* ucontext) {
  if (ucontext == nullptr) return 0;
  const auto* uc = static_cast<const ucontext_t*>(ucontext);
#if defined(__x86_64__)
  return static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
#elif defined(__aarch64__)
  return static_cast<std::uintptr_t>(uc->uc_mcontext.pc);
#else
  (void)uc;
  return 0;
#endif
}

/// `frame <module> <offset>`, or `frame - <address>` outside every loaded object.
void writeFrame(Writer& w, std::uintptr_t address) {
  w.text("frame ");
  for (int m = 0; m < gState.moduleCount; ++m) {
    const Module& mod = gState.modules[m];
    if (address >= mod.start && address < mod.end) {
      w.decimal(m);
      w.text(" ");
      w.hex(address - mod.bias);
      w.text("\n");
      return;
    }
  }
  w.text("- ");
  w.hex(address);
  w.text("\n");
}

void writeFrames(Writer& w, std::uintptr_t pc) {
  void* frames[kMaxFrames];
  const int count = backtrace(frames, kMaxFrames);
  // The first frames are this handler's own; the report starts at the faulting instruction
  // when the unwinder went through the signal frame (it does on x86-64 and arm64 glibc).
  int first = 0;
  bool pcFound = pc == 0;
  for (int i = 0; i < count && !pcFound; ++i) {
    if (reinterpret_cast<std::uintptr_t>(frames[i]) == pc) {
      first = i;
      pcFound = true;
    }
  }
  if (!pcFound) {  // the unwinder did not get through: the faulting pc, then all we have
    writeFrame(w, pc);
  }
  for (int i = first; i < count; ++i) writeFrame(w, reinterpret_cast<std::uintptr_t>(frames[i]));
}

void writeReport(int signal, const siginfo_t* info, void* ucontext, bool terminate) {
  if (gState.dirFd < 0) return;
  timespec now{};
  timespec mono{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  const long long uptimeMs = (mono.tv_sec - gState.started.tv_sec) * 1000LL +
                             (mono.tv_nsec - gState.started.tv_nsec) / 1000000;
  const long tid = currentThreadId();
  char name[32];
  threadName(tid, name, sizeof name);

  Writer w;
  w.text(kReportMagic);
  w.text("\nkind ");
  w.text(terminate ? "terminate" : "signal");
  w.text("\nsignal ");
  w.decimal(signal);
  w.text(" ");
  w.text(signalName(signal));
  if (info != nullptr) {
    w.text("\ncode ");
    w.decimal(info->si_code);
    w.text("\naddress ");
    w.hex(reinterpret_cast<std::uintptr_t>(info->si_addr));
  }
  w.text("\npid ");
  w.decimal(::getpid());  // not the installer's: a forked child may crash too
  w.text("\nthread ");
  w.decimal(tid);
  w.text(" ");
  w.text(name);
  w.text("\ntime ");
  w.decimal(now.tv_sec);
  w.text("\nuptime_ms ");
  w.decimal(uptimeMs);
  w.text("\nversion ");
  w.text(gState.version);
  w.text("\nbuild_id ");
  w.text(gState.buildId);
  w.text("\nconfig_hash ");
  w.text(gState.configHash[gState.hashIndex.load(std::memory_order_acquire)]);
  w.text("\n");
  if (terminate) {
    w.text("exception_type ");
    w.text(gState.exceptionType);
    w.text("\nexception_message ");
    w.text(gState.exceptionMessage);
    w.text("\n");
  }
  for (int m = 0; m < gState.moduleCount; ++m) {
    w.text("module ");
    w.decimal(m);
    w.text(" ");
    w.text(gState.modules[m].name);
    w.text("\n");
  }
  writeFrames(w, faultPc(ucontext));
  w.finish();

  // crash-<unix time>-<pid>.report, written under a temporary name and renamed when complete.
  char finalName[96] = "crash-";
  char tempName[96] = ".crash-";
  char stamp[48];
  std::size_t length = putDecimal(stamp, now.tv_sec);
  stamp[length++] = '-';
  stamp[length + putDecimal(stamp + length, ::getpid())] = '\0';
  std::strcat(finalName, stamp);
  std::strcat(finalName, kReportSuffix);
  std::strcat(tempName, stamp);
  std::strcat(tempName, ".tmp");
  const int fd = ::openat(gState.dirFd, tempName, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  std::size_t done = 0;
  while (done < w.size()) {
    const ssize_t n = ::write(fd, gState.buffer + done, w.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (done == w.size()) ::renameat(gState.dirFd, tempName, gState.dirFd, finalName);
}

/// Claims the report for this thread. A second thread that crashes meanwhile waits (the first
/// one's re-raise ends the process); a fault inside the handler itself dies at once.
bool claim() {
  const long tid = currentThreadId();
  long expected = 0;
  if (gState.handlingThread.compare_exchange_strong(expected, tid)) return true;
  if (expected != tid) {
    const timespec pauseFor{0, 50 * 1000 * 1000};
    for (int i = 0; i < 100; ++i) ::nanosleep(&pauseFor, nullptr);  // at most 5 s
  }
  return false;
}

void dieWith(int signal) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(signal, &dfl, nullptr);
  // Pending until the handler returns (the signal is blocked in its own handler), then the
  // default action ends the process with this signal; a fault also recurs on return.
  ::raise(signal);
}

void onSignal(int signal, siginfo_t* info, void* ucontext) {
  const int savedErrno = errno;
  if (claim()) writeReport(signal, info, ucontext, false);
  dieWith(signal);
  errno = savedErrno;
}

// ---- End of the signal path. ----

/// std::terminate: not a signal context, so it may use the heap to learn about the exception.
[[noreturn]] void onTerminate() {
  std::string type = "std::terminate";
  std::string message = "terminate called without an active exception";
  if (const std::exception_ptr current = std::current_exception()) {
    if (const std::type_info* info = abi::__cxa_current_exception_type()) {
      int status = 0;
      char* demangled = abi::__cxa_demangle(info->name(), nullptr, nullptr, &status);
      type = status == 0 && demangled != nullptr ? demangled : info->name();
      std::free(demangled);
    }
    try {
      std::rethrow_exception(current);
    } catch (const std::exception& e) {
      message = e.what();
    } catch (...) {
      message = "an exception that is not a std::exception";
    }
  }
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  copyText(gState.exceptionType, sizeof gState.exceptionType, type);
  copyText(gState.exceptionMessage, sizeof gState.exceptionMessage, message);
  if (claim()) writeReport(SIGABRT, nullptr, nullptr, true);
  // The SIGABRT that abort() raises must not write a second report: die by the default.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(SIGABRT, &dfl, nullptr);
  std::abort();
}

int collectModule(dl_phdr_info* info, std::size_t, void*) {
  if (gState.moduleCount >= kMaxModules) return 1;
  Module& m = gState.modules[gState.moduleCount];
  m.bias = info->dlpi_addr;
  std::uintptr_t low = ~std::uintptr_t{0};
  std::uintptr_t high = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    low = std::min<std::uintptr_t>(low, info->dlpi_addr + ph.p_vaddr);
    high = std::max<std::uintptr_t>(high, info->dlpi_addr + ph.p_vaddr + ph.p_memsz);
  }
  if (high == 0) return 0;
  m.start = low;
  m.end = high;
  const bool isMain = gState.moduleCount == 0;
  if (isMain) {
    char path[kNameSize] = {};
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    copyText(m.name, sizeof m.name, n > 0 ? std::string_view(path, n) : "spindle");
  } else {
    const char* name = info->dlpi_name;
    if (name == nullptr || name[0] == '\0') return 0;  // the vDSO without a name
    copyText(m.name, sizeof m.name, name);
  }
  ++gState.moduleCount;
  return 0;
}

int findBuildId(dl_phdr_info* info, std::size_t, void* out) {
  // The first object dl_iterate_phdr reports is the executable itself.
  auto* result = static_cast<std::string*>(out);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + ph.p_vaddr);
    const unsigned char* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const unsigned char* name = p + sizeof(ElfW(Nhdr));
      const unsigned char* desc = name + ((note->n_namesz + 3) & ~3U);
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0 && desc + note->n_descsz <= end) {
        *result = hexBytes(desc, note->n_descsz);
        return 1;
      }
      p = desc + ((note->n_descsz + 3) & ~3U);
    }
  }
  return 1;
}

int findLoadBase(dl_phdr_info* info, std::size_t, void* out) {
  *static_cast<std::uintptr_t*>(out) = info->dlpi_addr;
  return 1;
}

}  // namespace

std::string crashDirectory(const std::string& dataDir) { return dataDir + "/crash"; }

std::string runningBuildId() {
  std::string id;
  dl_iterate_phdr(findBuildId, &id);
  return id;
}

std::uintptr_t runningLoadBase() {
  std::uintptr_t base = 0;
  dl_iterate_phdr(findLoadBase, &base);
  return base;
}

Status prepareThreadForCrashReports() {
  stack_t current{};
  if (::sigaltstack(nullptr, &current) == 0 && (current.ss_flags & SS_DISABLE) == 0) {
    return okStatus();  // this thread has one already
  }
  // Kept for the life of the thread (its owner may die in a crash at any time); a thread
  // that ends leaks 64 KiB, so call this on long-lived threads only.
  stack_t stack{};
  stack.ss_sp = new char[kAltStackSize];
  stack.ss_size = kAltStackSize;
  if (::sigaltstack(&stack, nullptr) != 0) {
    delete[] static_cast<char*>(stack.ss_sp);
    return Error(ErrorCode::kInternal, std::string("sigaltstack: ") + std::strerror(errno));
  }
  return okStatus();
}

void setCrashConfigHash(std::string_view hash) {
  static std::atomic_flag busy = ATOMIC_FLAG_INIT;
  while (busy.test_and_set(std::memory_order_acquire)) {
  }
  const int next = 1 - gState.hashIndex.load(std::memory_order_relaxed);
  copyText(gState.configHash[next], kTextSize, hash);
  gState.hashIndex.store(next, std::memory_order_release);
  busy.clear(std::memory_order_release);
}

Status installCrashHandler(const CrashContext& context) {
  std::error_code ec;
  if (std::filesystem::create_directories(context.directory, ec)) {
    std::filesystem::permissions(context.directory, std::filesystem::perms::owner_all, ec);
  }
  if (ec) {
    return Error(ErrorCode::kIo, ec.message())
        .with("creating the crash report directory " + context.directory);
  }
  const int fd = ::open(context.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Error(ErrorCode::kIo, std::string(std::strerror(errno)))
        .with("opening the crash report directory " + context.directory);
  }
  if (auto status = prepareThreadForCrashReports(); !status) {
    ::close(fd);
    return std::move(status).error();
  }
  // backtrace() loads libgcc_s (and allocates) on its first call: do that now, not in a crash.
  void* warmUp[4];
  (void)backtrace(warmUp, 4);

  const int oldFd = gState.dirFd;
  gState.dirFd = fd;
  if (oldFd >= 0) ::close(oldFd);
  ::clock_gettime(CLOCK_MONOTONIC, &gState.started);
  copyText(gState.version, kTextSize, context.version);
  copyText(gState.buildId, kTextSize, runningBuildId());
  setCrashConfigHash(context.configHash);
  gState.moduleCount = 0;
  dl_iterate_phdr(collectModule, nullptr);

  struct sigaction action {};
  action.sa_sigaction = onSignal;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (const int s : kSignals) ::sigaction(s, &action, nullptr);
  if (!gInstalled) std::set_terminate(onTerminate);
  gInstalled = true;
  return okStatus();
}

}  // namespace spindle::control::crash
