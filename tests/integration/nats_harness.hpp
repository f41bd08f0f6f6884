#pragma once
/// Test harness for the NATS parts: real nats-server processes (Debian's nats-server) on free
/// 127.0.0.1 ports, started and stopped by PID, plus a small cnats client for the hub side
/// (streams, stored messages, KV, requests). Header-only; used by nats_*_test.cpp.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nats/nats.h>

#include "process.hpp"
#include "uplinks/payload/payload_codec.hpp"

namespace spindle::testing {

namespace fs = std::filesystem;

inline std::string natsServerBinary() {
  for (const char* p : {"/usr/sbin/nats-server", "/usr/bin/nats-server"}) {
    if (fs::exists(p)) return p;
  }
  return "";
}

/// True when something accepts TCP connections on 127.0.0.1:port.
inline bool portOpen(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

struct NatsServerConfig {
  std::string name = "hub";
  std::string jsDomain;               ///< JetStream domain ("hub", "leaf"); empty for none
  bool leafListener = false;          ///< accept leaf-node connections (the hub)
  std::uint16_t leafRemotePort = 0;   ///< connect as a leaf node to 127.0.0.1:port (the edge)
  std::string leafRemoteUser;         ///< "user:password" for the leaf-node link, or empty
  std::string leafAuthorization;      ///< text inside the hub's leafnodes { } block
  std::string extra;                  ///< more configuration text (accounts, users, limits)
  std::uint16_t port = 0;             ///< client port; 0: a free one
  std::uint16_t monitorPort = 0;      ///< HTTP monitoring (/jsz, /connz); 0: none
  std::string clusterName;            ///< joins this cluster (with clusterPort and routes); "" none
  std::uint16_t clusterPort = 0;      ///< route listener on 127.0.0.1
  std::vector<std::uint16_t> routes;  ///< route ports of every node of the cluster
};

/// The URLs of a comma-separated list ("nats://a,nats://b"), as NatsOptions::servers wants
/// them; the tests' hub URL is such a list when the hub is a cluster (nats_cluster.hpp).
inline std::vector<std::string> splitUrls(const std::string& urls) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= urls.size()) {
    const std::size_t comma = std::min(urls.find(',', from), urls.size());
    if (comma > from) out.push_back(urls.substr(from, comma - from));
    from = comma + 1;
  }
  return out;
}

/// One nats-server with JetStream. Ports and the store directory are kept across stop() and
/// start(), so a restarted server is the same server with the same stored data.
class NatsServer {
 public:
  NatsServer(const fs::path& dir, NatsServerConfig config)
      : m_dir(dir / config.name), m_config(std::move(config)) {
    fs::create_directories(m_dir / "store");
    m_port = m_config.port != 0 ? m_config.port : freePort();
    if (m_config.leafListener) m_leafPort = freePort();
  }
  ~NatsServer() { kill9(); }

  /// Starts the process and waits until clients can connect and JetStream answers.
  bool start(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    launch();
    return ready(timeout);
  }
  /// Starts the process without waiting (a cluster node answers only once a quorum is up).
  void launch() {
    writeConfig();
    m_paused = false;
    m_process = std::make_unique<Process>(
        std::vector<std::string>{natsServerBinary(), "-c", (m_dir / "nats.conf").string()},
        (m_dir / "out.log").string(), (m_dir / "err.log").string());
  }
  /// Waits until clients can connect and JetStream answers.
  bool ready(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return eventually([&] { return portOpen(m_port) && jetStreamReady(); }, timeout);
  }
  /// SIGTERM and wait (JetStream flushes its store).
  void stop() {
    resume();
    if (m_process) m_process->kill(SIGTERM);
    m_process.reset();
  }
  void kill9() {
    if (m_process) m_process->kill(SIGKILL);
    m_process.reset();
    m_paused = false;
  }
  /// Freezes the process (SIGSTOP): connections stay open, nothing is answered.
  void pause() {
    if (m_process && m_process->pid() > 0) ::kill(m_process->pid(), SIGSTOP);
    m_paused = running();
  }
  void resume() {
    if (m_process && m_process->pid() > 0) ::kill(m_process->pid(), SIGCONT);
    m_paused = false;
  }
  /// Rewrites the configuration with `extra` in place of the old extra text and has the
  /// running server read it again (SIGHUP): users added or removed take effect at once, and
  /// clients no longer authorized are disconnected.
  void reload(const std::string& extra) {
    m_config.extra = extra;
    writeConfig();
    if (m_process && m_process->pid() > 0) ::kill(m_process->pid(), SIGHUP);
  }
  bool running() const { return m_process != nullptr; }
  /// Running and not frozen: it answers.
  bool answering() const { return running() && !m_paused; }
  pid_t pid() const { return m_process ? m_process->pid() : -1; }

  std::uint16_t port() const { return m_port; }
  std::uint16_t leafPort() const { return m_leafPort; }
  std::uint16_t monitorPort() const { return m_config.monitorPort; }
  const std::string& name() const { return m_config.name; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(m_port); }
  std::string log() const { return readFile((m_dir / "err.log").string()); }
  const fs::path& dir() const { return m_dir; }

 private:
  bool jetStreamReady() {
    natsOptions* opts = nullptr;
    natsOptions_Create(&opts);
    natsOptions_SetURL(opts, url().c_str());
    natsOptions_SetTimeout(opts, 500);
    natsOptions_SetMaxReconnect(opts, 0);
    if (!m_config.extra.empty() && m_config.extra.find("admin") != std::string::npos) {
      natsOptions_SetUserInfo(opts, "admin", "admin");
    }
    natsConnection* nc = nullptr;
    bool ok = natsConnection_Connect(&nc, opts) == NATS_OK;
    natsOptions_Destroy(opts);
    if (ok) {
      jsCtx* js = nullptr;
      jsAccountInfo* info = nullptr;
      ok = natsConnection_JetStream(&js, nc, nullptr) == NATS_OK &&
           js_GetAccountInfo(&info, js, nullptr, nullptr) == NATS_OK;
      jsAccountInfo_Destroy(info);
      jsCtx_Destroy(js);
      if (ok && m_config.leafRemotePort != 0) {
        // The edge is ready once its leaf-node link to the hub is up.
        ok = log().find("Leafnode connection created") != std::string::npos;
      }
    }
    natsConnection_Destroy(nc);
    return ok;
  }

  void writeConfig() {
    std::ofstream out(m_dir / "nats.conf");
    out << "server_name: " << m_config.name << "\n";
    out << "listen: 127.0.0.1:" << m_port << "\n";
    out << "jetstream { store_dir: \"" << (m_dir / "store").string() << "\"";
    if (!m_config.jsDomain.empty()) out << ", domain: " << m_config.jsDomain;
    out << " }\n";
    if (m_config.monitorPort != 0) out << "http: 127.0.0.1:" << m_config.monitorPort << "\n";
    if (!m_config.clusterName.empty()) {
      out << "cluster { name: " << m_config.clusterName
          << ", listen: 127.0.0.1:" << m_config.clusterPort << ", routes: [";
      for (std::size_t i = 0; i < m_config.routes.size(); ++i) {
        out << (i ? ", " : "") << "nats-route://127.0.0.1:" << m_config.routes[i];
      }
      out << "] }\n";
    }
    if (m_config.leafListener) {
      out << "leafnodes { listen: 127.0.0.1:" << m_leafPort << "\n"
          << m_config.leafAuthorization << "\n}\n";
    }
    if (m_config.leafRemotePort != 0) {
      const std::string auth = m_config.leafRemoteUser.empty() ? "" : m_config.leafRemoteUser + "@";
      out << "leafnodes { remotes: [ { url: \"nats-leaf://" << auth
          << "127.0.0.1:" << m_config.leafRemotePort << "\" } ], reconnect: 1 }\n";
    }
    out << m_config.extra << "\n";
  }

  fs::path m_dir;
  NatsServerConfig m_config;
  std::uint16_t m_port = 0;
  std::uint16_t m_leafPort = 0;
  std::unique_ptr<Process> m_process;
  bool m_paused = false;
};

/// What the hub's stream holds, decoded.
struct StoredData {
  std::uint64_t messages = 0;
  std::vector<std::uint64_t> sequences;  ///< every observation's journal sequence, as stored
  std::map<std::string, std::uint64_t> machines;                ///< observations per machine
  std::map<std::string, std::vector<std::uint64_t>> byMachine;  ///< sequences, as stored
  std::set<std::uint64_t> journals;                             ///< Spindle-Journal ids seen
  std::set<std::string> subjects;
  std::uint64_t compressed = 0;  ///< messages with Spindle-Encoding: zstd
  std::string error;             ///< a message that did not decode

  /// Sequences seen more than once.
  std::vector<std::uint64_t> duplicates() const {
    std::vector<std::uint64_t> s = sequences, d;
    std::sort(s.begin(), s.end());
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (s[i] == s[i - 1] && (d.empty() || d.back() != s[i])) d.push_back(s[i]);
    }
    return d;
  }
  /// Sequences of [first, last] not seen.
  std::vector<std::uint64_t> missing(std::uint64_t first, std::uint64_t last) const {
    std::set<std::uint64_t> seen(sequences.begin(), sequences.end());
    std::vector<std::uint64_t> out;
    for (std::uint64_t s = first; s <= last; ++s) {
      if (!seen.count(s)) out.push_back(s);
    }
    return out;
  }
};

/// A plain cnats client for the test side.
class NatsClient {
 public:
  explicit NatsClient(const std::string& url, const std::string& jsDomain = "",
                      const std::string& user = "", const std::string& password = "",
                      const std::string& inboxPrefix = "") {
    natsOptions* opts = nullptr;
    natsOptions_Create(&opts);
    const auto urls = splitUrls(url);  // several for a cluster
    std::vector<const char*> servers;
    for (const auto& u : urls) servers.push_back(u.c_str());
    natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
    if (!inboxPrefix.empty()) natsOptions_SetCustomInboxPrefix(opts, inboxPrefix.c_str());
    natsOptions_SetMaxReconnect(opts, -1);
    natsOptions_SetReconnectWait(opts, 100);
    if (!user.empty()) natsOptions_SetUserInfo(opts, user.c_str(), password.c_str());
    m_status = natsConnection_Connect(&m_nc, opts);
    natsOptions_Destroy(opts);
    jsOptions jo;
    jsOptions_Init(&jo);
    if (!jsDomain.empty()) jo.Domain = jsDomain.c_str();
    if (m_status == NATS_OK) m_status = natsConnection_JetStream(&m_js, m_nc, &jo);
  }
  ~NatsClient() {
    jsCtx_Destroy(m_js);
    natsConnection_Destroy(m_nc);
  }
  bool ok() const { return m_status == NATS_OK; }
  natsConnection* nc() const { return m_nc; }
  jsCtx* js() const { return m_js; }

  /// Creates a file stream; `duplicates` is the deduplication window, `replicas` its copies
  /// (3 on a cluster).
  bool addStream(const std::string& name, const std::vector<std::string>& subjects,
                 std::chrono::seconds duplicates = std::chrono::seconds(600), int replicas = 1) {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = name.c_str();
    std::vector<const char*> subs;
    for (const auto& s : subjects) subs.push_back(s.c_str());
    cfg.Subjects = subs.data();
    cfg.SubjectsLen = static_cast<int>(subs.size());
    cfg.Storage = js_FileStorage;
    cfg.Replicas = replicas;
    cfg.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(duplicates).count();
    jsStreamInfo* si = nullptr;
    jsErrCode jerr = static_cast<jsErrCode>(0);
    const natsStatus s = js_AddStream(&si, m_js, &cfg, nullptr, &jerr);
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK) {
      std::fprintf(stderr, "adding stream %s: %s (JetStream error %d)\n", name.c_str(),
                   natsStatus_GetText(s), static_cast<int>(jerr));
    }
    return s == NATS_OK;
  }

  /// Messages in a stream; nullopt when it cannot be asked.
  std::optional<std::uint64_t> streamMessages(const std::string& name) {
    jsStreamInfo* si = nullptr;
    if (js_GetStreamInfo(&si, m_js, name.c_str(), nullptr, nullptr) != NATS_OK) return std::nullopt;
    const std::uint64_t n = si->State.Msgs;
    jsStreamInfo_Destroy(si);
    return n;
  }

  /// How many messages of the stream `filter` matches, as its leader counts them per subject.
  std::optional<std::uint64_t> filteredMessages(const std::string& name,
                                                const std::string& filter) {
    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Info.SubjectsFilter = filter.c_str();
    jsStreamInfo* si = nullptr;
    if (js_GetStreamInfo(&si, m_js, name.c_str(), &o, nullptr) != NATS_OK) return std::nullopt;
    std::optional<std::uint64_t> n;  // no list: none matched, or a hub that cannot say
    if (si->State.Subjects != nullptr) {
      n = 0;
      for (int i = 0; i < si->State.Subjects->Count; ++i) *n += si->State.Subjects->List[i].Msgs;
    }
    jsStreamInfo_Destroy(si);
    return n;
  }

  /// Reads every message of the stream that `filter` matches (an ordered consumer) and decodes
  /// the batches.
  StoredData readStream(const std::string& name, const std::string& filter) {
    StoredData out;
    auto total = streamMessages(name);
    if (!total) {
      out.error = "no stream " + name;
      return out;
    }
    // The count for the filter, when the hub gives it: the read ends when that many came. (A
    // cluster's consumer may report the last message early just after a recovery.)
    const auto matching = filteredMessages(name, filter);
    if (matching) total = *matching;
    natsSubscription* sub = nullptr;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = name.c_str();
    so.Ordered = true;
    if (js_SubscribeSync(&sub, m_js, filter.c_str(), nullptr, &so, nullptr) != NATS_OK) {
      out.error = "cannot subscribe to " + name;
      return out;
    }
    // With a filter the stream may hold more than the filter matches: the consumer says when
    // the last matching message has come (NumPending 0). A cluster's consumer can say so early
    // just after a recovery, so a short quiet spell must follow before the read ends.
    // An ordered consumer that stalls (a cluster just after a recovery, on a loaded machine)
    // recreates itself once it misses its heartbeats: a quiet spell of up to 20 s is waited
    // out before the read is called short.
    bool lastSeen = false;
    int quiet = 0;
    while (out.messages < *total) {
      if (matching) lastSeen = false;  // the count decides, not NumPending
      natsMsg* msg = nullptr;
      if (natsSubscription_NextMsg(&msg, sub, lastSeen ? 1000 : 5000) != NATS_OK) {
        if (!lastSeen && ++quiet < 4) continue;
        if (!lastSeen) {
          out.error = "timed out after " + std::to_string(out.messages) + " of " +
                      std::to_string(*total) + " messages";
        }
        break;
      }
      quiet = 0;
      ++out.messages;
      decodeInto(msg, out);
      jsMsgMetaData* meta = nullptr;
      lastSeen = natsMsg_GetMetaData(&meta, msg) == NATS_OK && meta->NumPending == 0;
      jsMsgMetaData_Destroy(meta);
      natsMsg_Destroy(msg);
    }
    natsSubscription_Destroy(sub);
    return out;
  }

  bool putKv(const std::string& bucket, const std::string& key, const std::string& value,
             std::uint64_t* revision = nullptr) {
    kvStore* kv = nullptr;
    if (js_KeyValue(&kv, m_js, bucket.c_str()) != NATS_OK) {
      kvConfig kc;
      kvConfig_Init(&kc);
      kc.Bucket = bucket.c_str();
      kc.History = 5;
      if (js_CreateKeyValue(&kv, m_js, &kc) != NATS_OK) return false;
    }
    std::uint64_t rev = 0;
    const bool ok = kvStore_PutString(&rev, kv, key.c_str(), value.c_str()) == NATS_OK;
    if (revision != nullptr) *revision = rev;
    kvStore_Destroy(kv);
    return ok;
  }

  /// Sends a request and returns the reply body; nullopt on timeout or no responder.
  std::optional<std::string> request(const std::string& subject, const std::string& body,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    natsMsg* reply = nullptr;
    if (natsConnection_Request(&reply, m_nc, subject.c_str(), body.data(),
                               static_cast<int>(body.size()), timeout.count()) != NATS_OK) {
      return std::nullopt;
    }
    std::string out(natsMsg_GetData(reply), natsMsg_GetDataLength(reply));
    natsMsg_Destroy(reply);
    return out;
  }

 private:
  static void decodeInto(natsMsg* msg, StoredData& out) {
    using namespace uplinks;
    out.subjects.insert(natsMsg_GetSubject(msg));
    const char* enc = nullptr;
    natsMsgHeader_Get(msg, kHeaderEncoding, &enc);
    auto encoding = parseEncoding(enc != nullptr ? enc : "");
    if (!encoding) {
      out.error = encoding.error().describe();
      return;
    }
    if (*encoding == Encoding::kZstd) ++out.compressed;
    auto raw =
        unpack(std::string_view(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)), *encoding);
    if (!raw) {
      out.error = raw.error().describe();
      return;
    }
    auto batch = decodeBatch(*raw);
    if (!batch) {
      out.error = batch.error().describe();
      return;
    }
    const char* id = nullptr;
    natsMsgHeader_Get(msg, kHeaderMsgId, &id);
    const char* journal = nullptr;
    natsMsgHeader_Get(msg, kHeaderJournal, &journal);
    const std::uint64_t journalId = journal ? std::strtoull(journal, nullptr, 16) : 0;
    if (id == nullptr || messageId(batch->edge, journalId, batch->firstSeq) != id) {
      out.error = "Nats-Msg-Id does not match the batch";
    }
    if (journalId != 0) out.journals.insert(journalId);
    out.machines[batch->machine] += batch->sequences.size();
    auto& mine = out.byMachine[batch->machine];
    mine.insert(mine.end(), batch->sequences.begin(), batch->sequences.end());
    out.sequences.insert(out.sequences.end(), batch->sequences.begin(), batch->sequences.end());
  }

  natsConnection* m_nc = nullptr;
  jsCtx* m_js = nullptr;
  natsStatus m_status = NATS_ERR;
};

}  // namespace spindle::testing
