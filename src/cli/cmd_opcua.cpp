// `spindle opcua browse ENDPOINT`: the address space of an OPC UA server as a tree, with the
// value and data type of every variable and each node's id in the form an adapter script
// takes (by namespace URI), for setting up a machine. It connects as the opcua collector does:
// the same security choices, certificate and trust list, user identity.
#include <fstream>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "base/units.hpp"
#include "cli/command.hpp"
#include "collectors/tcp_connect.hpp"
#include "opcua/endpoint_url.hpp"
#include "opcua/tree_browse.hpp"

namespace spindle::cli {

namespace {

namespace asio = boost::asio;
using opcua::ClientSession;

struct BrowseArgs {
  std::string endpoint;
  std::string node = "i=85";
  int depth = 4;
  std::size_t maxNodes = 2000;
  bool noValues = false;
  std::string policy = "best";
  std::string mode = "sign_and_encrypt";
  std::string user;
  std::string passwordFile;
  std::string pki = "spindle-data/opcua-pki";
  bool trustOnFirstUse = false;
  bool json = false;
  std::string timeout = "10s";
};

int fail(const std::string& message) {
  std::cerr << "spindle opcua browse: " << message << "\n";
  return kExitFailure;
}

Result<opcua::SecurityMode> parseMode(const std::string& text) {
  if (text == "none") return opcua::SecurityMode::kNone;
  if (text == "sign") return opcua::SecurityMode::kSign;
  if (text == "sign_and_encrypt") return opcua::SecurityMode::kSignAndEncrypt;
  return Error(ErrorCode::kInvalidArgument,
               "--mode '" + text + "': give none, sign or sign_and_encrypt");
}

Result<std::string> readPassword(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kNotFound, "cannot read the password file '" + path + "'");
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

/// Connects sockets as the collector does (collectors/tcp_connect.hpp), resolving through the
/// system's resolver here.
ClientSession::ConnectFn connector(ClientSession::Strand strand, opcua::EndpointUrl url,
                                   Duration timeout) {
  return [strand, url, timeout](std::function<void(Result<ClientSession::Socket>)> done) {
    auto socket = std::make_shared<ClientSession::Socket>(strand);
    auto attempt = std::make_shared<std::shared_ptr<collectors::TcpConnect>>();
    *attempt = collectors::TcpConnect::start(
        strand, *socket, collectors::TcpTarget{url.host, url.port, timeout},
        [socket, attempt, done](Result<asio::ip::tcp::endpoint> ep) {
          attempt->reset();
          if (!ep) return done(std::move(ep).error());
          done(std::move(*socket));
        });
  };
}

const char* modeName(opcua::SecurityMode mode) {
  return mode == opcua::SecurityMode::kNone ? "no security" : opcua::toString(mode);
}

void printText(const opcua::TreeBrowseResult& tree, const opcua::ClientSession& session,
               std::ostream& out) {
  const auto& ep = session.endpoint();
  const auto* policy = opcua::findSecurityPolicy(ep.securityPolicyUri.value_or(""));
  out << session.config().endpointUrl << " ("
      << (policy != nullptr ? std::string(policy->name) : ep.securityPolicyUri.value_or("?"))
      << ", " << modeName(ep.securityMode) << ", "
      << (session.config().user ? "user " + session.config().user->userName : "anonymous")
      << ")\nnamespaces:\n";
  for (std::size_t i = 0; i < tree.namespaces.size(); ++i)
    out << "  " << i << "  " << tree.namespaces[i] << "\n";
  out << "\n";
  for (const auto& n : tree.nodes) {
    out << std::string(2 * static_cast<std::size_t>(n.depth), ' ') << n.browseName << "  ("
        << opcua::toString(n.nodeClass) << ")  " << n.portableId();
    if (n.dataType) out << "  " << opcua::dataTypeName(*n.dataType);
    if (n.value) out << " = " << opcua::valueText(*n.value);
    out << "\n";
  }
  if (tree.truncated) out << "... stopped at " << tree.nodes.size() << " nodes (--max-nodes)\n";
}

void printJson(const opcua::TreeBrowseResult& tree, std::ostream& out) {
  nlohmann::json doc = {{"namespaces", tree.namespaces},
                        {"truncated", tree.truncated},
                        {"nodes", nlohmann::json::array()}};
  for (const auto& n : tree.nodes) {
    nlohmann::json node = {{"depth", n.depth},
                           {"id", n.portableId()},
                           {"node_id", n.nodeId.toString()},
                           {"browse_name", n.browseName},
                           {"display_name", n.displayName},
                           {"node_class", opcua::toString(n.nodeClass)}};
    if (n.dataType) node["data_type"] = opcua::dataTypeName(*n.dataType);
    if (n.value) node["value"] = opcua::valueText(*n.value);
    doc["nodes"].push_back(std::move(node));
  }
  out << doc.dump(2) << "\n";
}

int runBrowse(const BrowseArgs& args) {
  auto url = opcua::parseEndpointUrl(args.endpoint);
  if (!url) return fail(url.error().describe());
  auto mode = parseMode(args.mode);
  if (!mode) return fail(mode.error().describe());
  auto timeout = parseDuration(args.timeout);
  if (!timeout) return fail("--timeout '" + args.timeout + "': " + timeout.error().message());
  auto root = opcua::ExpandedNodeId::parse(args.node);
  if (!root) return fail("--node: " + root.error().describe());

  opcua::SessionConfig config;
  config.endpointUrl = args.endpoint;
  config.securityPolicy = args.policy;
  config.securityMode = *mode;
  config.pkiDir = args.pki;
  config.trustOnFirstUse = args.trustOnFirstUse;
  config.requestTimeout = *timeout;
  if (!args.user.empty()) {
    if (args.passwordFile.empty()) return fail("--user needs --password-file");
    auto password = readPassword(args.passwordFile);
    if (!password) return fail(password.error().describe());
    config.user = opcua::UserIdentity{args.user, std::move(*password)};
  }

  asio::io_context io;
  auto strand = asio::make_strand(io);
  auto session = ClientSession::create(strand, config, connector(strand, *url, *timeout));
  int rc = kExitFailure;
  asio::post(strand, [&] {
    session->connect([&](Status connected) {
      if (!connected) {
        rc = fail(connected.error().describe());
        return;
      }
      session->readNamespaceArray([&](Result<std::vector<std::string>> ns) {
        if (!ns) {
          rc = fail(ns.error().describe());
          return session->closeSession([](Status) {});
        }
        opcua::TreeBrowseOptions options;
        options.root = root->nodeId;
        if (root->namespaceUri) {
          const auto index = session->namespaceIndex(*root->namespaceUri);
          if (!index) {
            rc = fail("--node: the server has no namespace '" + *root->namespaceUri + "'");
            return session->closeSession([](Status) {});
          }
          options.root.namespaceIndex = *index;
        }
        options.maxDepth = args.depth;
        options.maxNodes = args.maxNodes;
        options.readValues = !args.noValues;
        opcua::browseTree(session, options, [&](Result<opcua::TreeBrowseResult> tree) {
          if (!tree) {
            rc = fail(tree.error().describe());
          } else {
            if (args.json) {
              printJson(*tree, std::cout);
            } else {
              printText(*tree, *session, std::cout);
            }
            rc = kExitOk;
          }
          session->closeSession([](Status) {});
        });
      });
    });
  });
  io.run();
  return rc;
}

}  // namespace

Command addOpcuaCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("opcua", "OPC UA tools: browse a server's address space");
  cmd->require_subcommand(1);
  auto* browse = cmd->add_subcommand(
      "browse",
      "print an OPC UA server's nodes as a tree, with each variable's value and data type and "
      "each node's id as an adapter script names it (nsu=<namespace URI>;...)");
  auto args = std::make_shared<BrowseArgs>();
  browse->add_option("endpoint", args->endpoint, "opc.tcp://host[:port][/path]")->required();
  browse
      ->add_option("--node", args->node,
                   "where to start: a node id (i=85, ns=2;s=Channel1, nsu=<uri>;s=...)")
      ->capture_default_str();
  browse->add_option("--depth", args->depth, "levels below the start node")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  browse->add_option("--max-nodes", args->maxNodes, "stop after this many nodes")
      ->capture_default_str();
  browse->add_flag("--no-values", args->noValues, "do not read the variables' values");
  browse
      ->add_option("--policy", args->policy,
                   "security policy: best (the most secure offered), None, Basic256Sha256, "
                   "Aes128_Sha256_RsaOaep or Aes256_Sha256_RsaPss")
      ->capture_default_str();
  browse->add_option("--mode", args->mode, "security mode: none, sign or sign_and_encrypt")
      ->capture_default_str();
  browse->add_option("--user", args->user, "user name (anonymous when absent)");
  browse->add_option("--password-file", args->passwordFile,
                     "file whose first line is the password (never given on the command line)");
  browse
      ->add_option("--pki", args->pki,
                   "certificate folder: own/ (Spindle's, made on first use), trusted/, "
                   "rejected/ (a refused server certificate lands there)")
      ->capture_default_str();
  browse->add_flag("--trust-on-first-use", args->trustOnFirstUse,
                   "trust the server's certificate the first time (recorded in "
                   "trusted/trust-on-first-use.log); for commissioning");
  browse->add_flag("--json", args->json, "print JSON");
  browse->add_option("--timeout", args->timeout, "connect and request timeout")
      ->capture_default_str();
  return Command{cmd, [args](const CommandContext&) { return runBrowse(*args); }};
}

}  // namespace spindle::cli
