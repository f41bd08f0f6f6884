#pragma once
/// The adapter store over HTTPS: a StoreFetcher on the edge's HTTP client (its trust, pins and
/// proxy from the `https:` and `net:` sections, names through the DNS chain), and the function
/// that makes the store a configuration load uses.

#include <memory>
#include <optional>
#include <string>

#include "net/http/https_options.hpp"
#include "net/net_options.hpp"
#include "transform/store/adapter_store.hpp"

namespace spindle::transform::store {

/// Makes its HTTP client (and the DNS chain's thread) at the first get(), so a load served
/// from the cache never starts one; the destructor stops them. Store requests take the
/// `https:` section but retry at most twice, waiting at most 2 s: the store's deadline
/// (adapter_store.fetch_timeout) bounds them anyway.
class HttpsFetcher final : public StoreFetcher {
 public:
  HttpsFetcher(net::http::HttpsOptions https, net::NetOptions net, std::string edgeId);
  ~HttpsFetcher() override;
  HttpsFetcher(const HttpsFetcher&) = delete;
  HttpsFetcher& operator=(const HttpsFetcher&) = delete;

  Result<std::string> get(const std::string& url, std::uint64_t maxBytes,
                          Duration timeout) override;

 private:
  struct Client;
  Status start();

  net::http::HttpsOptions m_https;
  net::NetOptions m_net;
  std::string m_edgeId;
  std::unique_ptr<Client> m_client;
  std::optional<Error> m_startError;
};

/// The store for one load of a configuration whose `adapter_store:` section is `options`
/// (validated) and whose data directory is `dataDir`. Fails when a key cannot be loaded.
Result<std::unique_ptr<AdapterStore>> openAdapterStore(
    const StoreOptions& options, const std::string& dataDir, const net::http::HttpsOptions& https,
    const net::NetOptions& net, const std::string& edgeId, StoreAccess access);

}  // namespace spindle::transform::store
