#include "web/management/login_throttle.hpp"

#include <algorithm>

namespace spindle::web::management {
namespace {

// Whole seconds still to wait, rounded up so "0 s" is never shown while locked.
std::string secondsLeft(TimestampNs until, TimestampNs now) {
  constexpr TimestampNs kSecond = LoginThrottleOptions::kSecondNs;
  return std::to_string((until - now + kSecond - 1) / kSecond) + " s";
}

void dropOlderThan(std::deque<TimestampNs>& times, TimestampNs cutoff) {
  while (!times.empty() && times.front() <= cutoff) times.pop_front();
}

}  // namespace

LoginThrottle::LoginThrottle(LoginThrottleOptions options) : m_options(options) {
  m_options.maxFailures = std::max<std::size_t>(m_options.maxFailures, 1);
  m_options.globalMaxFailures = std::max<std::size_t>(m_options.globalMaxFailures, 1);
  m_options.maxClients = std::max<std::size_t>(m_options.maxClients, 1);
}

Status LoginThrottle::check(std::string_view client, TimestampNs now) const {
  std::lock_guard lock(m_mutex);
  // The client's own lock first: it is usually the longer wait, and names the client.
  if (const auto it = m_clients.find(std::string(client));
      it != m_clients.end() && now < it->second.lockedUntilNs) {
    return Error(ErrorCode::kUnavailable, "too many failed logins from " + std::string(client) +
                                              ": try again in " +
                                              secondsLeft(it->second.lockedUntilNs, now));
  }
  if (now < m_globalLockedUntilNs) {
    return Error(ErrorCode::kUnavailable,
                 "too many failed logins on this edge from all addresses: every login is paused, "
                 "try again in " +
                     secondsLeft(m_globalLockedUntilNs, now));
  }
  return okStatus();
}

TimestampNs LoginThrottle::lockLength(unsigned locks) const {
  TimestampNs length = m_options.firstLockNs;
  for (unsigned i = 0; i < locks && length < m_options.maxLockNs; ++i) length *= 2;
  return std::min(length, m_options.maxLockNs);
}

LoginThrottle::Client& LoginThrottle::touch(std::string_view address) {
  std::string key(address);
  if (auto it = m_clients.find(key); it != m_clients.end()) {
    m_lru.splice(m_lru.begin(), m_lru, it->second.lru);
    return it->second;
  }
  if (m_clients.size() >= m_options.maxClients) {
    m_clients.erase(m_lru.back());
    m_lru.pop_back();
  }
  m_lru.push_front(key);
  Client& client = m_clients[std::move(key)];
  client.lru = m_lru.begin();
  return client;
}

void LoginThrottle::failed(std::string_view address, TimestampNs now) {
  std::lock_guard lock(m_mutex);

  dropOlderThan(m_globalFailures, now - m_options.globalWindowNs);
  m_globalFailures.push_back(now);
  if (m_globalFailures.size() >= m_options.globalMaxFailures) {
    m_globalLockedUntilNs = std::max(m_globalLockedUntilNs, now + m_options.globalLockNs);
    m_globalFailures.clear();
  }

  Client& client = touch(address);
  if (now < client.lockedUntilNs) return;
  if (client.locks > 0 && now - client.lastFailureNs >= m_options.forgetAfterNs) client.locks = 0;
  client.lastFailureNs = now;
  dropOlderThan(client.failures, now - m_options.failureWindowNs);
  client.failures.push_back(now);
  if (client.failures.size() >= m_options.maxFailures) {
    client.lockedUntilNs = now + lockLength(client.locks);
    ++client.locks;
    client.failures.clear();
  }
}

void LoginThrottle::succeeded(std::string_view address) {
  std::lock_guard lock(m_mutex);
  if (auto it = m_clients.find(std::string(address)); it != m_clients.end()) {
    m_lru.erase(it->second.lru);
    m_clients.erase(it);
  }
}

std::size_t LoginThrottle::trackedClients() const {
  std::lock_guard lock(m_mutex);
  return m_clients.size();
}

}  // namespace spindle::web::management
