#pragma once
/// FakeChannel: control/'s channel in memory, for tests of control/ without a server. It keeps
/// what was published, and lets the test send requests and key values as the cloud would.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "control/channel.hpp"

namespace spindle::control::testing {

class FakeChannel final : public Channel {
 public:
  std::string kind() const override { return "fake"; }
  bool connected() const override {
    std::lock_guard lock(m_mutex);
    return m_connected;
  }
  Status publish(const std::string& topic, std::string_view body) override {
    std::lock_guard lock(m_mutex);
    if (!m_connected) return Error(ErrorCode::kUnavailable, "fake channel down");
    m_published.emplace_back(topic, std::string(body));
    return okStatus();
  }
  Result<std::unique_ptr<ChannelHandle>> serve(const std::string& prefix,
                                               RequestHandler handler) override {
    std::lock_guard lock(m_mutex);
    m_services[prefix] = std::move(handler);
    return std::unique_ptr<ChannelHandle>(std::make_unique<Handle>(*this, "serve:" + prefix));
  }
  Result<std::unique_ptr<ChannelHandle>> watch(const std::string& bucket, const std::string& key,
                                               WatchHandlers handlers, Duration) override {
    std::lock_guard lock(m_mutex);
    m_watches[bucket + "/" + key] = std::move(handlers);
    return std::unique_ptr<ChannelHandle>(
        std::make_unique<Handle>(*this, "watch:" + bucket + "/" + key));
  }

  // The test's side.
  void setConnected(bool up) {
    std::lock_guard lock(m_mutex);
    m_connected = up;
  }
  std::vector<std::pair<std::string, std::string>> published() const {
    std::lock_guard lock(m_mutex);
    return m_published;
  }
  /// Sends a request as the cloud would; nullopt when nothing serves `prefix`.
  std::optional<std::string> request(const std::string& prefix, const std::string& name,
                                     const std::string& body) {
    RequestHandler h;
    {
      std::lock_guard lock(m_mutex);
      auto it = m_services.find(prefix);
      if (it == m_services.end()) return std::nullopt;
      h = it->second;
    }
    return h(name, body);
  }
  /// Puts a value of a watched key; false when nothing watches it.
  bool put(const std::string& bucket, const std::string& key, const std::string& value,
           std::uint64_t revision) {
    WatchHandlers h;
    {
      std::lock_guard lock(m_mutex);
      auto it = m_watches.find(bucket + "/" + key);
      if (it == m_watches.end()) return false;
      h = it->second;
    }
    if (h.value) h.value(value, revision);
    return true;
  }
  bool serving(const std::string& prefix) const {
    std::lock_guard lock(m_mutex);
    return m_services.count(prefix) != 0;
  }
  bool watching(const std::string& bucket, const std::string& key) const {
    std::lock_guard lock(m_mutex);
    return m_watches.count(bucket + "/" + key) != 0;
  }

 private:
  class Handle final : public ChannelHandle {
   public:
    Handle(FakeChannel& owner, std::string name) : m_owner(owner), m_name(std::move(name)) {}
    ~Handle() override { m_owner.drop(m_name); }

   private:
    FakeChannel& m_owner;
    std::string m_name;
  };

  void drop(const std::string& name) {
    std::lock_guard lock(m_mutex);
    if (name.rfind("serve:", 0) == 0) m_services.erase(name.substr(6));
    if (name.rfind("watch:", 0) == 0) m_watches.erase(name.substr(6));
  }

  mutable std::mutex m_mutex;
  bool m_connected = true;
  std::vector<std::pair<std::string, std::string>> m_published;
  std::map<std::string, RequestHandler> m_services;
  std::map<std::string, WatchHandlers> m_watches;
};

}  // namespace spindle::control::testing
