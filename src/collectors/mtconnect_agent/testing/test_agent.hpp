#pragma once
/// Test support: a small scripted MTConnect agent on 127.0.0.1 (blocking sockets, one thread
/// per connection, header-only). It serves one device "dev" (uuid "dev-uuid") with the items
/// the test adds, answers /probe, /current and /sample (plain or streamed), and can restart
/// with a new instanceId, move its buffer on (OUT_OF_RANGE), drop its streams, answer errors
/// with HTTP 200 (1.x agents) or 400 (2.x agents), or refuse to stream (polling fallback).

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/testing/loopback_listener.hpp"

namespace spindle::collectors::mtconnect_agent::testing {

class TestAgent {
 public:
  struct Item {
    std::string id;
    std::string category;  ///< SAMPLE, EVENT or CONDITION
    std::string type;      ///< POSITION, EXECUTION, SYSTEM...
  };

  explicit TestAgent(std::vector<Item> items) : m_items(std::move(items)) {
    const auto listener = spindle::testing::listenOnLoopback(16);
    m_listen = listener.fd;
    m_port = listener.port;
    m_acceptor = std::thread([this] { acceptLoop(); });
  }

  ~TestAgent() {
    m_stopping = true;
    ::shutdown(m_listen, SHUT_RDWR);
    ::close(m_listen);
    dropConnections();
    m_acceptor.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(m_mutex);
      threads.swap(m_threads);
    }
    for (auto& t : threads) t.join();
  }

  std::uint16_t port() const { return m_port; }

  /// Adds an observation (value text, or a condition level element name for CONDITION items).
  void add(const std::string& id, const std::string& value) {
    std::lock_guard lock(m_mutex);
    m_log.push_back(Obs{m_next++, id, value});
    m_changed.notify_all();
  }

  /// The agent restarts: new instanceId, sequences from 1, empty buffer.
  void restart() {
    std::lock_guard lock(m_mutex);
    ++m_instance;
    m_log.clear();
    m_next = 1;
    m_first = 1;
    m_changed.notify_all();
  }

  /// Observations before `sequence` leave the buffer (a /sample from before answers OUT_OF_RANGE).
  void forgetBefore(std::uint64_t sequence) {
    std::lock_guard lock(m_mutex);
    m_first = sequence;
  }

  void dropConnections() {
    std::lock_guard lock(m_mutex);
    for (int fd : m_clients) ::shutdown(fd, SHUT_RDWR);
  }

  void setErrorStatus(int status) { m_errorStatus = status; }
  /// While not empty, /probe answers this document instead of the device model.
  void setProbeOverride(std::string doc) {
    std::lock_guard lock(m_mutex);
    m_probeOverride = std::move(doc);
  }
  void setStreaming(bool on) { m_streaming = on; }
  void setLegacyMultipart(bool on) { m_legacy = on; }

  std::uint64_t instanceId() const {
    std::lock_guard lock(m_mutex);
    return m_instance;
  }
  int requests(const std::string& prefix) const {
    std::lock_guard lock(m_mutex);
    int n = 0;
    for (const auto& t : m_targets) n += t.rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  }
  std::vector<std::string> targets() const {
    std::lock_guard lock(m_mutex);
    return m_targets;
  }

 private:
  struct Obs {
    std::uint64_t sequence;
    std::string id;
    std::string value;
  };

  void acceptLoop() {
    while (!m_stopping) {
      const int fd = ::accept(m_listen, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(m_mutex);
      m_clients.push_back(fd);
      m_threads.emplace_back([this, fd] { serve(fd); });
    }
  }

  static bool sendAll(int fd, const std::string& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  static std::string param(const std::string& target, const std::string& name) {
    const auto q = target.find('?');
    if (q == std::string::npos) return {};
    const std::string query = "&" + target.substr(q + 1);
    const auto at = query.find("&" + name + "=");
    if (at == std::string::npos) return {};
    const auto start = at + name.size() + 2;
    return query.substr(start, query.find('&', start) - start);
  }

  void serve(int fd) {
    std::string pending;
    char buf[4096];
    while (!m_stopping) {
      const auto end = pending.find("\r\n\r\n");
      if (end == std::string::npos) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        pending.append(buf, static_cast<size_t>(n));
        continue;
      }
      const std::string head = pending.substr(0, end);
      pending.erase(0, end + 4);
      const auto sp1 = head.find(' ');
      const std::string target = head.substr(sp1 + 1, head.find(' ', sp1 + 1) - sp1 - 1);
      {
        std::lock_guard lock(m_mutex);
        m_targets.push_back(target);
      }
      if (!answer(fd, target)) break;
    }
    std::lock_guard lock(m_mutex);
    ::close(fd);
    std::erase(m_clients, fd);
  }

  bool reply(int fd, int status, const std::string& body) {
    const std::string head =
        "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Bad Request") +
        "\r\nContent-Type: text/xml\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    return sendAll(fd, head + body);
  }

  std::string header(std::uint64_t nextSequence) const {
    const std::uint64_t last = m_next - 1;
    return "<Header creationTime=\"2024-05-01T12:00:00Z\" sender=\"test\" instanceId=\"" +
           std::to_string(m_instance) +
           "\" version=\"2.2.0.0\" bufferSize=\"1000\" "
           "firstSequence=\"" +
           std::to_string(m_first) + "\" lastSequence=\"" + std::to_string(last) +
           "\" nextSequence=\"" + std::to_string(nextSequence) + "\"/>";
  }

  std::string element(const Obs& o) const {
    std::string category = "EVENT", type = "EXECUTION";
    for (const auto& i : m_items) {
      if (i.id == o.id) {
        category = i.category;
        type = i.type;
      }
    }
    const std::string attrs = " dataItemId=\"" + o.id + "\" sequence=\"" +
                              std::to_string(o.sequence) +
                              "\" timestamp=\"2024-05-01T12:00:00.000001Z\"";
    if (category == "CONDITION") return "<" + o.value + attrs + " type=\"" + type + "\"/>";
    std::string name;
    bool up = true;
    for (char c : type) {
      if (c == '_') {
        up = true;
        continue;
      }
      name += up ? c : static_cast<char>(std::tolower(c));
      up = false;
    }
    return "<" + name + attrs + ">" + o.value + "</" + name + ">";
  }

  /// A streams document of the observations picked; `next` for its header.
  std::string streams(const std::vector<Obs>& picked, std::uint64_t next) const {
    std::string samples, events, conditions;
    for (const auto& o : picked) {
      std::string category = "EVENT";
      for (const auto& i : m_items)
        if (i.id == o.id) category = i.category;
      (category == "SAMPLE"      ? samples
       : category == "CONDITION" ? conditions
                                 : events) += element(o);
    }
    std::string body;
    if (!samples.empty()) body += "<Samples>" + samples + "</Samples>";
    if (!events.empty()) body += "<Events>" + events + "</Events>";
    if (!conditions.empty()) body += "<Condition>" + conditions + "</Condition>";
    return "<?xml version=\"1.0\"?><MTConnectStreams "
           "xmlns=\"urn:mtconnect.org:MTConnectStreams:2.2\">" +
           header(next) + "<Streams><DeviceStream name=\"dev\" uuid=\"dev-uuid\">" +
           (body.empty() ? ""
                         : "<ComponentStream component=\"Device\" componentId=\"d\">" + body +
                               "</ComponentStream>") +
           "</DeviceStream></Streams></MTConnectStreams>";
  }

  std::string error(const std::string& code, const std::string& text) const {
    return "<?xml version=\"1.0\"?><MTConnectError xmlns=\"urn:mtconnect.org:MTConnectError:2.2\">"
           "<Header creationTime=\"2024-05-01T12:00:00Z\" sender=\"test\" instanceId=\"" +
           std::to_string(m_instance) +
           "\" version=\"2.2.0.0\" bufferSize=\"1000\"/><Errors><Error errorCode=\"" + code +
           "\">" + text + "</Error></Errors></MTConnectError>";
  }

  /// Observations with sequence >= from, at most count; sets `next`. Caller holds the lock.
  std::vector<Obs> pick(std::uint64_t from, std::size_t count, std::uint64_t& next) const {
    std::vector<Obs> out;
    next = from;
    for (const auto& o : m_log) {
      if (o.sequence < from || o.sequence < m_first) continue;
      if (out.size() >= count) break;
      out.push_back(o);
      next = o.sequence + 1;
    }
    if (out.empty()) next = std::max(from, m_first);
    if (out.empty() && from < m_next) next = m_next;
    return out;
  }

  bool answer(int fd, const std::string& target) {
    const std::string path = target.substr(0, target.find('?'));
    std::unique_lock lock(m_mutex);
    if (path.ends_with("/probe") && !m_probeOverride.empty()) {
      const std::string doc = m_probeOverride;
      lock.unlock();
      return reply(fd, 200, doc);
    }
    if (path.ends_with("/probe")) {
      std::string items;
      for (const auto& i : m_items) {
        items += "<DataItem id=\"" + i.id + "\" name=\"" + i.id + "_name\" category=\"" +
                 i.category + "\" type=\"" + i.type + "\"/>";
      }
      const std::string doc =
          "<?xml version=\"1.0\"?><MTConnectDevices "
          "xmlns=\"urn:mtconnect.org:MTConnectDevices:2.2\">"
          "<Header creationTime=\"2024-05-01T12:00:00Z\" sender=\"test\" instanceId=\"" +
          std::to_string(m_instance) +
          "\" version=\"2.2.0.0\" bufferSize=\"1000\" assetBufferSize=\"8\" assetCount=\"0\"/>"
          "<Devices><Device id=\"d\" name=\"dev\" uuid=\"dev-uuid\"><DataItems>" +
          items + "</DataItems></Device></Devices></MTConnectDevices>";
      lock.unlock();
      return reply(fd, 200, doc);
    }
    if (path.ends_with("/current")) {
      std::map<std::string, Obs> latest;
      for (const auto& o : m_log) latest[o.id] = o;
      std::vector<Obs> picked;
      for (auto& [id, o] : latest) picked.push_back(o);
      const std::string doc = streams(picked, m_next);
      lock.unlock();
      return reply(fd, 200, doc);
    }
    if (!path.ends_with("/sample")) {
      const std::string doc = error("INVALID_URI", "no such path");
      lock.unlock();
      return reply(fd, m_errorStatus, doc);
    }
    std::uint64_t from = 0;
    const std::string f = param(target, "from");
    std::from_chars(f.data(), f.data() + f.size(), from);
    std::size_t count = 100;
    const std::string c = param(target, "count");
    std::from_chars(c.data(), c.data() + c.size(), count);
    if (from < m_first || from > m_next) {
      const std::string doc =
          error("OUT_OF_RANGE", "'from' must be greater than " + std::to_string(m_first));
      lock.unlock();
      return reply(fd, m_errorStatus, doc);
    }
    std::uint64_t next = 0;
    if (param(target, "interval").empty() || !m_streaming) {
      const auto picked = pick(from, count, next);
      const std::string doc = streams(picked, next);
      lock.unlock();
      return reply(fd, 200, doc);
    }
    const std::string boundary = "b0undary";
    const std::string type = m_legacy ? "multipart/x-mixed-replace" : "multipart/mixed";
    lock.unlock();
    if (!sendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: " + type + ";boundary=" + boundary +
                         "\r\nTransfer-Encoding: chunked\r\n\r\n")) {
      return false;
    }
    const std::uint64_t instance = instanceId();
    std::uint64_t position = from;
    while (!m_stopping) {
      lock.lock();
      m_changed.wait_for(lock, std::chrono::milliseconds(50));
      if (m_instance != instance) {
        lock.unlock();
        return false;  // a restarted agent closes old streams
      }
      if (position < m_first) {
        lock.unlock();
        return false;  // fell behind the buffer: 2.x agents drop the stream
      }
      const auto picked = pick(position, count, next);
      const std::string doc = streams(picked, next);
      lock.unlock();
      position = next;
      const std::string part = "--" + boundary + "\r\nContent-type: text/xml\r\nContent-length: " +
                               std::to_string(doc.size()) + "\r\n\r\n" + doc + "\r\n";
      // Each part goes over two chunks to exercise reassembly.
      const size_t half = part.size() / 2;
      if (!sendChunk(fd, part.substr(0, half)) || !sendChunk(fd, part.substr(half))) return false;
    }
    return false;
  }

  static bool sendChunk(int fd, const std::string& data) {
    char size[32];
    const int len = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return sendAll(fd, std::string(size, static_cast<size_t>(len)) + data + "\r\n");
  }

  std::vector<Item> m_items;
  int m_listen = -1;
  std::uint16_t m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::atomic<int> m_errorStatus{400};
  std::atomic<bool> m_streaming{true};
  std::atomic<bool> m_legacy{false};
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<Obs> m_log;
  std::string m_probeOverride;  ///< under m_mutex
  std::uint64_t m_instance = 1000;
  std::uint64_t m_next = 1;
  std::uint64_t m_first = 1;
  std::vector<int> m_clients;
  std::vector<std::string> m_targets;
  std::vector<std::thread> m_threads;
  std::thread m_acceptor;
};

}  // namespace spindle::collectors::mtconnect_agent::testing
