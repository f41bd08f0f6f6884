#include "collectors/focas/focas_fwlib_poller.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include <boost/asio/post.hpp>

#include "base/units.hpp"
#include "collectors/focas/fwlib/fwlib_codes.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors::focas {

namespace asio = boost::asio;

namespace {

constexpr std::string_view kToolPrefix = "tool_offset_";
/// cnc_rdtofs types of a milling control, in the order of its `type` argument.
constexpr std::array<const char*, 4> kOffsetTypes{"radius_wear", "radius_geometry", "length_wear",
                                                  "length_geometry"};

std::string spindleKey(std::size_t n) { return "spindle_load_" + std::to_string(n); }

std::string offsetKey(std::int16_t tool, std::size_t type) {
  return std::string(kToolPrefix) + std::to_string(tool) + "_" + kOffsetTypes.at(type);
}

}  // namespace

Result<std::vector<std::int16_t>> toolOffsetKeys(const transform::CompiledScript* script) {
  std::vector<std::int16_t> out;
  if (script == nullptr) return out;
  for (const auto& input : script->inputs()) {
    if (input.section != transform::InputSection::kKeys) continue;
    const std::string_view key = input.key;
    if (!key.starts_with(kToolPrefix)) continue;
    const auto digits = key.substr(kToolPrefix.size());
    int n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n < 1 || n > 9999) {
      return Error(ErrorCode::kInvalidArgument,
                   "key '" + input.key + "' is not tool_offset_<n> with a tool number 1..9999");
    }
    const auto tool = static_cast<std::int16_t>(n);
    if (std::find(out.begin(), out.end(), tool) == out.end()) out.push_back(tool);
  }
  return out;
}

Result<std::shared_ptr<fwlib::FwlibLibrary>> sharedFwlib(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<fwlib::FwlibLibrary>> loaded;
  std::lock_guard lock(mutex);
  if (auto held = loaded[path].lock()) return held;
  auto library = fwlib::FwlibLibrary::load(path);
  if (!library) return std::move(library).error().with("fwlib '" + path + "'");
  loaded[path] = *library;
  return std::move(*library);
}

FwlibPoller::FwlibPoller(FocasSession::Strand strand, std::shared_ptr<fwlib::FwlibLibrary> library,
                         Options options, std::vector<std::int16_t> tools,
                         std::shared_ptr<spdlog::logger> logger, Hooks hooks)
    : m_strand(std::move(strand)),
      m_library(std::move(library)),
      m_options(std::move(options)),
      m_tools(std::move(tools)),
      m_logger(std::move(logger)),
      m_hooks(std::move(hooks)),
      m_timer(m_strand),
      m_backoff(m_options.reconnectMin, m_options.reconnectMax) {
  // One round's calls all fit in the worker's queue: the spindles and four offsets per tool.
  m_options.session.queueLimit =
      std::max(m_options.session.queueLimit, 2 + kOffsetTypes.size() * m_tools.size());
}

void FwlibPoller::start() {
  asio::post(m_strand, [self = shared_from_this()] { self->connect(); });
}

void FwlibPoller::stop() {
  if (m_stopped.exchange(true)) return;
  asio::post(m_strand, [self = shared_from_this()] {
    self->m_timer.cancel();
    if (self->m_session) self->retire(std::move(self->m_session));
  });
}

void FwlibPoller::connect() {
  if (m_stopped) return;
  m_session = std::make_unique<fwlib::FwlibSession>(m_library, m_options.session);
  const auto generation = ++m_generation;
  auto onResult = [this, generation](Result<fwlib::SystemInfo> info) {
    if (m_stopped || generation != m_generation) return;
    if (!info) {
      if (!m_wasDown) {
        m_logger->warn("the FOCAS library cannot open a session: {}; retrying (backoff up to {})",
                       info.error().describe(), formatDuration(m_options.reconnectMax));
      }
      m_wasDown = true;
      m_problem = "FOCAS library: " + info.error().message();
      m_hooks.detailChanged();
      retire(std::move(m_session));
      scheduleConnect();
      return;
    }
    m_logger->info("FOCAS library session open ({} series {} version {}, {} axes)",
                   info->cncType + info->mtType, info->series, info->version, info->axes);
    m_connected = true;
    m_wasDown = false;
    m_backoff.reset();
    m_pending = 0;
    // Learnt again per session, like the native client's refused calls.
    m_dropped.clear();
    m_unsupported.clear();
    m_problem.clear();
    m_hooks.detailChanged();
  };
  Status submitted = m_session->connect(
      [weak = weak_from_this(), strand = m_strand, onResult](Result<fwlib::SystemInfo> r) mutable {
        asio::post(strand, [weak, onResult, r = std::move(r)]() mutable {
          if (auto self = weak.lock()) onResult(std::move(r));
        });
      });
  if (!submitted.ok()) onResult(std::move(submitted).error());
}

void FwlibPoller::scheduleConnect() {
  if (m_stopped) return;
  m_timer.expires_after(m_backoff.next());
  m_timer.async_wait([weak = weak_from_this()](const auto& ec) {
    auto self = weak.lock();
    if (!ec && self) self->connect();
  });
}

void FwlibPoller::retire(std::unique_ptr<fwlib::FwlibSession> session) {
  if (!session) return;
  // stop() may wait for a call stuck in the library: never on the strand's io thread.
  std::lock_guard lock(m_retiredMutex);
  std::erase_if(m_retired, [](Retired& r) {
    if (!r.done->load()) return false;
    r.thread.join();
    return true;
  });
  auto done = std::make_shared<std::atomic<bool>>(false);
  m_retired.push_back(Retired{std::thread([s = std::move(session), done]() mutable {
                                s->stop();
                                s.reset();
                                done->store(true);
                              }),
                              done});
}

FwlibPoller::~FwlibPoller() {
  std::lock_guard lock(m_retiredMutex);
  for (auto& r : m_retired) r.thread.join();
}

void FwlibPoller::drop(const Error& error) {
  m_connected = false;
  ++m_generation;  // the answers still coming from the old session are dropped
  m_pending = 0;
  const auto retryIn = m_backoff.next();
  m_logger->warn(
      "the FOCAS library lost the control: {}; its items are UNAVAILABLE; "
      "reconnecting in {}",
      error.describe(), formatDuration(retryIn));
  unavailable(std::vector<std::string>(m_keys.begin(), m_keys.end()));
  m_hooks.flush();
  m_problem = "FOCAS library: " + error.message();
  m_hooks.detailChanged();
  retire(std::move(m_session));
  m_timer.expires_after(retryIn);
  m_timer.async_wait([weak = weak_from_this()](const auto& ec) {
    auto self = weak.lock();
    if (!ec && self) self->connect();
  });
}

void FwlibPoller::unavailable(const std::vector<std::string>& keys) {
  for (const auto& k : keys) m_hooks.emit(k, model::Unavailable{}, model::Kind::kSample);
}

bool FwlibPoller::failed(const char* function, const Error& error,
                         const std::vector<std::string>& keys) {
  if (error.code() == ErrorCode::kTimeout || error.code() == ErrorCode::kUnavailable) {
    drop(error);
    return false;
  }
  unavailable(keys);
  if (fwlib::isUnsupported(error)) {
    if (m_dropped.insert(function).second) {
      m_logger->info("{}; no longer asked in this session", error.message());
      m_unsupported += (m_unsupported.empty() ? "" : ", ") + error.message();
      m_hooks.detailChanged();
    }
  } else if (m_warned.size() < 64 && m_warned.insert(error.message()).second) {
    // e.g. EW_NUMBER for a tool number this control has not; said once per message.
    m_logger->warn("{}", error.message());
  }
  m_hooks.flush();
  return true;
}

template <typename T, typename Call, typename Done>
void FwlibPoller::ask(Call call, Done done) {
  const auto generation = m_generation;
  ++m_pending;
  Status submitted = call(*m_session, [weak = weak_from_this(), strand = m_strand, generation,
                                       done](Result<T> r) mutable {
    asio::post(strand, [weak, generation, done, r = std::move(r)]() mutable {
      auto self = weak.lock();
      if (!self || self->m_stopped || generation != self->m_generation) return;
      --self->m_pending;
      done(*self, std::move(r));
    });
  });
  if (!submitted.ok()) {
    --m_pending;
    m_logger->warn("FOCAS library call not queued: {}", submitted.error().describe());
  }
}

void FwlibPoller::poll(std::size_t spindles) {
  if (m_stopped || !m_connected || !m_session) return;
  if (m_pending > 0) {
    ++m_overruns;
    return;
  }
  spindles = std::clamp<std::size_t>(spindles, 1, 8);
  if (!m_dropped.count("cnc_rdspload")) {
    ask<std::vector<std::int16_t>>(
        [spindles](fwlib::FwlibSession& s, auto reply) {
          return s.readSpindleLoads(spindles, std::move(reply));
        },
        [spindles](FwlibPoller& self, Result<std::vector<std::int16_t>> loads) {
          std::vector<std::string> keys;
          for (std::size_t i = 1; i <= spindles; ++i) keys.push_back(spindleKey(i));
          if (!loads) {
            self.failed("cnc_rdspload", loads.error(), keys);
            return;
          }
          for (std::size_t i = 0; i < keys.size() && i < loads->size(); ++i) {
            self.m_keys.insert(keys[i]);
            self.m_hooks.emit(keys[i], std::int64_t{(*loads)[i]}, model::Kind::kSample);
          }
          self.m_hooks.flush();
        });
  }
  for (const auto tool : m_tools) {
    for (std::size_t type = 0; type < kOffsetTypes.size(); ++type) {
      if (m_dropped.count("cnc_rdtofs") || !m_connected) return;
      ask<fwlib::ToolOffset>(
          [tool, type](fwlib::FwlibSession& s, auto reply) {
            return s.readToolOffset(tool, static_cast<std::int16_t>(type), std::move(reply));
          },
          [tool, type](FwlibPoller& self, Result<fwlib::ToolOffset> offset) {
            const std::string key = offsetKey(tool, type);
            if (!offset) {
              self.failed("cnc_rdtofs", offset.error(), {key});
              return;
            }
            self.m_keys.insert(key);
            self.m_hooks.emit(key, offset->value, model::Kind::kSample);
            self.m_hooks.flush();
          });
    }
  }
}

}  // namespace spindle::collectors::focas
