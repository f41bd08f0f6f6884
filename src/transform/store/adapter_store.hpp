#pragma once
/// The adapter store: `store:NAME@VERSION` scripts from a read-only HTTPS bucket, checked
/// against a signed index, cached under the data directory and used from there when the store
/// cannot be reached (docs/architecture.md "Adapter store").
///
/// One AdapterStore serves one configuration load (made for it, dropped after it):
///   - The index is resolved once, at the first script asked for: the cached index when it is
///     younger than `refresh` (or whatever its age under StoreAccess::kCacheFirst), else
///     fetched. A fetched index must verify (StoreIndex) and must not be older than the cached
///     one (`published`); a refused one is logged and the last good (cached) index stays in use.
///   - A script is the cached copy filed under the SHA-256 the index gives, else fetched and
///     kept only when its SHA-256 matches. A refused or unreachable script falls back to the
///     copy last used for the same reference (good.json), which matched the index of its day.
///   - All network work of one load shares one deadline, `fetch_timeout` from the first
///     request; once the store did not answer, nothing more is asked of it in that load (an
///     offline edge with a cache starts at once, after one failed attempt).
/// Not thread-safe: the loader calls it from one thread.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "transform/store/script_source.hpp"
#include "transform/store/store_cache.hpp"
#include "transform/store/store_index.hpp"
#include "transform/store/store_options.hpp"

namespace spindle::transform::store {

/// How the store's files are got: over HTTPS (https_fetcher.hpp) or, in tests, a fake.
class StoreFetcher {
 public:
  virtual ~StoreFetcher() = default;
  /// GETs `url`: a body of at most `maxBytes` within `timeout`. kUnavailable when no answer
  /// came (connection refused, DNS, TLS, timeout, body too large): the store is unreachable;
  /// kNotFound for 404 and kProtocol for another non-2xx status, naming it.
  virtual Result<std::string> get(const std::string& url, std::uint64_t maxBytes,
                                  Duration timeout) = 0;
};

class AdapterStore final : public ScriptSource {
 public:
  struct Setup {
    StoreOptions options;
    std::vector<update::PublicKey> keys;  ///< loadKeys(options)
    std::string cacheDir;                 ///< cacheDirectory(data_dir, options)
    StoreAccess access = StoreAccess::kRefreshWhenDue;
  };

  /// `log` gets each warning once and each refusal as an error.
  AdapterStore(Setup setup, std::unique_ptr<StoreFetcher> fetcher,
               std::shared_ptr<spdlog::logger> log);

  Result<StoreScript> script(const ScriptRef& ref) override;
  std::vector<std::string> warnings() const override { return m_warnings; }
  std::vector<std::string> notes() const override { return m_notes; }

 private:
  void resolveIndex();
  void fetchIndex(std::optional<StoreIndex> cached);
  std::optional<StoreIndex> cachedIndex();
  Result<std::string> fetch(const std::string& path, std::uint64_t maxBytes);
  Result<StoreScript> fallBack(const ScriptRef& ref, const std::string& problem, ErrorCode code);
  void remember(const ScriptRef& ref, const StoreScript& script);
  void warn(const std::string& text);
  void refuse(const std::string& text);

  Setup m_setup;
  std::string m_url;  ///< baseUrl(options)
  StoreCache m_cache;
  std::unique_ptr<StoreFetcher> m_fetcher;
  std::shared_ptr<spdlog::logger> m_log;
  bool m_resolved = false;
  bool m_fetchedIndex = false;  ///< the index in use came from the store in this load
  std::optional<StoreIndex> m_index;
  std::optional<Error> m_indexError;                 ///< why there is no index
  std::string m_indexAge;                            ///< "fetched 2h ago" for notes
  std::filesystem::file_time_type m_indexWritten{};  ///< when the cached index was fetched
  std::optional<std::chrono::steady_clock::time_point> m_deadline;
  std::optional<Error> m_offline;  ///< set when the store did not answer
  std::vector<std::string> m_warnings;
  std::vector<std::string> m_notes;
};

}  // namespace spindle::transform::store
