#include "web/management/accounts.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include "base/atomic_file.hpp"

namespace spindle::web::management {

namespace {

std::optional<Role> parseRole(std::string_view word) {
  if (word == "admin") return Role::kAdmin;
  if (word == "viewer") return Role::kViewer;
  return std::nullopt;
}

}  // namespace

Accounts::Accounts(std::string path, ScryptParams params)
    : m_path(std::move(path)), m_params(params) {
  // A line no password matches, at the cost of a real one: unknown users are checked against
  // it. Not scrypt's output, so a start does not pay 32 MiB (the edge's peak memory) for it.
  auto dummy = unmatchableHash(m_params);
  if (dummy) m_dummyHash = std::move(*dummy);
}

Status Accounts::load() {
  std::ifstream in(m_path);
  if (!in) {
    if (access(m_path.c_str(), F_OK) != 0) {
      std::lock_guard lock(m_mutex);
      m_entries.clear();
      return okStatus();
    }
    return Error(ErrorCode::kIo, "cannot read the accounts file " + m_path);
  }
  std::vector<Entry> entries;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream words(line);
    std::string user, role, hash, extra;
    words >> user >> role >> hash;
    const auto parsed = parseRole(role);
    if (hash.empty() || (words >> extra) || !parsed || !userProblem(user).empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   m_path + ":" + std::to_string(number) +
                       ": not an account line ('user admin|viewer hash')");
    }
    entries.push_back({user, *parsed, hash});
  }
  std::lock_guard lock(m_mutex);
  m_entries = std::move(entries);
  return okStatus();
}

bool Accounts::empty() const {
  std::lock_guard lock(m_mutex);
  return m_entries.empty();
}

std::vector<AccountInfo> Accounts::list() const {
  std::lock_guard lock(m_mutex);
  std::vector<AccountInfo> out;
  for (const auto& e : m_entries) out.push_back({e.user, e.role});
  return out;
}

std::optional<Role> Accounts::check(std::string_view user, std::string_view password) const {
  std::string hash = m_dummyHash;
  std::optional<Role> role;
  {
    std::lock_guard lock(m_mutex);
    for (const auto& e : m_entries) {
      if (e.user == user) {
        hash = e.hash;
        role = e.role;
      }
    }
  }
  const auto ok = verifyPassword(password, hash);  // outside the lock: it is slow
  if (!ok || !ok.value()) return std::nullopt;
  return role;
}

Status Accounts::set(const std::string& user, Role role, std::string_view password) {
  if (auto problem = userProblem(user); !problem.empty()) {
    return Error(ErrorCode::kInvalidArgument, problem);
  }
  if (auto problem = passwordProblem(password); !problem.empty()) {
    return Error(ErrorCode::kInvalidArgument, problem);
  }
  auto hash = hashPassword(password, m_params);
  if (!hash) return std::move(hash).error();
  std::lock_guard lock(m_mutex);
  auto next = m_entries;
  auto it = std::find_if(next.begin(), next.end(), [&](const Entry& e) { return e.user == user; });
  if (it == next.end()) {
    next.push_back({user, role, std::move(*hash)});
  } else {
    it->role = role;
    it->hash = std::move(*hash);
  }
  if (std::none_of(next.begin(), next.end(),
                   [](const Entry& e) { return e.role == Role::kAdmin; })) {
    return Error(ErrorCode::kInvalidArgument, "the edge needs at least one admin account");
  }
  if (auto saved = saveLocked(next); !saved) return saved;
  m_entries = std::move(next);
  return okStatus();
}

Status Accounts::remove(const std::string& user) {
  std::lock_guard lock(m_mutex);
  auto next = m_entries;
  const auto before = next.size();
  std::erase_if(next, [&](const Entry& e) { return e.user == user; });
  if (next.size() == before) return Error(ErrorCode::kNotFound, "no account '" + user + "'");
  if (std::none_of(next.begin(), next.end(),
                   [](const Entry& e) { return e.role == Role::kAdmin; })) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + user + "' is the last admin: the edge needs at least one");
  }
  if (auto saved = saveLocked(next); !saved) return saved;
  m_entries = std::move(next);
  return okStatus();
}

Status Accounts::saveLocked(const std::vector<Entry>& entries) const {
  std::string text = "# Spindle management page accounts: user role scrypt-hash\n";
  for (const auto& e : entries) text += e.user + " " + toString(e.role) + " " + e.hash + "\n";
  return writeFileAtomically(m_path, text, 0600);
}

std::string Accounts::userProblem(std::string_view user) {
  if (user.empty() || user.size() > 64) return "a user name has 1 to 64 characters";
  for (const char c : user) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return "a user name has only letters, digits, '.', '_' and '-'";
    }
  }
  return "";
}

Result<std::string> ensureSetupCode(const std::string& path) {
  {
    std::ifstream in(path);
    std::string code;
    if (in && std::getline(in, code) && !code.empty()) return code;
  }
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) {
    return Error(ErrorCode::kInternal, "no random bytes for the setup code");
  }
  // Hex: easy to read aloud and to type from a terminal.
  std::string code;
  for (const unsigned char b : random) {
    constexpr const char* kHex = "0123456789abcdef";
    code += kHex[b >> 4];
    code += kHex[b & 15];
  }
  if (auto written = writeFileAtomically(path, code + "\n", 0600); !written) {
    return std::move(written).error().with("writing the setup code");
  }
  return code;
}

bool setupCodeMatches(const std::string& path, std::string_view presented) {
  std::ifstream in(path);
  std::string code;
  if (!in || !std::getline(in, code) || code.empty() || presented.size() != code.size()) {
    return false;
  }
  return CRYPTO_memcmp(code.data(), presented.data(), code.size()) == 0;
}

}  // namespace spindle::web::management
