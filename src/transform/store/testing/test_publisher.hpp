#pragma once
// Test support: a publisher of an adapter store with its own Ed25519 key, writing a store
// folder (index.json and scripts) the way `spindle store sign-index` lays it out. For unit and
// integration tests; header-only.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include <unistd.h>

#include "transform/store/store_index.hpp"
#include "update/signing.hpp"

namespace spindle::transform::store::testing {

/// A folder of its own for one test, removed afterwards.
class TempDir {
 public:
  explicit TempDir(const std::string& tag)
      : m_path(std::filesystem::temp_directory_path() /
               ("spindle_store_" + tag + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
  }
  ~TempDir() { std::filesystem::remove_all(m_path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (m_path / name).string(); }
  std::string path() const { return m_path.string(); }

 private:
  std::filesystem::path m_path;
};

/// A script that compiles and names its version in its one data item ("v3_load"), so a test
/// can tell from the compiled script which version a machine runs.
inline std::string versionedScript(const std::string& tag) {
  return "version: 2\nkeys: [Sload]\ndata-items:\n  - " + tag + "_load: Sload\n";
}

class TestPublisher {
 public:
  /// Makes a key pair; the private key is written to `keyDir`/<name>.pem.
  explicit TestPublisher(const std::string& keyDir, const std::string& name = "store")
      : m_pair(update::generateKeyPair()),
        m_keyPath((std::filesystem::path(keyDir) / (name + ".pem")).string()) {
    std::filesystem::create_directories(keyDir);
    std::ofstream(m_keyPath) << m_pair.privatePem;
  }

  const update::PublicKey& key() const { return m_pair.publicKey; }
  /// The key as adapter_store.keys takes it (base64 of the raw 32 bytes).
  std::string keyText() const { return update::base64Encode(m_pair.publicKey.raw); }
  const std::string& privateKeyPath() const { return m_keyPath; }

  /// The signed envelope of `indexBytes`.
  std::string sign(const std::string& indexBytes) const {
    auto privateKey = update::PrivateKey::load(m_keyPath);
    SignedIndex envelope{indexBytes, {}};
    envelope.signatures.push_back({m_pair.publicKey.id, privateKey->sign(indexBytes).value()});
    return signedIndexJson(envelope);
  }

  /// Index bytes for `scripts` (name -> version -> text), each at "<name>/<version>.yaml".
  static std::string index(const std::map<std::string, std::map<std::string, std::string>>& scripts,
                           const std::string& published = "") {
    StoreIndex idx;
    idx.published = published;
    for (const auto& [name, versions] : scripts) {
      for (const auto& [version, text] : versions) {
        update::Sha256 h;
        h.update(text.data(), text.size());
        idx.scripts[name][StoreVersion::parse(version).value()] =
            IndexEntry{name + "/" + version + ".yaml", h.hex(), text.size()};
      }
    }
    return indexJson(idx);
  }

  /// Writes `scripts` and their signed index.json into `dir` (a store's folder).
  void publish(const std::string& dir,
               const std::map<std::string, std::map<std::string, std::string>>& scripts,
               const std::string& published = "") const {
    namespace fs = std::filesystem;
    for (const auto& [name, versions] : scripts) {
      for (const auto& [version, text] : versions) {
        fs::create_directories(fs::path(dir) / name);
        std::ofstream(fs::path(dir) / name / (version + ".yaml"), std::ios::binary) << text;
      }
    }
    std::ofstream(fs::path(dir) / "index.json", std::ios::binary)
        << sign(index(scripts, published));
  }

 private:
  update::KeyPair m_pair;
  std::string m_keyPath;
};

}  // namespace spindle::transform::store::testing
