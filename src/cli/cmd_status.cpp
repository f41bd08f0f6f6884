// `spindle status`: what the running edge says about itself, read from its web listener
// (web/status_endpoint.hpp) at the address its configuration file gives.
#include <iostream>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/config_loading.hpp"
#include "web/status_endpoint.hpp"

namespace spindle::cli {

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using nlohmann::json;

struct Answer {
  int status = 0;
  std::string body;
};

/// GET `target` from host:port; an error names what failed (connection refused, timeout).
Result<Answer> get(const std::string& host, std::uint16_t port, const std::string& target) {
  asio::io_context io;
  boost::beast::tcp_stream stream(io);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return Error(ErrorCode::kInvalidArgument, "bad address '" + host + "'");
  stream.expires_after(std::chrono::seconds(5));
  stream.connect(asio::ip::tcp::endpoint(address, port), ec);
  if (ec) return Error(ErrorCode::kUnavailable, ec.message());
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, host);
  request.keep_alive(false);
  http::write(stream, request, ec);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 << 20);
  if (!ec) http::read(stream, buffer, parser, ec);
  if (ec) return Error(ErrorCode::kIo, ec.message());
  return Answer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

std::string text(const json& j, const char* key, const char* otherwise = "") {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : otherwise;
}

void printStatus(const json& s, std::ostream& out) {
  out << "edge " << text(s, "edge") << " (spindle " << text(s, "version", "?") << ")\n";
  out << "machines:\n";
  for (const auto& m : s.value("machines", json::array())) {
    std::string age = "no data yet";
    if (m.contains("last_data_age_s") && m["last_data_age_s"].is_number()) {
      age = fmt::format("last data {:.0f}s ago", m["last_data_age_s"].get<double>());
    }
    out << fmt::format("  {:<12} {:<11} {} obs, {}", text(m, "id"), text(m, "state"),
                       m.value("observations", 0ULL), age);
    if (!text(m, "detail").empty()) out << " (" << text(m, "detail") << ")";
    out << "\n";
  }
  out << "uplinks:\n";
  for (const auto& u : s.value("uplinks", json::array())) {
    out << fmt::format("  {:<12} lag {}, delivered {}{}", text(u, "name"), u.value("lag", 0ULL),
                       u.value("delivered", 0ULL),
                       u.value("connected", false) ? "" : ", not sending");
    if (!text(u, "last_error").empty()) out << " (" << text(u, "last_error") << ")";
    out << "\n";
  }
  if (s.contains("cloud") && s["cloud"].is_string()) out << "cloud:   " << text(s, "cloud") << "\n";
  const json journal = s.value("journal", json::object());
  out << fmt::format("journal: {} observations not yet delivered everywhere, {} bytes on disk",
                     journal.value("depth", 0ULL), journal.value("bytes", 0ULL));
  if (!text(journal, "problem").empty()) out << " (" << text(journal, "problem") << ")";
  out << "\n";
  const json clock = s.value("clock", json::object());
  std::string clockText = text(clock, "state", "unknown");
  if (clock.contains("offset_ms") && clock["offset_ms"].is_number()) {
    clockText += fmt::format(", offset {:+.1f} ms", clock["offset_ms"].get<double>());
  }
  if (!text(clock, "server").empty()) clockText += " against " + text(clock, "server");
  if (!text(clock, "reason").empty()) clockText += " (" + text(clock, "reason") + ")";
  if (text(clock, "reason").empty() && text(clock, "server").empty()) {
    clockText += " (no NTP server configured: net.ntp_servers)";
  }
  out << "clock:   " << clockText << "\n";
  if (s.contains("dns") && s["dns"].is_object()) {
    out << "dns:     " << text(s["dns"], "server") << " (" << text(s["dns"], "source") << "), last "
        << text(s["dns"], "last") << "\n";
  } else {
    out << "dns:     no DNS server configured\n";
  }
}

}  // namespace

Command addStatusCommand(CLI::App& app) {
  struct Args {
    std::string config;
    bool demo = false;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "status", "show what the running edge reports: machines, uplinks, journal, clock, DNS");
  cmd->add_option("-c,--config", args->config,
                  "the configuration the edge runs (its web: section says where to ask)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--demo", args->demo, "ask the edge running the embedded demo");
  cmd->add_flag("--json", args->json, "print the status document as JSON");

  return {cmd, [args](const CommandContext& ctx) {
            if (args->demo == !args->config.empty()) {
              std::cerr << "spindle status: give either --config FILE or --demo\n";
              return kExitUsage;
            }
            auto loaded = loadConfiguration(args->config, args->demo, ctx.registry);
            if (!loaded.config) {
              printDiagnostics(loaded.diagnostics);
              return kExitUsage;
            }
            const auto& web = loaded.config->web;
            const std::string source = loaded.config->source;
            if (!web.enabled) {
              std::cerr << "spindle status: the web server is off in " << source
                        << " (web.enabled: false); the status is served there\n";
              return kExitUsage;
            }
            // A wildcard bind is asked on loopback.
            std::string host = web.bind;
            if (host == "0.0.0.0") host = "127.0.0.1";
            if (host == "::") host = "::1";
            const std::string where =
                (host.find(':') != std::string::npos ? "http://[" + host + "]" : "http://" + host) +
                ":" + std::to_string(web.port.value);
            auto answer = get(host, web.port.value, std::string(web::StatusEndpoint::kPath));
            if (!answer) {
              std::cerr << "spindle status: no edge is running at " << where << " ("
                        << answer.error().message() << "); start one with spindle run "
                        << (args->demo ? "--demo" : "-c " + args->config) << "\n";
              return kExitFailure;
            }
            const json doc = json::parse(answer->body, nullptr, false);
            if (answer->status != 200 || doc.is_discarded() || !doc.is_object()) {
              std::cerr << "spindle status: " << where << " answers, but not as a Spindle edge "
                        << "(HTTP " << answer->status << " for " << web::StatusEndpoint::kPath
                        << ")\n";
              return kExitFailure;
            }
            if (args->json) {
              std::cout << doc.dump(2) << "\n";
            } else {
              std::cout << "from " << where << web::StatusEndpoint::kPath << "\n";
              printStatus(doc, std::cout);
            }
            return kExitOk;
          }};
}

}  // namespace spindle::cli
