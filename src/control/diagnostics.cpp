#include "control/diagnostics.hpp"

#include <condition_variable>

#include "base/log.hpp"
#include "control/config_text.hpp"

namespace spindle::control {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxRequestBytes = 64 * 1024;
const char* const kCommands[] = {"status", "netcheck", "logs", "config", "restart", "journal"};

json errorReply(const std::string& message) { return json{{"ok", false}, {"error", message}}; }

}  // namespace

struct DiagnosticsService::Shared {
  std::mutex mutex;
  std::condition_variable idle;
  DiagnosticsService* owner = nullptr;  ///< null once stopped
  int active = 0;
};

DiagnosticsService::DiagnosticsService(std::string edgeId,
                                       uplinks::nats::NatsConnection& connection,
                                       DiagnosticsHandlers handlers)
    : m_edge(std::move(edgeId)),
      m_connection(connection),
      m_handlers(std::move(handlers)),
      m_log(makeLogger("control.diagnostics")),
      m_shared(std::make_shared<Shared>()) {
  m_connection.retain(m_shared);
}

DiagnosticsService::~DiagnosticsService() { stop(); }

Status DiagnosticsService::start() {
  if (m_sub != nullptr) return okStatus();
  if (m_connection.handle() == nullptr) {
    return Error(ErrorCode::kInternal, "the NATS connection is not started");
  }
  {
    std::lock_guard lock(m_shared->mutex);
    m_shared->owner = this;
  }
  const std::string subject = "spindle." + m_edge + ".diag.*";
  natsStatus s = natsConnection_Subscribe(&m_sub, m_connection.handle(), subject.c_str(),
                                          &DiagnosticsService::onMessage, m_shared.get());
  if (s != NATS_OK) {
    m_sub = nullptr;
    return uplinks::nats::natsError(s, "subscribing " + subject);
  }
  // Bounded: a flood of requests is dropped (the requesters time out), never queued forever.
  natsSubscription_SetPendingLimits(m_sub, 64, 4 * 1024 * 1024);
  m_log->info("answering diagnostics on {}", subject);
  return okStatus();
}

void DiagnosticsService::stop() {
  if (m_sub == nullptr) return;
  natsSubscription_Unsubscribe(m_sub);
  {
    std::unique_lock lock(m_shared->mutex);
    m_shared->owner = nullptr;
    m_shared->idle.wait(lock, [this] { return m_shared->active == 0; });
  }
  natsSubscription_Destroy(m_sub);
  m_sub = nullptr;
}

void DiagnosticsService::onMessage(natsConnection* nc, natsSubscription*, natsMsg* msg,
                                   void* closure) {
  auto* shared = static_cast<Shared*>(closure);
  DiagnosticsService* self = nullptr;
  {
    std::lock_guard lock(shared->mutex);
    self = shared->owner;
    if (self != nullptr) ++shared->active;
  }
  if (self != nullptr) {
    const std::string subject = natsMsg_GetSubject(msg);
    const std::string command = subject.substr(subject.rfind('.') + 1);
    const char* reply = natsMsg_GetReply(msg);
    const int length = natsMsg_GetDataLength(msg);
    json answer;
    if (static_cast<std::size_t>(length) > kMaxRequestBytes) {
      answer = errorReply("request too large");
    } else {
      answer = self->handle(command, std::string(natsMsg_GetData(msg), length));
    }
    answer["edge"] = self->m_edge;
    answer["command"] = command;
    if (reply != nullptr && *reply != '\0') {
      const std::string text = answer.dump(-1, ' ', false, json::error_handler_t::replace);
      const natsStatus s =
          natsConnection_Publish(nc, reply, text.data(), static_cast<int>(text.size()));
      if (s != NATS_OK) {
        self->m_log->warn("replying to diag.{}: {}", command, natsStatus_GetText(s));
      }
    }
    std::lock_guard lock(shared->mutex);
    if (--shared->active == 0) shared->idle.notify_all();
  }
  natsMsg_Destroy(msg);
}

json DiagnosticsService::handle(const std::string& command, const std::string& body) {
  ++m_requests;
  json args = json::object();
  if (!body.empty()) {
    args = json::parse(body, nullptr, false);
    if (args.is_discarded() || !args.is_object()) {
      return errorReply("the request body must be a JSON object of arguments, or empty");
    }
  }
  m_log->info("diagnostics request: {}", command);
  auto unavailable = [&] { return errorReply(command + " is not available on this edge"); };
  auto ok = [](json result) { return json{{"ok", true}, {"result", std::move(result)}}; };
  try {
    if (command == "status") {
      return m_handlers.status ? ok(m_handlers.status()) : unavailable();
    }
    if (command == "netcheck") {
      if (!m_handlers.netcheck) return unavailable();
      auto r = m_handlers.netcheck(args);
      return r ? ok(std::move(*r)) : errorReply(r.error().describe());
    }
    if (command == "logs") {
      if (!m_handlers.logs) return unavailable();
      std::int64_t n = 100;
      if (args.contains("lines")) {
        if (!args["lines"].is_number_integer() || args["lines"].get<std::int64_t>() < 1) {
          return errorReply("'lines' must be a positive integer");
        }
        n = args["lines"].get<std::int64_t>();
      }
      const auto lines = m_handlers.logs->lines(static_cast<std::size_t>(n));
      return ok(json{{"lines", lines}, {"capacity", m_handlers.logs->capacity()}});
    }
    if (command == "config") {
      if (!m_handlers.configText) return unavailable();
      return ok(json{{"yaml", redactConfig(m_handlers.configText())}});
    }
    if (command == "restart") {
      if (!m_handlers.restartMachine) return unavailable();
      if (!args.contains("machine") || !args["machine"].is_string()) {
        return errorReply("restart needs {\"machine\": \"<id>\"}");
      }
      const std::string machine = args["machine"].get<std::string>();
      auto status = m_handlers.restartMachine(machine);
      if (!status) return errorReply(status.error().describe());
      return ok(json{{"restarted", machine}});
    }
    if (command == "journal") {
      if (!m_handlers.journal) return unavailable();
      auto r = m_handlers.journal();
      return r ? ok(std::move(*r)) : errorReply(r.error().describe());
    }
  } catch (const std::exception& e) {
    // A handler's JSON mistake must not take the diagnostics thread down.
    return errorReply(std::string("internal error: ") + e.what());
  }
  std::string known;
  for (const char* c : kCommands) known += (known.empty() ? "" : ", ") + std::string(c);
  return errorReply("unknown command '" + command + "'; known: " + known);
}

}  // namespace spindle::control
