// The HTTPS uplink's registration: `uplinks: https:`. It sends through an HTTP client of its own
// made as the edge makes them (the service "http.client.factory": the `https:` section's trust
// and timeouts, the DNS chain, the proxy), to the API that section names ("https.api").

#include <filesystem>

#include "uplinks/https/https_uplink.hpp"
#include "uplinks/registry.hpp"

namespace spindle::uplinks::https {

void registerUplink(UplinkRegistry& registry) {
  UplinkType type;
  type.name = std::string(kConsumerName);
  type.description =
      "batches POSTed to the cloud API over HTTPS (signed, stored once per sequence)";
  type.defaultPort = 443;
  type.options = optionTable().describe();
  type.load = [](const YAML::Node& block, config::Diagnostics& diags, const std::string& where) {
    HttpsUplinkOptions options;
    const std::size_t before = diags.size();
    if (block && !block.IsNull()) optionTable().load(block, options, diags, where);
    if (diags.size() == before) validate(options, block, diags);
    return std::any(options);
  };
  type.create = [](const std::any& any, const UplinkEnv& env) -> Result<std::unique_ptr<Uplink>> {
    const auto& options = std::any_cast<const HttpsUplinkOptions&>(any);
    auto factory = env.services.find("http.client.factory");
    if (factory == env.services.end()) {
      return Error(ErrorCode::kInternal, "no HTTP client to send with")
          .with("making the https uplink");
    }
    std::string api;
    if (auto it = env.services.find("https.api"); it != env.services.end()) {
      api = std::any_cast<std::string>(it->second);
    }
    auto url = dataUrl(options, api, env.edgeId);
    if (!url) return std::move(url).error();
    const std::filesystem::path key(options.keyFile);
    const std::string keyPath =
        key.is_absolute() ? key.string() : (std::filesystem::path(env.dataDir) / key).string();
    std::optional<RequestSigner> signer;
    auto loaded = RequestSigner::load(keyPath);
    if (loaded) {
      signer.emplace(std::move(*loaded));
    } else if (loaded.error().code() != ErrorCode::kNotFound ||
               options.keyFile != kDefaultKeyFile) {
      return std::move(loaded).error().with("uplinks.https.key_file");
    }
    const auto& make = std::any_cast<const net::http::ClientFactory&>(factory->second);
    auto client = make(options.maxInFlight);
    if (!client) return std::move(client).error().with("making the https uplink's HTTP client");
    return std::unique_ptr<Uplink>(std::make_unique<HttpsUplink>(
        options, std::move(*url), env.edgeId, std::move(signer), std::move(*client), *env.catalog));
  };
  type.endpoints = [](const std::any& any, const std::string& api, const std::string& edgeId) {
    const auto& options = std::any_cast<const HttpsUplinkOptions&>(any);
    UplinkEndpoint e{options.url.empty() ? "https.api" : "uplinks.https.url", "",
                     "the HTTPS uplink's data URL (uplinks.https) is reachable", ""};
    auto url = dataUrl(options, api, edgeId);
    if (url) {
      e.url = std::move(*url);
    } else {
      e.setting = "uplinks.https.url";
      e.problem = url.error().describe();
    }
    return std::vector<UplinkEndpoint>{std::move(e)};
  };
  registry.add(std::move(type));
}

}  // namespace spindle::uplinks::https
