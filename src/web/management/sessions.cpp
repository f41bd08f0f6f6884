#include "web/management/sessions.hpp"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/base64.hpp"

namespace spindle::web::management {
namespace {

constexpr std::size_t kTokenBytes = 32;

// 32 random bytes as base64url without padding: safe in a cookie and a header as they are.
std::optional<std::string> randomToken() {
  std::array<unsigned char, kTokenBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return std::nullopt;
  std::string text =
      base64Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  text.erase(text.find_last_not_of('=') + 1);
  return text;
}

// The map key for a token. A lookup by hash also means an attacker timing the map learns
// nothing useful about the real tokens.
std::optional<std::string> tokenHash(std::string_view token) {
  std::string digest(EVP_MAX_MD_SIZE, '\0');
  unsigned int length = 0;
  if (EVP_Digest(token.data(), token.size(), reinterpret_cast<unsigned char*>(digest.data()),
                 &length, EVP_sha256(), nullptr) != 1) {
    return std::nullopt;
  }
  digest.resize(length);
  return digest;
}

}  // namespace

const char* toString(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

SessionStore::SessionStore(SessionOptions options) : m_options(options) {
  m_options.maxSessions = std::max<std::size_t>(m_options.maxSessions, 1);
}

bool SessionStore::expired(const Session& session, TimestampNs now) const {
  return now - session.lastUsedNs >= m_options.idleTimeoutNs ||
         now - session.createdNs >= m_options.absoluteTimeoutNs;
}

void SessionStore::erase(std::unordered_map<std::string, Entry>::iterator it) {
  m_lru.erase(it->second.lru);
  m_sessions.erase(it);
}

Result<NewSession> SessionStore::create(std::string_view user, Role role, TimestampNs now) {
  if (user.empty()) return Error(ErrorCode::kInvalidArgument, "a session needs a user name");
  auto token = randomToken();
  auto csrf = randomToken();
  if (!token || !csrf) return Error(ErrorCode::kInternal, "drawing a session token");
  auto key = tokenHash(*token);
  if (!key) return Error(ErrorCode::kInternal, "hashing a session token");

  std::lock_guard lock(m_mutex);
  for (auto it = m_sessions.begin(); it != m_sessions.end();) {
    auto next = std::next(it);
    if (expired(it->second.session, now)) erase(it);
    it = next;
  }
  while (m_sessions.size() >= m_options.maxSessions) erase(m_sessions.find(m_lru.back()));

  m_lru.push_front(*key);
  Entry entry{Session{std::string(user), role, *csrf, now, now}, m_lru.begin()};
  m_sessions.emplace(std::move(*key), std::move(entry));
  return NewSession{std::move(*token), std::move(*csrf)};
}

std::optional<Session> SessionStore::find(std::string_view token, TimestampNs now) {
  auto key = tokenHash(token);
  if (!key) return std::nullopt;
  std::lock_guard lock(m_mutex);
  const auto it = m_sessions.find(*key);
  if (it == m_sessions.end()) return std::nullopt;
  if (expired(it->second.session, now)) {
    erase(it);
    return std::nullopt;
  }
  Session& session = it->second.session;
  session.lastUsedNs = std::max(session.lastUsedNs, now);
  m_lru.splice(m_lru.begin(), m_lru, it->second.lru);
  return session;
}

bool SessionStore::checkCsrf(const Session& session, std::string_view presented) {
  // The length is public (always 43); only the content must not leak through timing.
  return !session.csrfToken.empty() && presented.size() == session.csrfToken.size() &&
         CRYPTO_memcmp(presented.data(), session.csrfToken.data(), presented.size()) == 0;
}

bool SessionStore::remove(std::string_view token) {
  auto key = tokenHash(token);
  if (!key) return false;
  std::lock_guard lock(m_mutex);
  const auto it = m_sessions.find(*key);
  if (it == m_sessions.end()) return false;
  erase(it);
  return true;
}

std::size_t SessionStore::removeUser(std::string_view user) {
  std::lock_guard lock(m_mutex);
  std::size_t removed = 0;
  for (auto it = m_sessions.begin(); it != m_sessions.end();) {
    auto next = std::next(it);
    if (it->second.session.user == user) {
      erase(it);
      ++removed;
    }
    it = next;
  }
  return removed;
}

std::size_t SessionStore::size() const {
  std::lock_guard lock(m_mutex);
  return m_sessions.size();
}

}  // namespace spindle::web::management
