#include <fstream>
#include <iostream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "app/netcheck_targets.hpp"
#include "cli/command.hpp"
#include "cli/config_loading.hpp"
#include "net/net_options.hpp"
#include "net/proxy.hpp"
#include "netcheck/netcheck.hpp"

namespace spindle::cli {
namespace {

struct NetcheckArgs {
  std::string profile = "commercial";
  std::string config;
  std::vector<std::string> maps;
  bool json = false;
  std::string timeout = "5s";
  std::string dnsTimeout = "2s";
  std::size_t parallel = 16;
  std::vector<std::string> dns;
  std::vector<std::string> ntp;
  std::string resolvConf;
  bool noSystemDns = false;
  std::string dnsLookup;
  std::string caFile;
  bool loopbackOnly = false;
  bool showProfile = false;
  std::string proxy;  ///< URL, env or none; empty: the configuration's (none without --config)
  std::string proxyCredentials;
  std::vector<std::string> noProxy;
};

int usage(const std::string& message) {
  std::cerr << "spindle netcheck: " << message << "\n";
  return kExitUsage;
}

/// The profile named on the command line: a file when one exists at that path, else a
/// built-in name. Prints the problems and returns nullopt when neither works.
std::optional<netcheck::Profile> loadProfile(const std::string& nameOrPath, std::string& text) {
  if (std::ifstream in(nameOrPath); in) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    auto loaded = netcheck::loadProfileText(text, nameOrPath);
    if (!loaded.profile) printDiagnostics(loaded.diagnostics);
    return loaded.profile;
  }
  if (const std::string* builtin = netcheck::builtinProfileText(nameOrPath)) {
    text = *builtin;
    auto profile = netcheck::builtinProfile(nameOrPath);
    if (profile) return std::move(profile).value();
    std::cerr << profile.error().describe() << "\n";
    return std::nullopt;
  }
  std::cerr << "spindle netcheck: no profile '" << nameOrPath
            << "': give commercial, govcloud or the path of a profile file\n";
  return std::nullopt;
}

/// Reads what netcheck needs from spindle.yaml: the machines' protocol ports, the HTTPS
/// endpoints it names with the edge's client options (app/netcheck_targets.hpp) and the `net:`
/// section. The whole file is validated first with the same loader as `spindle run`.
bool applyConfig(const std::string& file, const CommandContext& ctx,
                 netcheck::NetcheckRequest& request, net::NetOptions& net) {
  auto loaded = loadConfiguration(file, false, ctx.registry);
  if (!loaded.config) {
    printDiagnostics(loaded.diagnostics);
    return false;
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    std::cerr << file << ": " << e.what() << "\n";
    return false;
  }
  auto machines =
      netcheck::machineTargets(root, [&ctx](const std::string& type, const YAML::Node& block) {
        return ctx.registry.resolvedPort(type, block);
      });
  if (!machines) {
    std::cerr << file << ": " << machines.error().describe() << "\n";
    return false;
  }
  request.machines = std::move(machines).value();
  app::addConfiguredEndpoints(*loaded.config, request);
  if (const YAML::Node block = root["net"]) {
    net::NetOptions options;
    config::Diagnostics diags(file);
    net::optionTable().load(block, options, diags, "net");
    net::validate(options, block, diags);
    if (!diags.empty()) {
      printDiagnostics(diags);
      return false;
    }
    if (block["dns_preferred"]) request.dnsPreferred = options.dnsPreferred;
    request.dnsServers = options.dnsServers;
    request.resolvConf = options.resolvConf;
    request.dnsTimeout = options.dnsTimeout;
    if (block["ntp_servers"]) request.ntpServers = options.ntpServers;
    net.proxy = options.proxy;
    net.proxyCredentials = options.proxyCredentials;
    net.noProxy = options.noProxy;
  }
  return true;
}

/// The proxy from the configuration's net: keys, overridden by --proxy, --proxy-credentials
/// and --no-proxy. False (printed) on a problem.
bool applyProxy(const NetcheckArgs& args, net::NetOptions net, netcheck::NetcheckRequest& request) {
  if (!args.proxy.empty()) net.proxy = args.proxy == "none" ? "" : args.proxy;
  if (!args.proxyCredentials.empty()) net.proxyCredentials = args.proxyCredentials;
  net.noProxy.insert(net.noProxy.end(), args.noProxy.begin(), args.noProxy.end());
  auto proxy = net::proxySettings(net);
  if (!proxy) {
    std::cerr << "spindle netcheck: " << proxy.error().describe() << "\n";
    return false;
  }
  request.proxy = std::move(proxy).value();
  return true;
}

int runNetcheckCommand(const NetcheckArgs& args, const CommandContext& ctx) {
  std::string profileText;
  auto profile = loadProfile(args.profile, profileText);
  if (!profile) return kExitUsage;
  if (args.showProfile) {
    std::cout << profileText;
    return kExitOk;
  }
  netcheck::NetcheckRequest request;
  request.profile = std::move(*profile);
  net::NetOptions net;
  if (!args.config.empty() && !applyConfig(args.config, ctx, request, net)) return kExitUsage;
  if (!applyProxy(args, std::move(net), request)) return kExitUsage;
  for (const auto& spec : args.maps) {
    if (auto added = request.map.add(spec); !added) return usage(added.error().message());
  }
  auto timeout = parseDuration(args.timeout);
  if (!timeout) return usage("--timeout: " + timeout.error().message());
  auto dnsTimeout = parseDuration(args.dnsTimeout);
  if (!dnsTimeout) return usage("--dns-timeout: " + dnsTimeout.error().message());
  request.timeout = *timeout;
  request.dnsTimeout = *dnsTimeout;
  request.parallel = args.parallel;
  request.dnsServers.insert(request.dnsServers.end(), args.dns.begin(), args.dns.end());
  if (!args.ntp.empty()) request.ntpServers = args.ntp;
  if (!args.resolvConf.empty()) request.resolvConf = args.resolvConf;
  if (args.noSystemDns) request.resolvConf.clear();
  request.dnsLookup = args.dnsLookup;
  request.caFile = args.caFile;
  request.loopbackOnly = args.loopbackOnly;
  if (auto valid = netcheck::validateRequest(request); !valid) {
    return usage(valid.error().message());
  }

  // The report says everything; log lines (the DNS chain moving to another server) would
  // land in the middle of the table on a terminal. Asked for with --log-level, they stay.
  if (!ctx.logLevelGiven) setupLogging(ctx.logFormat, spdlog::level::off);
  auto report = netcheck::runNetcheck(std::move(request));
  if (!report) {
    std::cerr << "spindle netcheck: " << report.error().describe() << "\n";
    return report.error().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  if (args.json) {
    std::cout << netcheck::toJson(*report).dump(2) << "\n";
  } else {
    std::cout << netcheck::renderTable(*report);
  }
  return report->ok() ? kExitOk : kExitFailure;
}

}  // namespace

Command addNetcheckCommand(CLI::App& app) {
  auto args = std::make_shared<NetcheckArgs>();
  auto* cmd = app.add_subcommand("netcheck",
                                 "prove the network meets the firewall requirements, row by row");
  cmd->add_option("--profile", args->profile,
                  "commercial, govcloud, or a profile file (YAML; see docs/network.md)")
      ->capture_default_str();
  cmd->add_option("--config", args->config,
                  "spindle.yaml: also check every machine's protocol port and the HTTPS "
                  "endpoints it names (api rows), and use its net: section")
      ->check(CLI::ExistingFile);
  cmd->add_option("--map", args->maps,
                  "HOST=ADDR:PORT: send traffic for HOST (or HOST:PORT, or *:PORT) to ADDR:PORT, "
                  "keeping HOST for TLS; repeatable");
  cmd->add_flag("--json", args->json, "print the report as JSON (schema in docs/network.md)");
  cmd->add_option("--timeout", args->timeout, "time limit of each check")->capture_default_str();
  cmd->add_option("--dns-timeout", args->dnsTimeout, "time limit per DNS server")
      ->capture_default_str();
  cmd->add_option("--parallel", args->parallel, "checks in flight at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--dns", args->dns,
                  "a configured (static) DNS server, IP[:PORT], asked after the preferred ones; "
                  "repeatable");
  cmd->add_option("--ntp", args->ntp, "NTP server to check instead of the profile's; repeatable");
  cmd->add_option("--resolv-conf", args->resolvConf,
                  "file with the system (DHCP) DNS servers (default /etc/resolv.conf)");
  cmd->add_flag("--no-system-dns", args->noSystemDns, "do not ask the system (DHCP) DNS servers");
  cmd->add_option("--dns-lookup", args->dnsLookup, "name each DNS server is asked for");
  cmd->add_option("--ca-file", args->caFile, "extra trusted CA certificates (PEM)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--loopback-only", args->loopbackOnly,
                "send nothing outside 127.0.0.0/8 (tests, demos); other targets are skipped");
  cmd->add_option("--proxy", args->proxy,
                  "HTTP proxy for the HTTPS checks: http://HOST[:PORT], env (https_proxy and "
                  "friends) or none; default: net.proxy of --config, else none");
  cmd->add_option("--proxy-credentials", args->proxyCredentials,
                  "file with one line user:password for the proxy (net.proxy_credentials)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--no-proxy", args->noProxy,
                  "a host, domain, address or network that skips the proxy (added to "
                  "net.no_proxy); repeatable");
  cmd->add_flag("--show-profile", args->showProfile, "print the profile and exit");
  return {cmd, [args](const CommandContext& ctx) { return runNetcheckCommand(*args, ctx); }};
}

}  // namespace spindle::cli
