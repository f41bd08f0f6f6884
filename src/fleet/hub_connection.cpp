#include "fleet/hub_connection.hpp"

#include <chrono>
#include <regex>

#include "base/redact.hpp"
#include "uplinks/nats/nats_connection.hpp"

namespace spindle::fleet {

namespace {

std::int64_t toMs(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    std::string item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string serverList(const std::vector<std::string>& servers) {
  std::string out;
  for (const auto& s : servers) out += (out.empty() ? "" : ", ") + redactUrl(s);
  return out;
}

}  // namespace

Error hubError(natsStatus status, const std::string& what) {
  // cnats prefixes its detail with its source place ("(conn.c:2088): "): not for users.
  std::string message = uplinks::nats::natsError(status, "").message();
  static const std::regex kPlace(R"(\([a-z_]+\.c:[0-9]+\): )");
  message = std::regex_replace(message, kPlace, "");
  const std::string text = natsStatus_GetText(status);
  if (message == text + ": " + text) message = text;
  if (status == NATS_NO_SERVER) {
    message +=
        " (no server took the connection: is the URL right and the hub up? a TLS or "
        "authorization failure looks the same; try --tls-ca, --creds or --user)";
  }
  const ErrorCode code = status == NATS_TIMEOUT ? ErrorCode::kTimeout : ErrorCode::kUnavailable;
  return Error(code, message).with(what);
}

HubOptions withDefaults(HubOptions options, const char* (*env)(const char*)) {
  if (options.servers.empty()) {
    const char* url = env("NATS_URL");
    if (url != nullptr) options.servers = splitList(url);
    if (options.servers.empty()) options.servers = {"nats://127.0.0.1:4222"};
  }
  if (options.password.empty() && !options.user.empty()) {
    if (const char* p = env("SPINDLE_FLEET_PASSWORD"); p != nullptr) options.password = p;
  }
  return options;
}

Result<std::unique_ptr<HubConnection>> HubConnection::connect(const HubOptions& o) {
  if (o.nkey.empty() != o.nkeySeedFile.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "--nkey (the public key, U...) and --nkey-seed (the file with its seed) go "
                 "together");
  }
  natsOptions* opts = nullptr;
  natsStatus s = natsOptions_Create(&opts);
  if (s != NATS_OK) return hubError(s, "creating NATS options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> guard(opts, natsOptions_Destroy);
  auto fail = [&](natsStatus st, const std::string& what) { return hubError(st, what); };
  std::vector<const char*> urls;
  for (const auto& u : o.servers) urls.push_back(u.c_str());
  if ((s = natsOptions_SetServers(opts, urls.data(), static_cast<int>(urls.size()))) != NATS_OK)
    return fail(s, "the server list " + serverList(o.servers));
  natsOptions_SetName(opts, "spindle-fleet");
  natsOptions_SetTimeout(opts, toMs(o.timeout));
  natsOptions_SetMaxReconnect(opts, -1);  // `fleet watch` runs for hours
  natsOptions_SetReconnectWait(opts, 500);
  if (!o.inboxPrefix.empty()) {
    if ((s = natsOptions_SetCustomInboxPrefix(opts, o.inboxPrefix.c_str())) != NATS_OK)
      return fail(s, "the inbox prefix " + o.inboxPrefix);
  }
  if (!o.tlsCa.empty()) {
    natsOptions_SetSecure(opts, true);
    if ((s = natsOptions_LoadCATrustedCertificates(opts, o.tlsCa.c_str())) != NATS_OK)
      return fail(s, "loading --tls-ca " + o.tlsCa);
  }
  if (!o.tlsCert.empty()) {
    natsOptions_SetSecure(opts, true);
    if ((s = natsOptions_LoadCertificatesChain(opts, o.tlsCert.c_str(), o.tlsKey.c_str())) !=
        NATS_OK)
      return fail(s, "loading --tls-cert " + o.tlsCert + " / --tls-key " + o.tlsKey);
  }
  if (!o.credentials.empty()) {
    if ((s = natsOptions_SetUserCredentialsFromFiles(opts, o.credentials.c_str(), nullptr)) !=
        NATS_OK)
      return fail(s, "loading --creds " + o.credentials);
  } else if (!o.nkey.empty()) {
    if ((s = natsOptions_SetNKeyFromSeed(opts, o.nkey.c_str(), o.nkeySeedFile.c_str())) != NATS_OK)
      return fail(s, "loading --nkey-seed " + o.nkeySeedFile);
  } else if (!o.user.empty()) {
    natsOptions_SetUserInfo(opts, o.user.c_str(), o.password.c_str());
  }
  natsConnection* nc = nullptr;
  if ((s = natsConnection_Connect(&nc, opts)) != NATS_OK) {
    return fail(s, "cannot connect to the hub at " + serverList(o.servers));
  }
  jsOptions jo;
  jsOptions_Init(&jo);
  if (!o.jsDomain.empty()) jo.Domain = o.jsDomain.c_str();
  jo.Wait = toMs(o.timeout);
  jsCtx* js = nullptr;
  if ((s = natsConnection_JetStream(&js, nc, &jo)) != NATS_OK) {
    natsConnection_Destroy(nc);
    return fail(s, "opening JetStream on " + serverList(o.servers));
  }
  return std::unique_ptr<HubConnection>(new HubConnection(o, nc, js));
}

HubConnection::~HubConnection() {
  jsCtx_Destroy(m_js);
  natsConnection_Destroy(m_nc);
}

jsOptions HubConnection::jsOpts() const {
  jsOptions jo;
  jsOptions_Init(&jo);
  if (!m_options.jsDomain.empty()) jo.Domain = m_options.jsDomain.c_str();
  jo.Wait = toMs(m_options.timeout);
  return jo;
}

std::string HubConnection::url() const {
  char buf[512] = {};
  if (natsConnection_GetConnectedUrl(m_nc, buf, sizeof buf) == NATS_OK) return redactUrl(buf);
  return serverList(m_options.servers);
}

}  // namespace spindle::fleet
