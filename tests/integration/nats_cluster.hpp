#pragma once
/// Test harness for a clustered hub: three nats-server processes forming one JetStream cluster
/// on 127.0.0.1 (free client, route and monitoring ports per node, a store per node), stopped
/// by PID; per-node stop, kill -9, freeze and restart with the same ports and store; who leads
/// a stream and whether its replicas are current. NatsHub is the tests' hub: one server, or
/// the cluster when SPINDLE_NATS_CLUSTER=1. Header-only; used by nats_*_test.cpp and the bench.

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/time.h>

#include "nats_harness.hpp"

namespace spindle::testing {

/// SPINDLE_NATS_CLUSTER=1: the NATS tests' hub is a 3-node cluster with R3 streams.
inline bool natsClusterFlag() {
  const char* v = std::getenv("SPINDLE_NATS_CLUSTER");
  return v != nullptr && std::string(v) == "1";
}

/// The body of `GET path` from 127.0.0.1:port (HTTP/1.0), "" when it does not answer in time.
inline std::string httpGet(std::uint16_t port, const std::string& path,
                           std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      char buf[65536];
      for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, n);
    }
  }
  ::close(fd);
  const auto body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

/// CPU time (user + system) a process has used, in seconds; -1 when it is gone.
inline double cpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));  // from field 3 (state) on
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  unsigned long long user = 0, system = 0;
  fields >> user >> system;
  return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// A stream as its leader reports it.
struct StreamHealth {
  std::string leader;  ///< server_name of the leader; "" when there is none
  int replicas = 0;    ///< peers besides the leader
  int current = 0;     ///< of those, caught up and online
  std::uint64_t messages = 0;
  /// A leader, and every one of `size` copies caught up.
  bool complete(int size) const {
    return !leader.empty() && replicas == size - 1 && current == replicas;
  }
};

/// Three (or `size`) nats-server processes with JetStream, routed to each other.
class NatsCluster {
 public:
  /// `base` is every node's configuration (domain, leaf listener, extra text); its name
  /// prefixes the nodes' names ("hub-1", "hub-2", ...).
  NatsCluster(const fs::path& dir, NatsServerConfig base = {}, int size = 3) {
    std::vector<std::uint16_t> ports;  // client, route, monitoring: below the ephemeral range
    for (int i = 0; i < size; ++i) ports.push_back(freePortRange(3));
    std::vector<std::uint16_t> routes;
    for (auto p : ports) routes.push_back(static_cast<std::uint16_t>(p + 1));
    m_admin = base.extra.find("admin") != std::string::npos;
    for (int i = 0; i < size; ++i) {
      NatsServerConfig c = base;
      c.name = base.name + "-" + std::to_string(i + 1);
      c.port = ports[i];
      c.clusterName = base.name;
      c.clusterPort = routes[i];
      c.monitorPort = static_cast<std::uint16_t>(ports[i] + 2);
      c.routes = routes;
      m_nodes.push_back(std::make_unique<NatsServer>(dir, c));
    }
  }

  /// Starts every node that is not running and waits until each answers JetStream requests
  /// (a meta leader exists) and every stream has a leader.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(40)) {
    for (auto& n : m_nodes) {
      if (!n->running()) n->launch();
    }
    for (auto& n : m_nodes) {
      if (!n->ready(timeout)) return false;
    }
    return eventually(
        [&] {
          if (!metaComplete()) return false;
          const auto names = streamNames();
          if (!names) return false;
          for (const auto& s : *names) {
            if (streamHealth(s).value_or(StreamHealth{}).leader.empty()) return false;
          }
          return true;
        },
        timeout);
  }
  /// SIGTERM to every node at once, then waits for each.
  void stop() {
    signalAll(SIGCONT);
    signalAll(SIGTERM);
    for (auto& n : m_nodes) n->stop();
  }
  /// SIGKILL to every node at once (no client moves to a node about to die), then reaps.
  void kill9() {
    signalAll(SIGKILL);
    for (auto& n : m_nodes) n->kill9();
  }
  void pause() {
    for (auto& n : m_nodes) n->pause();
  }
  void resume() {
    for (auto& n : m_nodes) n->resume();
  }
  bool running() const {
    return std::any_of(m_nodes.begin(), m_nodes.end(), [](auto& n) { return n->running(); });
  }

  int size() const { return static_cast<int>(m_nodes.size()); }
  NatsServer& node(int i) { return *m_nodes.at(i); }
  const NatsServer& node(int i) const { return *m_nodes.at(i); }
  /// The node named `name` ("hub-2"); -1 for none.
  int indexOf(const std::string& name) const {
    for (int i = 0; i < size(); ++i) {
      if (m_nodes[i]->name() == name) return i;
    }
    return -1;
  }
  std::vector<std::string> urls() const {
    std::vector<std::string> out;
    for (const auto& n : m_nodes) out.push_back(n->url());
    return out;
  }
  /// Every node's URL, comma-separated (cnats and a YAML flow list both take it).
  std::string url() const {
    std::string out;
    for (const auto& u : urls()) out += (out.empty() ? "" : ",") + u;
    return out;
  }
  std::string log() const {
    std::string out;
    for (const auto& n : m_nodes) {
      const std::string l = n->log();
      out += "--- " + n->name() + " (last 3000 bytes)\n" +
             l.substr(l.size() > 3000 ? l.size() - 3000 : 0) + "\n";
    }
    return out;
  }

  /// The meta leader (from /jsz) sees every other node current: streams can be placed.
  bool metaComplete() {
    for (auto& n : m_nodes) {
      if (!n->answering()) continue;
      const auto jsz = nlohmann::json::parse(httpGet(n->monitorPort(), "/jsz"), nullptr, false);
      if (!jsz.is_object() || !jsz["meta_cluster"].is_object()) continue;
      const auto& meta = jsz["meta_cluster"];
      if (meta.value("leader", "") != n->name() || !meta["replicas"].is_array()) continue;
      int current = 0;
      for (const auto& r : meta["replicas"]) current += r.value("current", false);
      return current == size() - 1;
    }
    return false;
  }

  /// The stream as its leader reports it, asked through the first node that answers;
  /// nullopt when none does.
  std::optional<StreamHealth> streamHealth(const std::string& stream) {
    std::optional<StreamHealth> out;
    ask([&](jsCtx* js) {
      jsStreamInfo* si = nullptr;
      jsErrCode jerr = static_cast<jsErrCode>(0);
      if (js_GetStreamInfo(&si, js, stream.c_str(), nullptr, &jerr) != NATS_OK) return false;
      StreamHealth h;
      h.messages = si->State.Msgs;
      if (si->Cluster != nullptr) {
        if (si->Cluster->Leader != nullptr) h.leader = si->Cluster->Leader;
        h.replicas = si->Cluster->ReplicasLen;
        for (int i = 0; i < si->Cluster->ReplicasLen; ++i) {
          const jsPeerInfo* p = si->Cluster->Replicas[i];
          h.current += p->Current && !p->Offline;
        }
      }
      jsStreamInfo_Destroy(si);
      out = h;
      return true;
    });
    return out;
  }
  /// The index of the stream's leader; -1 while it has none.
  int streamLeader(const std::string& stream) {
    const auto h = streamHealth(stream);
    return h ? indexOf(h->leader) : -1;
  }
  /// Waits until the stream has a leader and all its replicas are current.
  bool waitStreamComplete(const std::string& stream,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    return eventually(
        [&] { return streamHealth(stream).value_or(StreamHealth{}).complete(size()); }, timeout);
  }
  /// The node a client connection named `name` is connected to, from each node's /connz;
  /// -1 when no answering node has it.
  int nodeWithConnection(const std::string& name) {
    for (int i = 0; i < size(); ++i) {
      if (!m_nodes[i]->answering()) continue;
      const auto connz =
          nlohmann::json::parse(httpGet(m_nodes[i]->monitorPort(), "/connz"), nullptr, false);
      if (!connz.is_object() || !connz["connections"].is_array()) continue;
      for (const auto& c : connz["connections"]) {
        if (c.value("name", "") == name) return i;
      }
    }
    return -1;
  }

 private:
  void signalAll(int signal) {
    for (auto& n : m_nodes) {
      if (n->pid() > 0) ::kill(n->pid(), signal);
    }
  }

  std::optional<std::vector<std::string>> streamNames() {
    std::optional<std::vector<std::string>> out;
    ask([&](jsCtx* js) {
      jsStreamNamesList* list = nullptr;
      jsErrCode jerr = static_cast<jsErrCode>(0);
      const natsStatus s = js_StreamNames(&list, js, nullptr, &jerr);
      if (s != NATS_OK && s != NATS_NOT_FOUND) return false;
      out.emplace();
      for (int i = 0; list != nullptr && i < list->Count; ++i) out->push_back(list->List[i]);
      jsStreamNamesList_Destroy(list);
      return true;
    });
    return out;
  }

  /// Runs `f` with a JetStream context on a fresh connection to each answering node in turn
  /// until it returns true (a frozen node is skipped: it would hold the question).
  template <typename F>
  void ask(F&& f) {
    for (auto& n : m_nodes) {
      if (!n->answering()) continue;
      natsOptions* opts = nullptr;
      natsOptions_Create(&opts);
      natsOptions_SetURL(opts, n->url().c_str());
      natsOptions_SetTimeout(opts, 1000);
      natsOptions_SetMaxReconnect(opts, 0);
      if (m_admin) natsOptions_SetUserInfo(opts, "admin", "admin");
      natsConnection* nc = nullptr;
      const bool connected = natsConnection_Connect(&nc, opts) == NATS_OK;
      natsOptions_Destroy(opts);
      bool done = false;
      if (connected) {
        jsOptions jo;
        jsOptions_Init(&jo);
        jo.Wait = 2000;
        jsCtx* js = nullptr;
        if (natsConnection_JetStream(&js, nc, &jo) == NATS_OK) done = f(js);
        jsCtx_Destroy(js);
      }
      natsConnection_Destroy(nc);
      if (done) return;
    }
  }

  std::vector<std::unique_ptr<NatsServer>> m_nodes;
  bool m_admin = false;
};

/// The NATS tests' hub: one nats-server, or (SPINDLE_NATS_CLUSTER=1) a 3-node cluster whose
/// url() lists all three and whose streams tests create with replicas() copies. Stopping,
/// killing or freezing the hub does it to every node: "the hub is down" means all of it.
class NatsHub {
 public:
  NatsHub(const fs::path& dir, NatsServerConfig config, bool cluster = natsClusterFlag()) {
    if (cluster) {
      m_cluster = std::make_unique<NatsCluster>(dir, config);
    } else {
      m_server = std::make_unique<NatsServer>(dir, config);
    }
  }
  bool start() { return m_cluster ? m_cluster->start() : m_server->start(); }
  void stop() { m_cluster ? m_cluster->stop() : m_server->stop(); }
  void kill9() { m_cluster ? m_cluster->kill9() : m_server->kill9(); }
  void pause() { m_cluster ? m_cluster->pause() : m_server->pause(); }
  void resume() { m_cluster ? m_cluster->resume() : m_server->resume(); }
  /// NatsServer::reload on every node.
  void reload(const std::string& extra) {
    if (!m_cluster) return m_server->reload(extra);
    for (int i = 0; i < m_cluster->size(); ++i) m_cluster->node(i).reload(extra);
  }
  bool running() const { return m_cluster ? m_cluster->running() : m_server->running(); }
  /// One URL, or every node's comma-separated (splitUrls() for NatsOptions::servers).
  std::string url() const { return m_cluster ? m_cluster->url() : m_server->url(); }
  /// The client port (the first node's on a cluster).
  std::uint16_t port() const { return m_cluster ? m_cluster->node(0).port() : m_server->port(); }
  /// The leaf-node listener (the first node's on a cluster).
  std::uint16_t leafPort() const {
    return m_cluster ? m_cluster->node(0).leafPort() : m_server->leafPort();
  }
  std::string log() const { return m_cluster ? m_cluster->log() : m_server->log(); }
  /// Copies a stream should have: 3 on the cluster.
  int replicas() const { return m_cluster ? m_cluster->size() : 1; }
  NatsCluster* cluster() { return m_cluster.get(); }

 private:
  std::unique_ptr<NatsServer> m_server;
  std::unique_ptr<NatsCluster> m_cluster;
};

}  // namespace spindle::testing
