#include "transform/store/adapter_store.hpp"

#include <algorithm>

#include "base/units.hpp"
#include "update/signing.hpp"

namespace spindle::transform::store {

namespace fs = std::filesystem;

namespace {

Result<StoreIndex> verifyText(const std::string& text, const std::vector<update::PublicKey>& keys) {
  auto envelope = parseSignedIndex(text);
  if (!envelope) return Error(ErrorCode::kProtocol, envelope.error().message());
  return verifySignedIndex(*envelope, keys);
}

std::string ageOf(fs::file_time_type written) {
  const auto age = fs::file_time_type::clock::now() - written;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
  if (seconds < 120) return std::to_string(std::max<long long>(seconds, 0)) + "s ago";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m ago";
  if (seconds < 172800) return std::to_string(seconds / 3600) + "h ago";
  return std::to_string(seconds / 86400) + "d ago";
}

std::string sha256Of(const std::string& text) {
  update::Sha256 h;
  h.update(text.data(), text.size());
  return h.hex();
}

}  // namespace

AdapterStore::AdapterStore(Setup setup, std::unique_ptr<StoreFetcher> fetcher,
                           std::shared_ptr<spdlog::logger> log)
    : m_setup(std::move(setup)),
      m_url(baseUrl(m_setup.options)),
      m_cache(m_setup.cacheDir),
      m_fetcher(std::move(fetcher)),
      m_log(std::move(log)) {}

void AdapterStore::warn(const std::string& text) {
  if (std::find(m_warnings.begin(), m_warnings.end(), text) != m_warnings.end()) return;
  m_warnings.push_back(text);
  m_log->warn("{}", text);
}

void AdapterStore::refuse(const std::string& text) { m_log->error("{}", text); }

Result<std::string> AdapterStore::fetch(const std::string& path, std::uint64_t maxBytes) {
  if (m_offline) return *m_offline;
  const auto now = std::chrono::steady_clock::now();
  if (!m_deadline) m_deadline = now + m_setup.options.fetchTimeout;
  if (now >= *m_deadline) {
    m_offline =
        Error(ErrorCode::kTimeout, "adapter_store.fetch_timeout (" +
                                       formatDuration(m_setup.options.fetchTimeout) + ") ran out");
    return *m_offline;
  }
  const auto left = std::chrono::duration_cast<Duration>(*m_deadline - now);
  auto body = m_fetcher->get(m_url + path, maxBytes, left);
  if (!body && (body.error().code() == ErrorCode::kUnavailable ||
                body.error().code() == ErrorCode::kTimeout)) {
    m_offline = body.error();
  }
  return body;
}

std::optional<StoreIndex> AdapterStore::cachedIndex() {
  const auto cached = m_cache.index();
  if (!cached) return std::nullopt;
  auto index = verifyText(cached->text, m_setup.keys);
  if (!index) {
    // Keys were rotated, or the file was changed: an index this edge cannot verify is no
    // index, and the scripts it named are not used either.
    warn("store " + m_url + ": the cached index is not used: " + index.error().message());
    return std::nullopt;
  }
  m_indexWritten = cached->written;
  m_indexAge = "fetched " + ageOf(cached->written);
  return std::move(*index);
}

void AdapterStore::resolveIndex() {
  m_resolved = true;
  auto cached = cachedIndex();
  bool due = !cached.has_value();
  if (cached && m_setup.access == StoreAccess::kRefreshWhenDue) {
    due = fs::file_time_type::clock::now() - m_indexWritten >= m_setup.options.refresh;
  }
  if (!due) {
    m_index = std::move(cached);
    return;
  }
  fetchIndex(std::move(cached));
}

// Fetches index.json; keeps `cached` (the last good index) when the store cannot be reached or
// its index is refused.
void AdapterStore::fetchIndex(std::optional<StoreIndex> cached) {
  m_fetchedIndex = true;
  auto text = fetch("index.json", kMaxIndexBytes);
  if (!text) {
    const std::string problem =
        "store " + m_url + ": cannot fetch index.json: " + text.error().describe();
    if (cached) {
      warn(problem + "; using the cached index (" + m_indexAge + ")");
      m_index = std::move(cached);
    } else if (!m_index) {
      m_indexError = Error(text.error().code(), problem + "; there is no cached index");
    }
    return;
  }
  auto fresh = verifyText(*text, m_setup.keys);
  if (fresh && cached && !fresh->published.empty() && fresh->published < cached->published) {
    fresh = Error(ErrorCode::kProtocol, "it was published " + fresh->published +
                                            ", before the cached index (" + cached->published +
                                            "): an old index served again");
  }
  if (!fresh) {
    const std::string problem =
        "store " + m_url + ": index.json refused: " + fresh.error().message();
    refuse(problem);
    if (cached) {
      warn(problem + "; the last good index (" + m_indexAge + ") stays in use");
      m_index = std::move(cached);
    } else if (!m_index) {
      m_indexError =
          Error(ErrorCode::kProtocol, problem + "; there is no earlier good index to use");
    }
    return;
  }
  if (auto saved = m_cache.saveIndex(*text, m_url); !saved) {
    warn("store " + m_url + ": cannot cache the index: " + saved.error().describe());
  }
  m_indexAge = "fetched now";
  m_index = std::move(*fresh);
  m_indexError.reset();
}

Result<StoreScript> AdapterStore::script(const ScriptRef& ref) {
  if (!m_resolved) resolveIndex();
  auto found = m_index ? m_index->find(ref)
                       : Result<StoreIndex::Found>(
                             m_indexError.value_or(Error(ErrorCode::kUnavailable, "no index")));
  if (!found && m_index && !m_fetchedIndex && !m_offline) {
    // The cached index predates the script: the store's may list it.
    fetchIndex(m_index);
    found = m_index->find(ref);
  }
  if (!found) {
    if (!m_index) return *m_indexError;
    return Error(found.error().code(), "store " + m_url + ": " + found.error().message() +
                                           (m_fetchedIndex ? "" : " (" + m_indexAge + ")"));
  }
  StoreScript out{"", found->version.text(), found->entry.sha256};
  if (auto text = m_cache.script(out.sha256)) {
    out.text = std::move(*text);
    m_notes.push_back(ref.text() + ": version " + out.version + " from the cache (index " +
                      m_indexAge + ")");
    remember(ref, out);
    return out;
  }
  const std::string& path = found->entry.path;
  auto fetched = fetch(path, kMaxScriptBytes);
  if (!fetched) {
    return fallBack(ref, "cannot fetch " + path + ": " + fetched.error().describe(),
                    fetched.error().code());
  }
  if (const auto size = found->entry.size; size && *size != fetched->size()) {
    const std::string problem = "script " + ref.text() + " (" + path + ") refused: it has " +
                                std::to_string(fetched->size()) + " bytes, the signed index says " +
                                std::to_string(*size);
    refuse("store " + m_url + ": " + problem);
    return fallBack(ref, problem, ErrorCode::kProtocol);
  }
  if (const std::string got = sha256Of(*fetched); got != out.sha256) {
    const std::string problem = "script " + ref.text() + " (" + path +
                                ") refused: its SHA-256 is " + got + ", the signed index says " +
                                out.sha256;
    refuse("store " + m_url + ": " + problem);
    return fallBack(ref, problem, ErrorCode::kProtocol);
  }
  out.text = std::move(*fetched);
  if (auto saved = m_cache.saveScript(out.sha256, out.text); !saved) {
    warn("store " + m_url + ": cannot cache " + path + ": " + saved.error().describe());
  }
  m_notes.push_back(ref.text() + ": version " + out.version + " fetched from " + m_url + path);
  remember(ref, out);
  return out;
}

// The copy last used for `ref`, when the current one cannot be had.
Result<StoreScript> AdapterStore::fallBack(const ScriptRef& ref, const std::string& problem,
                                           ErrorCode code) {
  const std::string what = "store " + m_url + ": " + problem;
  if (const auto good = m_cache.lastGood(ref.text())) {
    if (auto text = m_cache.script(good->sha256)) {
      warn(what + "; the last good copy (version " + good->version + ", sha256 " +
           good->sha256.substr(0, 12) + "...) stays in use");
      m_notes.push_back(ref.text() + ": version " + good->version +
                        ", the last good copy from the cache");
      return StoreScript{std::move(*text), good->version, good->sha256};
    }
  }
  return Error(code, what + "; there is no good copy of " + ref.text() + " in the cache");
}

void AdapterStore::remember(const ScriptRef& ref, const StoreScript& script) {
  if (auto saved = m_cache.setLastGood(ref.text(), {script.version, script.sha256}); !saved) {
    warn("store " + m_url + ": cannot write " + m_cache.dir() +
         "/good.json: " + saved.error().describe());
  }
}

}  // namespace spindle::transform::store
