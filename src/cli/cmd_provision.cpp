// `spindle provision --api URL --token TOKEN`: claims this edge for a fleet
// (docs/cloud-protocol.md "Provisioning"). The configuration file is read for where the data
// directory is and how the edge reaches the internet (DNS chain, proxy, trusted CAs); it may
// be one that does not run yet (no NATS link): only those sections are taken from it.

#include <iostream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "cli/command.hpp"
#include "config/option_table.hpp"
#include "control/provision.hpp"
#include "net/http/https_options.hpp"
#include "net/net_options.hpp"
#include "net/proxy.hpp"
#include "net/resolver_chain.hpp"

namespace spindle::cli {
namespace {

/// One section of the file through its option table; problems printed, false on any.
template <typename T>
bool loadSection(const YAML::Node& root, const char* name, const config::OptionTable<T>& table,
                 T& out) {
  const YAML::Node block = root[name];
  if (!block) return true;
  config::Diagnostics diags;
  table.load(block, out, diags, name);
  if (diags.empty()) return true;
  std::cerr << "spindle provision: " << name << ": " << diags.describe() << "\n";
  return false;
}

std::string hostname() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string();
}

}  // namespace

Command addProvisionCommand(CLI::App& app) {
  struct Args {
    std::string config = "/etc/spindle/spindle.yaml";
    std::string api;
    std::string token;
    std::string dataDir;
    std::string caFile;
    bool force = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "provision", "claim this edge for a fleet with a one-time token from the cloud");
  cmd->add_option("-c,--config", args->config,
                  "the configuration file to write the edge id and cloud link into")
      ->capture_default_str();
  cmd->add_option("--api", args->api, "the cloud API, https://")->required();
  cmd->add_option("--token", args->token, "the one-time token the fleet gave for this edge")
      ->required();
  cmd->add_option("--data-dir", args->dataDir,
                  "where the key and credentials go (default: the configuration's edge.data_dir)");
  cmd->add_option("--ca-file", args->caFile,
                  "a CA (PEM) the API's certificate is signed by, for a private cloud")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--force", args->force, "claim again although this edge is already provisioned");

  return {cmd, [args](const CommandContext&) {
            YAML::Node root;
            try {
              if (::access(args->config.c_str(), F_OK) == 0) root = YAML::LoadFile(args->config);
            } catch (const YAML::Exception& e) {
              std::cerr << "spindle provision: " << args->config << ": " << e.what() << "\n";
              return kExitUsage;
            }
            if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
            net::NetOptions netOptions;
            net::http::HttpsOptions https;
            if (!root.IsMap() || !loadSection(root, "net", net::optionTable(), netOptions) ||
                !loadSection(root, "https", net::http::httpsOptionTable(), https)) {
              if (!root.IsMap())
                std::cerr << "spindle provision: " << args->config << " is not a YAML map\n";
              return kExitUsage;
            }
            if (!args->caFile.empty()) https.caFile = args->caFile;
            std::string dataDir = args->dataDir;
            if (dataDir.empty()) {
              dataDir = root["edge"] && root["edge"]["data_dir"]
                            ? root["edge"]["data_dir"].as<std::string>()
                            : std::string("spindle-data");
            }
            auto proxy = net::proxySettings(netOptions);
            if (!proxy) {
              std::cerr << "spindle provision: net.proxy: " << proxy.error().describe() << "\n";
              return kExitUsage;
            }
            boost::asio::io_context io;
            auto work = boost::asio::make_work_guard(io);
            std::thread thread([&io] { io.run(); });
            auto finish = [&](int code) {
              work.reset();
              io.stop();
              thread.join();
              return code;
            };
            auto resolver =
                net::ResolverChain::create(io.get_executor(), net::resolverOptions(netOptions));
            if (!resolver) {
              std::cerr << "spindle provision: " << resolver.error().describe() << "\n";
              return finish(kExitUsage);
            }
            auto client = net::http::HttpClient::create(
                net::http::clientOptions(https, "", std::move(*proxy), *resolver));
            if (!client) {
              std::cerr << "spindle provision: " << client.error().describe() << "\n";
              (*resolver)->stop();
              return finish(kExitFailure);
            }
            control::ProvisionRequest request{args->api,    args->token, dataDir,
                                              args->config, hostname(),  args->force};
            auto edge = control::provision(request, **client);
            (*client)->stop();
            (*resolver)->stop();
            if (!edge) {
              std::cerr << "spindle provision: " << edge.error().describe() << "\n";
              return finish(kExitFailure);
            }
            std::cout << "provisioned: this edge is " << *edge << "; " << args->config
                      << " names it and its cloud link (the previous file is " << args->config
                      << ".bak). Start or restart spindle to join the fleet.\n";
            return finish(kExitOk);
          }};
}

}  // namespace spindle::cli
