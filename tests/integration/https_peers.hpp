#pragma once
// Peers for the HTTP client's integration tests: the TLS test server
// (https_test_server.py, Python's http.server + ssl) on a free 127.0.0.1 port, started by the
// test and stopped by PID, and the SHA-256 pin of a certificate's public key computed with the
// openssl CLI (independently of the client).

#include <optional>
#include <string>

#include "net/proxy.hpp"
#include "netcheck_peers.hpp"

namespace spindle::testing::https_peers {

using netcheck_peers::Peer;
using netcheck_peers::ScratchDir;

/// The test server with `cert`/`key`, answering by path (see the script's docstring).
inline std::optional<Peer> startHttpsServer(const std::string& python, const ScratchDir& dir,
                                            const std::string& cert, const std::string& key,
                                            const std::string& tag = "https") {
  Peer peer;
  peer.port = freePort();
  const std::string script =
      std::string(SPINDLE_SOURCE_DIR) + "/tests/integration/https_test_server.py";
  const std::string out = dir / (tag + ".out");
  peer.process = std::make_unique<Process>(
      std::vector<std::string>{python, script, std::to_string(peer.port), cert, key}, out,
      dir / (tag + ".err"));
  if (!eventually([&] { return readFile(out).find("ready") != std::string::npos; }) ||
      !eventually([&] { return netcheck_peers::tcpOpen(peer.port); })) {
    ADD_FAILURE() << "the HTTPS test server did not start: " << readFile(dir / (tag + ".err"));
    return std::nullopt;
  }
  return peer;
}

/// "sha256//BASE64" of the public key in certificate `pem` (curl's pin format), or "" after
/// a test failure.
inline std::string publicKeyPin(const std::string& openssl, const ScratchDir& dir,
                                const std::string& pem) {
  const std::string out = dir / "pin.txt";
  const std::string command = openssl + " x509 -in '" + pem + "' -pubkey -noout | " + openssl +
                              " pkey -pubin -outform der | " + openssl +
                              " dgst -sha256 -binary | base64 > '" + out + "'";
  if (netcheck_peers::runProgram({"/bin/sh", "-c", command}, dir / "pin") != 0) {
    ADD_FAILURE() << "computing the pin failed: " << readFile(dir / "pin.err");
    return "";
  }
  std::string pin = readFile(out);
  while (!pin.empty() && (pin.back() == '\n' || pin.back() == '\r')) pin.pop_back();
  return "sha256//" + pin;
}

/// Debian's tinyproxy on a free port, allowing CONNECT to `connectPort` only; with `basicAuth`
/// it wants the user "edge" with the password "s3cret".
inline std::optional<Peer> startTinyproxy(const std::string& program, const ScratchDir& dir,
                                          std::uint16_t connectPort, bool basicAuth) {
  Peer peer;
  peer.port = freePort();
  std::string conf =
      "Port " + std::to_string(peer.port) + "\nListen 127.0.0.1\nAllow 127.0.0.1\nConnectPort " +
      std::to_string(connectPort) + "\nLogLevel Connect\nMaxClients 20\nTimeout 10\nPidFile \"" +
      (dir / "tinyproxy.pid") + "\"\n";
  if (basicAuth) conf += "BasicAuth edge s3cret\n";
  const std::string file = dir.write("tinyproxy.conf", conf);
  peer.process = std::make_unique<Process>(std::vector<std::string>{program, "-d", "-c", file},
                                           dir / "tinyproxy.out", dir / "tinyproxy.err");
  if (!eventually([&] { return netcheck_peers::tcpOpen(peer.port); })) {
    ADD_FAILURE() << "tinyproxy did not start: " << readFile(dir / "tinyproxy.err");
    return std::nullopt;
  }
  return peer;
}

/// The edge's proxy settings for a proxy on 127.0.0.1.
inline net::ProxySettings proxyAt(std::uint16_t port, const std::string& user = "",
                                  const std::string& password = "") {
  net::ProxySettings p;
  p.host = "127.0.0.1";
  p.port = port;
  p.user = user;
  p.password = password;
  p.source = "configured";
  return p;
}

}  // namespace spindle::testing::https_peers
