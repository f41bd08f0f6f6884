#pragma once
/// The management page's accounts (user, role, scrypt hash) in one file of the data directory,
/// and the one-time setup code that guards the first admin password.
///
/// File format (`<data_dir>/management-users`, mode 0600, rewritten atomically): one account
/// per line, `user role hash`, the hash as password_hash.hpp encodes it. Lines starting with
/// '#' are comments.

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"
#include "web/management/password_hash.hpp"
#include "web/management/sessions.hpp"

namespace spindle::web::management {

struct AccountInfo {
  std::string user;
  Role role = Role::kViewer;
};

/// Thread: every member may be called from any thread (one mutex inside). check() and set()
/// take about a sixth of a second of CPU (scrypt): call them off latency-critical threads.
class Accounts {
 public:
  /// `path` is the accounts file; `params` the cost of new hashes (tests use a lower cost).
  explicit Accounts(std::string path, ScryptParams params = {});

  /// Reads the file; a missing file means no accounts. kIo or kInvalidArgument naming the
  /// file and line when it cannot be read or a line is malformed (nothing is loaded then).
  Status load();
  bool empty() const;
  std::vector<AccountInfo> list() const;

  /// The role of `user` when `password` is theirs; nullopt when the user is unknown or the
  /// password wrong (an unknown user costs the same time as a wrong password).
  std::optional<Role> check(std::string_view user, std::string_view password) const;
  /// Creates the account or replaces its password and role, then saves. kInvalidArgument for
  /// a bad user name or password (userProblem/passwordProblem), or when the change would
  /// leave no admin; kIo when the file cannot be written (nothing changes then).
  Status set(const std::string& user, Role role, std::string_view password);
  /// Removes an account and saves. kNotFound; kInvalidArgument for the last admin.
  Status remove(const std::string& user);

  /// Why `user` is not an acceptable name ("" when it is): 1 to 64 of A-Z a-z 0-9 . _ -
  static std::string userProblem(std::string_view user);

 private:
  struct Entry {
    std::string user;
    Role role;
    std::string hash;
  };
  Status saveLocked(const std::vector<Entry>& entries) const;

  std::string m_path;
  ScryptParams m_params;
  mutable std::mutex m_mutex;
  std::vector<Entry> m_entries;
  std::string m_dummyHash;  ///< verified against for unknown users (equal cost)
};

/// The setup code: made once (16 random bytes as 32 hex digits) into `path` with mode 0600 when the
/// file is missing; returns the code. kIo naming the file.
Result<std::string> ensureSetupCode(const std::string& path);
/// True when `presented` equals the code in `path` (constant time); false when there is none.
bool setupCodeMatches(const std::string& path, std::string_view presented);

}  // namespace spindle::web::management
