#include "update/kv_offer.hpp"

#include <thread>

#include "uplinks/nats/nats_connection.hpp"

namespace spindle::update {

using uplinks::nats::natsError;

Result<std::optional<Offer>> readOffer(const uplinks::nats::NatsOptions& nats,
                                       const std::string& edgeId, const UpdateOptions& options,
                                       Duration timeout) {
  uplinks::nats::NatsConnection connection(nats, edgeId);
  if (auto s = connection.start(); !s) return std::move(s).error();
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!connection.connected() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!connection.connected()) {
    const std::string why = connection.status().lastError;
    connection.stop();
    return Error(ErrorCode::kTimeout, "no connection to NATS within " + formatDuration(timeout) +
                                          (why.empty() ? "" : " (" + why + ")"));
  }
  jsOptions jo;
  jsOptions_Init(&jo);
  if (!nats.jsDomain.empty()) jo.Domain = nats.jsDomain.c_str();
  jsCtx* js = nullptr;
  kvStore* kv = nullptr;
  Result<std::optional<Offer>> out = std::optional<Offer>();
  const uplinks::nats::NatsConnection::Ref conn = connection.current();
  if (natsStatus s = natsConnection_JetStream(&js, conn.get(), &jo); s != NATS_OK) {
    out = natsError(s, "JetStream");
  } else if (s = js_KeyValue(&kv, js, options.bucket.c_str()); s != NATS_OK) {
    out = Error(ErrorCode::kNotFound, "no KV bucket '" + options.bucket + "'");
  } else {
    for (const std::string& key : {"edge." + edgeId, options.channel}) {
      kvEntry* e = nullptr;
      if (kvStore_Get(&e, kv, key.c_str()) == NATS_OK && e != nullptr) {
        std::string value(static_cast<const char*>(kvEntry_Value(e)),
                          static_cast<std::size_t>(kvEntry_ValueLen(e)));
        kvEntry_Destroy(e);
        if (!value.empty()) {
          out = std::optional<Offer>(Offer{key, std::move(value)});
          break;
        }
      }
    }
  }
  if (kv != nullptr) kvStore_Destroy(kv);
  if (js != nullptr) jsCtx_Destroy(js);
  connection.stop();
  return out;
}

}  // namespace spindle::update
