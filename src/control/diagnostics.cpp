#include "control/diagnostics.hpp"

#include "base/log.hpp"
#include "control/config_text.hpp"

namespace spindle::control {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxRequestBytes = 64 * 1024;
const char* const kCommands[] = {"status",  "netcheck", "logs",  "config",
                                 "restart", "journal",  "upload"};

json errorReply(const std::string& message) { return json{{"ok", false}, {"error", message}}; }

}  // namespace

DiagnosticsService::DiagnosticsService(std::string edgeId, Channel& channel,
                                       DiagnosticsHandlers handlers)
    : m_edge(std::move(edgeId)),
      m_channel(channel),
      m_handlers(std::move(handlers)),
      m_log(makeLogger("control.diagnostics")) {}

DiagnosticsService::~DiagnosticsService() { stop(); }

Status DiagnosticsService::start() {
  if (m_service) return okStatus();
  auto service = m_channel.serve("diag", [this](const std::string& command, std::string_view body) {
    json answer =
        body.size() > kMaxRequestBytes ? errorReply("request too large") : handle(command, body);
    answer["edge"] = m_edge;
    answer["command"] = command;
    return answer.dump(-1, ' ', false, json::error_handler_t::replace);
  });
  if (!service) return std::move(service).error().with("starting diagnostics");
  m_service = std::move(*service);
  return okStatus();
}

void DiagnosticsService::stop() { m_service.reset(); }

json DiagnosticsService::handle(const std::string& command, std::string_view body) {
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
    if (command == "upload") {
      if (!m_handlers.upload) return unavailable();
      auto r = m_handlers.upload(args);
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
