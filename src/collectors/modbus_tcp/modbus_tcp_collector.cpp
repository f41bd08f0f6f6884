#include "collectors/modbus_tcp/modbus_tcp_collector.hpp"

#include <any>
#include <atomic>
#include <deque>
#include <map>
#include <optional>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "base/log_limiter.hpp"
#include "collectors/emitter.hpp"
#include "collectors/input_limit_options.hpp"
#include "collectors/modbus_tcp/modbus_point_map.hpp"
#include "collectors/modbus_tcp/modbus_writes.hpp"

namespace spindle::collectors::modbus_tcp {

namespace asio = boost::asio;

/// The condition item exceptions are reported on.
constexpr std::string_view kConditionKey = "modbus";

class ModbusTcpCollector::Connection final : public SessionHandler,
                                             public std::enable_shared_from_this<Connection> {
 public:
  Connection(CollectorContext& ctx, const ModbusTcpOptions& options, PointMap map)
      : m_ctx(ctx),
        m_options(options),
        m_map(std::move(map)),
        m_strand(asio::make_strand(ctx.io())),
        m_emitter(ctx, m_strand, inputLimits(options)) {}

  Status start() {
    for (const auto& point : m_map.points) {
      const bool numeric = point.space >= 3 && point.format.bit < 0 &&
                           point.format.type != ValueType::kBool &&
                           point.format.type != ValueType::kString;
      auto id = m_ctx.catalog().intern(m_ctx.machine(), point.key,
                                       numeric ? model::Kind::kSample : model::Kind::kEvent);
      if (!id) return std::move(id).error().with("register map input '" + point.key + "'");
      m_items.push_back({*id, numeric ? model::Kind::kSample : model::Kind::kEvent});
    }
    auto cond = m_ctx.catalog().intern(m_ctx.machine(), kConditionKey, model::Kind::kCondition);
    if (!cond) return std::move(cond).error();
    m_conditionItem = *cond;
    m_last.assign(m_map.points.size(), std::nullopt);
    m_bad.assign(m_map.points.size(), false);
    for (const auto& def : m_map.groups) {
      auto group = std::make_unique<Group>(m_strand);
      group->interval = def.interval;
      group->members = def.members;
      m_groups.push_back(std::move(group));
    }
    for (std::size_t g = 0; g < m_groups.size(); ++g) replan(g);
    m_session =
        std::make_shared<ModbusSession>(m_strand, sessionOptions(m_options, m_ctx.resolver()),
                                        std::weak_ptr<SessionHandler>(shared_from_this()));
    m_emitter.start(weak_from_this(), [this] {
      m_paused = false;
      dispatch();
    });
    m_ctx.setState(ConnectionState::kConnecting,
                   m_options.host + ":" + std::to_string(m_options.port.value));
    m_session->start();
    asio::post(m_strand, [self = shared_from_this()] {
      for (std::size_t g = 0; g < self->m_groups.size(); ++g) self->schedule(g);
    });
    return okStatus();
  }

  void stop() {
    m_stopped = true;
    m_emitter.stop();
    if (m_session) m_session->stop();
    asio::post(m_strand, [self = shared_from_this()] {
      for (auto& g : self->m_groups) g->timer.cancel();
      self->failQueue("the collector stopped");
      self->m_book.fail("the collector stopped");
    });
    m_ctx.setState(ConnectionState::kStopped);
  }

  void write(const std::string& key, model::Value value, std::function<void(Status)> done) {
    asio::post(m_strand, [self = shared_from_this(), key, value = std::move(value),
                          done = std::move(done)]() mutable {
      if (self->m_stopped) {
        done(Error(ErrorCode::kUnavailable, "the collector stopped"));
        return;
      }
      auto request = self->writeRequest(key, value);
      if (!request) {
        done(std::move(request).error());
        return;
      }
      if (!self->m_session->connected()) {  // written when the device is back
        self->m_book.want(key, std::move(*request), std::move(done));
        return;
      }
      self->m_book.want(key, *request, nullptr);
      self->m_queue.push_back(Job{-1, {}, std::move(*request), std::move(done), key});
      self->dispatch();
    });
  }

  CollectorStats stats() const {
    std::lock_guard lock(m_statsMutex);
    return m_stats;
  }

  void onConnected(const std::string& peer) override {
    m_log.log(*m_ctx.logger(), spdlog::level::info, "connected to Modbus TCP device {} (unit {})",
              peer, m_options.unitId);
    m_ctx.setState(ConnectionState::kConnected, peer);
    m_wasUnreachable = false;
    std::fill(m_last.begin(), m_last.end(), std::nullopt);  // report everything again
    m_emitter.connected();
    m_emitter.flush();
    for (auto& w : m_book.toSend()) {
      m_queue.push_back(Job{-1, {}, std::move(w.request), std::move(w.done), std::move(w.key)});
    }
    dispatch();
  }

  void onDisconnected(const std::string& reason, Duration retryIn, bool wasConnected) override {
    failQueue(reason);
    for (auto& g : m_groups) g->outstanding = 0;
    if (wasConnected) {
      m_log.log(*m_ctx.logger(), spdlog::level::warn,
                "lost the Modbus TCP device: {}; its inputs are UNAVAILABLE; reconnecting in {}",
                reason, formatDuration(retryIn));
      std::vector<std::pair<model::ItemId, model::Kind>> known(m_items);
      known.emplace_back(m_conditionItem, model::Kind::kCondition);
      m_emitter.disconnected(known);
      m_emitter.flush();
      // Raised again by the next answer: only the inputs found missing keep their code.
      m_activeCodes.clear();
      std::erase_if(m_blockCodes, [](const auto& entry) { return (entry.first & 0x400000) == 0; });
    } else if (!m_wasUnreachable) {
      m_ctx.logger()->warn("{}; retrying in {} (backoff up to {})", reason, formatDuration(retryIn),
                           formatDuration(m_options.reconnectMax));
      m_wasUnreachable = true;
    }
    m_ctx.setState(ConnectionState::kBackoff, reason);
  }

 private:
  struct Group {
    explicit Group(ModbusSession::Strand& strand) : timer(strand) {}
    Duration interval{};
    std::vector<std::size_t> members;
    std::vector<Block> blocks;
    asio::steady_timer timer;
    std::size_t outstanding = 0;
  };
  struct Job {
    int group = -1;  ///< -1: a write
    Block block;
    Request request;
    std::function<void(Status)> done;
    std::string key;  ///< a write's input
  };

  void replan(std::size_t g) {
    Group& group = *m_groups[g];
    std::vector<std::size_t> members;
    for (const auto i : group.members) {
      if (!m_bad[i]) members.push_back(i);
    }
    group.blocks = planRequests(m_map.points, members, planLimits(m_options), m_barriers);
  }

  void schedule(std::size_t g) {
    Group& group = *m_groups[g];
    group.timer.expires_after(group.interval);
    group.timer.async_wait([weak = weak_from_this(), g](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->m_stopped) return;
      self->schedule(g);
      self->poll(g);
    });
  }

  void poll(std::size_t g) {
    Group& group = *m_groups[g];
    if (!m_session->connected()) return;
    if (group.outstanding > 0) {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.overruns;
      return;
    }
    for (const auto& block : group.blocks) {
      Request r;
      r.function = block.function;
      r.address = block.address;
      r.count = block.count;
      m_queue.push_back(Job{static_cast<int>(g), block, r, nullptr});
      ++group.outstanding;
    }
    dispatch();
  }

  void dispatch() {
    if (m_stopped || m_paused || m_queue.empty() || !m_session->connected() || m_session->busy())
      return;
    Job job = std::move(m_queue.front());
    m_queue.pop_front();
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.requests;
    }
    const Request request = job.request;
    m_session->transact(
        request, [weak = weak_from_this(), job = std::move(job)](Result<Response> result) mutable {
          auto self = weak.lock();
          if (!self || self->m_stopped) return;
          self->onReply(std::move(job), std::move(result));
        });
  }

  void onReply(Job job, Result<Response> result) {
    {
      std::lock_guard lock(m_statsMutex);
      const auto& s = m_session->stats();
      m_stats.timeouts = s.timeouts;
      m_stats.staleReplies = s.staleReplies;
      if (result) ++m_stats.answers;
      if (result && result->exception) ++m_stats.exceptions;
    }
    if (job.group < 0) {
      finishWrite(job, result);
    } else {
      Group& group = *m_groups[static_cast<std::size_t>(job.group)];
      if (group.outstanding > 0) --group.outstanding;
      if (!result && result.error().code() == ErrorCode::kUnavailable) return;  // disconnected
      onRead(static_cast<std::size_t>(job.group), job.block, result);
    }
    if (!m_emitter.flush()) {
      m_paused = true;
      return;
    }
    dispatch();
  }

  void onRead(std::size_t g, const Block& block, const Result<Response>& result);
  void onIllegalAddress(std::size_t g, const Block& block);
  void setBlockCode(const Block& block, std::uint8_t code);
  void unavailable(const Block& block);
  void emit(std::size_t point, model::Value value);
  Result<Request> writeRequest(const std::string& key, const model::Value& value);
  void finishWrite(Job& job, const Result<Response>& result);
  void failQueue(const std::string& reason);

  CollectorContext& m_ctx;
  ModbusTcpOptions m_options;
  PointMap m_map;
  ModbusSession::Strand m_strand;
  Emitter m_emitter;
  std::shared_ptr<ModbusSession> m_session;
  std::vector<std::unique_ptr<Group>> m_groups;
  std::deque<Job> m_queue;
  WriteBook m_book;  ///< what the script wants the device to hold
  std::vector<std::pair<model::ItemId, model::Kind>> m_items;  ///< per point
  model::ItemId m_conditionItem = 0;
  std::vector<std::optional<model::Value>> m_last;  ///< last value reported per point
  std::vector<bool> m_bad;  ///< answered "illegal data address" alone: not read
  Barriers m_barriers;
  std::map<std::uint32_t, std::uint8_t> m_blockCodes;  ///< (function, address) -> exception
  std::map<std::uint8_t, std::string> m_activeCodes;
  model::Batch m_batch;
  std::atomic<bool> m_stopped{false};
  bool m_paused = false;
  bool m_wasUnreachable = false;
  mutable std::mutex m_statsMutex;
  CollectorStats m_stats;
  LogLimiter m_log;
  LogLimiter m_errorLog;
};

void ModbusTcpCollector::Connection::onRead(std::size_t g, const Block& block,
                                            const Result<Response>& result) {
  if (!result) {
    m_errorLog.log(*m_ctx.logger(), spdlog::level::warn, "{} {}..{}: {}",
                   functionName(block.function), block.address, block.address + block.count - 1,
                   result.error().message());
    unavailable(block);
    return;
  }
  const Response& r = result.value();
  if (r.exception == exception::kIllegalDataAddress) {
    onIllegalAddress(g, block);
    return;
  }
  setBlockCode(block, r.exception);
  if (r.exception != 0) {
    unavailable(block);
    return;
  }
  for (const std::size_t i : block.points) {
    const Point& p = m_map.points[i];
    const std::size_t at = p.address - block.address;
    if (p.space <= 1) {
      if (at < r.bits.size()) emit(i, model::Value(static_cast<bool>(r.bits[at])));
      continue;
    }
    const auto n = static_cast<std::size_t>(registerCount(p.format));
    if (at + n > r.registers.size()) continue;
    auto value = decodeRegisters(std::span(r.registers).subspan(at, n), p.format);
    if (value) emit(i, std::move(*value));
  }
}

void ModbusTcpCollector::Connection::onIllegalAddress(std::size_t g, const Block& block) {
  Group& group = *m_groups[g];
  if (block.points.size() == 1) {
    // Found: this input's address does not exist. Drop it once, say so, read the rest.
    const std::size_t i = block.points.front();
    if (m_bad[i]) return;
    m_bad[i] = true;
    const Point& p = m_map.points[i];
    for (int k = 0; k < width(p); ++k) {
      m_barriers.insert(barrierKey(block.function, static_cast<std::uint32_t>(p.address + k)));
    }
    {
      std::lock_guard lock(m_statsMutex);
      ++m_stats.badAddresses;
    }
    m_ctx.logger()->warn(
        "input '{}' ({} address {}) answers illegal data address: {}; it is no longer read", p.key,
        functionName(block.function), p.address, exceptionMeaning(exception::kIllegalDataAddress));
    emit(i, model::Unavailable{});
    Block bad = block;
    bad.function = static_cast<std::uint8_t>(block.function | 0x40);  // its own code entry
    setBlockCode(bad, exception::kIllegalDataAddress);
    setBlockCode(block, 0);
    replan(g);
    return;
  }
  // Several inputs: the gaps between them go first; without gaps, ask each input alone.
  setBlockCode(block, 0);
  const auto gaps = gapAddresses(block, m_map.points);
  if (!gaps.empty()) {
    for (const auto a : gaps) m_barriers.insert(barrierKey(block.function, a));
    replan(g);
    return;
  }
  auto it = std::find_if(group.blocks.begin(), group.blocks.end(), [&](const Block& b) {
    return b.function == block.function && b.address == block.address;
  });
  if (it == group.blocks.end()) return;
  const std::size_t at = static_cast<std::size_t>(it - group.blocks.begin());
  group.blocks.erase(it);
  std::vector<Block> singles;
  for (const std::size_t i : block.points) {
    const Point& p = m_map.points[i];
    singles.push_back(Block{block.function, p.address, static_cast<std::uint16_t>(width(p)), {i}});
  }
  group.blocks.insert(group.blocks.begin() + static_cast<std::ptrdiff_t>(at), singles.begin(),
                      singles.end());
}

void ModbusTcpCollector::Connection::setBlockCode(const Block& block, std::uint8_t code) {
  const std::uint32_t key = barrierKey(block.function, block.address);
  if (code == 0) {
    m_blockCodes.erase(key);
  } else {
    m_blockCodes[key] = code;
  }
  std::map<std::uint8_t, std::string> active;
  for (const auto& [k, c] : m_blockCodes) {
    if (!active.count(c)) {
      active[c] = exceptionName(c) + ": " + exceptionMeaning(c) + " (" +
                  functionName(static_cast<std::uint8_t>((k >> 16) & 0x3F)) + " at " +
                  std::to_string(k & 0xFFFF) + ")";
    }
  }
  const auto now = m_ctx.clock().now();
  for (const auto& [c, text] : active) {
    if (m_activeCodes.count(c)) continue;
    auto cond = std::make_shared<model::Condition>();
    cond->level = model::Level::kFault;
    cond->nativeCode = std::to_string(c);
    cond->text = text;
    m_batch.push_back(model::Observation{m_ctx.machine(), m_conditionItem, now,
                                         model::Kind::kCondition, model::kFlagArrivalTime,
                                         std::shared_ptr<const model::Condition>(cond)});
  }
  for (const auto& [c, text] : m_activeCodes) {
    if (active.count(c)) continue;
    auto cond = std::make_shared<model::Condition>();
    cond->level = model::Level::kNormal;
    cond->nativeCode = std::to_string(c);
    m_batch.push_back(model::Observation{m_ctx.machine(), m_conditionItem, now,
                                         model::Kind::kCondition, model::kFlagArrivalTime,
                                         std::shared_ptr<const model::Condition>(cond)});
  }
  m_activeCodes = std::move(active);
  if (!m_batch.empty()) m_emitter.append(m_batch, 0);
}

void ModbusTcpCollector::Connection::unavailable(const Block& block) {
  for (const std::size_t i : block.points) emit(i, model::Unavailable{});
}

void ModbusTcpCollector::Connection::emit(std::size_t point, model::Value value) {
  if (m_last[point] && *m_last[point] == value) return;  // report changes only
  m_last[point] = value;
  const auto [item, kind] = m_items[point];
  m_batch.push_back(model::Observation{m_ctx.machine(), item, m_ctx.clock().now(), kind,
                                       model::kFlagArrivalTime, std::move(value)});
  m_emitter.append(m_batch, 0);
}

Result<Request> ModbusTcpCollector::Connection::writeRequest(const std::string& key,
                                                             const model::Value& value) {
  if (!m_options.allowWrite) {
    return Error(ErrorCode::kInvalidArgument,
                 "writes to machine '" + m_ctx.machineName() + "' are off; set allow_write: true");
  }
  return writeRequestFor(m_map, key, value);
}

void ModbusTcpCollector::Connection::finishWrite(Job& job, const Result<Response>& result) {
  if (!result && result.error().code() == ErrorCode::kUnavailable) {
    m_book.resend(job.key, std::move(job.done));  // the connection went: written when back
    return;
  }
  Status status = okStatus();
  if (!result) {
    status = Error(result.error()).with(functionName(job.request.function));
  } else if (result->exception != 0) {
    m_book.refused(job.key);
    status = Error(ErrorCode::kProtocol, functionName(job.request.function) +
                                             " refused: " + exceptionName(result->exception) +
                                             ": " + exceptionMeaning(result->exception));
  }
  if (job.done) {
    job.done(std::move(status));
  } else if (!status) {  // written again after a reconnect: nobody else hears of it
    m_errorLog.log(*m_ctx.logger(), spdlog::level::warn, "writing '{}' again failed: {}", job.key,
                   status.error().message());
  }
}

// The reads are asked again by their poll groups; the writes wait in the book for the device.
void ModbusTcpCollector::Connection::failQueue(const std::string& reason) {
  for (auto& job : m_queue) {
    if (job.group < 0) {
      m_book.resend(job.key, std::move(job.done));
    } else if (job.done) {
      job.done(Error(ErrorCode::kUnavailable, reason));
    }
  }
  m_queue.clear();
}

ModbusTcpCollector::ModbusTcpCollector(ModbusTcpOptions options) : m_options(std::move(options)) {}

ModbusTcpCollector::~ModbusTcpCollector() { stop(); }

Status ModbusTcpCollector::start(CollectorContext& context) {
  if (m_connection) return Error(ErrorCode::kInternal, "modbus_tcp collector started twice");
  auto map = buildPointMap(context.script().get(), m_options);
  if (!map) return std::move(map).error().with("machine '" + context.machineName() + "'");
  auto connection = std::make_shared<Connection>(context, m_options, std::move(*map));
  if (auto started = connection->start(); !started) return started;
  m_connection = std::move(connection);
  return okStatus();
}

void ModbusTcpCollector::stop() {
  if (m_connection) {
    m_connection->stop();
    m_connection.reset();
  }
}

void ModbusTcpCollector::write(const std::string& key, model::Value value,
                               std::function<void(Status)> done) {
  if (!m_connection) {
    done(Error(ErrorCode::kUnavailable, "the collector is not running"));
    return;
  }
  m_connection->write(key, std::move(value), std::move(done));
}

CollectorStats ModbusTcpCollector::stats() const {
  return m_connection ? m_connection->stats() : CollectorStats{};
}

namespace {

// What start() would refuse, for `spindle validate`: no register map in the script, a poll
// group the options lack, a write to a keys input, or writes while allow_write is off.
Status checkScript(const std::any& loaded, const transform::CompiledScript* script) {
  const auto& options = std::any_cast<const ModbusTcpOptions&>(loaded);
  if (auto map = buildPointMap(script, options); !map) return std::move(map).error();
  return checkScriptWrites(script, options.allowWrite, [](const transform::InputSpec& in) {
    const bool point = in.section == transform::InputSection::kRegisters ||
                       in.section == transform::InputSection::kCoils;
    return point ? std::string()
                 : "a Modbus device is written through its holding registers and coils";
  });
}

}  // namespace

void registerCollector(Registry& registry) {
  auto info = makeCollectorInfo<ModbusTcpCollector>(
      "modbus_tcp", "Modbus TCP client: polls the registers and coils the machine's script names",
      kDefaultPort, optionTable(), validate, true);
  info.writes = true;
  info.checkScript = checkScript;
  registry.add(std::move(info));
}

}  // namespace spindle::collectors::modbus_tcp
