#include "uplinks/nats/nats_options.hpp"

#include <filesystem>

#include "base/redact.hpp"

namespace spindle::uplinks::nats {
namespace {

/// Members of the ConnectionOptions base, seen as members of NatsOptions for the table.
template <typename V>
V NatsOptions::*base(V ConnectionOptions::*member) {
  return static_cast<V NatsOptions::*>(member);
}

bool checkFile(const std::string& path, const YAML::Node& node, const std::string& what,
               config::Diagnostics& diags) {
  if (path.empty()) return true;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    diags.add(node, what + " '" + path + "' is not a readable file",
              "give the full path of the file, readable by the spindle user");
    return false;
  }
  return true;
}

}  // namespace

bool validSubjectToken(const std::string& token) {
  if (token.empty() || token.size() > 64) return false;
  for (char c : token) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

const config::OptionTable<NatsOptions>& optionTable() {
  static const auto table = [] {
    config::OptionTable<NatsOptions> t;
    t.required("servers", base(&ConnectionOptions::servers),
               "hub URLs, e.g. [nats://hub.example.com:7422] or a local leaf node "
               "[nats://127.0.0.1:4222]; tls:// forces TLS");
    t.optional("name", base(&ConnectionOptions::name), "spindle-<edge id>",
               "connection name shown by the server");
    t.optional("inbox_prefix", base(&ConnectionOptions::inboxPrefix), "_INBOX.<edge id>",
               "prefix of this edge's reply subjects; the hub account grants the edge "
               "subscribe on <prefix>.> only");
    t.optional("tls_ca", base(&ConnectionOptions::tlsCa), "",
               "PEM file of the certificate authorities to trust; setting it turns TLS on");
    t.optional("tls_cert", base(&ConnectionOptions::tlsCert), "",
               "PEM client certificate, for hubs that verify clients (with tls_key)");
    t.optional("tls_key", base(&ConnectionOptions::tlsKey), "", "PEM private key of tls_cert");
    t.optional("credentials", base(&ConnectionOptions::credentials), "",
               "NATS .creds file (user JWT and NKey seed) issued by the hub's operator");
    t.optional("nkey", base(&ConnectionOptions::nkey), "",
               "NKey public key (starts with U), with nkey_seed_file");
    t.optional("nkey_seed_file", base(&ConnectionOptions::nkeySeedFile), "",
               "file holding the NKey seed (starts with SU)");
    t.optional("user", base(&ConnectionOptions::user), "", "user name (with password)");
    t.optional("password", base(&ConnectionOptions::password), "",
               "password of user; never logged, redacted from diagnostics");
    t.optional("connect_timeout", base(&ConnectionOptions::connectTimeout), "5s",
               "give up one connection attempt after this long", {"10ms", "5m"});
    t.optional("reconnect_min", base(&ConnectionOptions::reconnectMin), "250ms",
               "first delay before reconnecting; doubles per failed round (+-20% jitter); "
               "Spindle reconnects forever",
               {"1ms", ""});
    t.optional("reconnect_max", base(&ConnectionOptions::reconnectMax), "30s",
               "longest delay between reconnect rounds", {"1ms", ""});
    t.optional("reconnect_buffer", base(&ConnectionOptions::reconnectBuffer), "8MiB",
               "published bytes held in memory while reconnecting (the journal holds the rest)",
               {"0B", "1GiB"});
    t.optional("ping_interval", base(&ConnectionOptions::pingInterval), "20s",
               "keepalive; two missed answers declare the connection dead", {"1s", ""});
    t.optional("js_domain", &NatsOptions::jsDomain, "",
               "JetStream domain of the hub when Spindle connects through a local leaf node "
               "(e.g. hub); empty when connected straight to the hub");
    t.optional("max_in_flight", &NatsOptions::maxInFlight, "256",
               "messages published and not yet acknowledged by the hub, at most", {"1", "65536"});
    t.optional("max_in_flight_bytes", &NatsOptions::maxInFlightBytes, "32MiB",
               "bytes published and not yet acknowledged, at most", {"64KiB", ""});
    t.optional("ack_timeout", &NatsOptions::ackTimeout, "5s",
               "a message the hub has not acknowledged after this long is sent again "
               "(the hub drops the duplicate)",
               {"100ms", ""});
    t.optional("max_batch", &NatsOptions::maxBatch, "1000",
               "observations per message at most; larger journal batches are split",
               {"1", "100000"});
    t.optional("compress_above", &NatsOptions::compressAbove, "4KiB",
               "payloads larger than this are zstd-compressed; 0 never compresses", {"0B", ""});
    t.optional("compression_level", &NatsOptions::compressionLevel, "1", "zstd level, 1-19",
               {"1", "19"});
    t.optional("backlog_rate", &NatsOptions::backlogRate, "50000",
               "observations per second sent from the backlog (data older than live_window) "
               "beside live data; 0 sends the backlog as fast as the window allows",
               {"0", ""});
    t.optional("live_window", &NatsOptions::liveWindow, "20000",
               "observations behind the newest that still count as live", {"0", ""});
    t.optional("hf_items", &NatsOptions::hfItems, "[]",
               "items sent on the high-frequency channel: 'machine/item' or 'item' (any "
               "machine); time-series observations always are");
    t.optional("hf_flush", &NatsOptions::hfFlush, "100ms", "period of high-frequency batches",
               {"1ms", ""});
    t.optional("hf_max_samples", &NatsOptions::hfMaxSamples, "100000",
               "high-frequency samples buffered while disconnected; the oldest are dropped "
               "and counted",
               {"1", "100000000"});
    return t;
  }();
  return table;
}

bool validate(const NatsOptions& o, const YAML::Node& block, config::Diagnostics& diags) {
  const size_t before = diags.size();
  if (o.servers.empty()) {
    diags.add(block["servers"], "servers is empty", "e.g. servers: [nats://hub.example.com:7422]");
  }
  for (const auto& url : o.servers) {
    const bool known = url.rfind("nats://", 0) == 0 || url.rfind("tls://", 0) == 0 ||
                       url.rfind("nats-leaf://", 0) == 0;
    if (!known) {
      diags.add(block["servers"],
                "server '" + redactUrl(url) + "' must start with nats:// or tls://",
                "e.g. nats://hub.example.com:7422");
    } else if (url.rfind("nats-leaf://", 0) == 0) {
      diags.add(block["servers"], "'" + redactUrl(url) + "' is a leaf-node URL",
                "Spindle connects as a client: use the client port (nats://...), and put "
                "nats-leaf:// in the local nats-server's configuration");
    }
  }
  if (o.tlsCert.empty() != o.tlsKey.empty()) {
    diags.add(block, "tls_cert and tls_key go together", "set both, or neither");
  }
  if (o.nkey.empty() != o.nkeySeedFile.empty()) {
    diags.add(block, "nkey and nkey_seed_file go together", "set both, or neither");
  }
  const int methods = !o.credentials.empty() + !o.nkey.empty() + !o.user.empty();
  if (methods > 1) {
    diags.add(block, "choose one of credentials, nkey or user",
              "the hub accepts one authentication method per connection");
  }
  if (o.password.size() && o.user.empty()) diags.add(block["password"], "password without user");
  checkFile(o.tlsCa, block["tls_ca"], "tls_ca", diags);
  checkFile(o.tlsCert, block["tls_cert"], "tls_cert", diags);
  checkFile(o.tlsKey, block["tls_key"], "tls_key", diags);
  checkFile(o.credentials, block["credentials"], "credentials", diags);
  checkFile(o.nkeySeedFile, block["nkey_seed_file"], "nkey_seed_file", diags);
  if (o.reconnectMax < o.reconnectMin) {
    diags.add(block["reconnect_max"], "reconnect_max is shorter than reconnect_min");
  }
  if (o.maxInFlight < 1 || o.maxInFlight > 65536) {
    diags.add(block["max_in_flight"], "max_in_flight must be between 1 and 65536");
  }
  if (o.maxInFlightBytes.bytes < (64U << 10)) {
    diags.add(block["max_in_flight_bytes"], "max_in_flight_bytes must be at least 64KiB");
  }
  if (o.maxBatch < 1 || o.maxBatch > 100000) {
    diags.add(block["max_batch"], "max_batch must be between 1 and 100000");
  }
  if (o.compressionLevel < 1 || o.compressionLevel > 19) {
    diags.add(block["compression_level"], "compression_level must be between 1 and 19");
  }
  if (o.ackTimeout < std::chrono::milliseconds(100)) {
    diags.add(block["ack_timeout"], "ack_timeout must be at least 100ms");
  }
  if (o.backlogRate < 0) diags.add(block["backlog_rate"], "backlog_rate cannot be negative");
  if (o.hfFlush < std::chrono::milliseconds(1)) {
    diags.add(block["hf_flush"], "hf_flush must be at least 1ms");
  }
  if (o.hfMaxSamples < 1) diags.add(block["hf_max_samples"], "hf_max_samples must be positive");
  if (!o.inboxPrefix.empty() && (o.inboxPrefix.find_first_of("*> \t") != std::string::npos ||
                                 o.inboxPrefix.front() == '.' || o.inboxPrefix.back() == '.')) {
    diags.add(block["inbox_prefix"], "inbox_prefix must be a subject without wildcards");
  }
  if (!o.jsDomain.empty() && !validSubjectToken(o.jsDomain)) {
    diags.add(block["js_domain"], "js_domain must be letters, digits, '-' or '_'");
  }
  return diags.size() == before;
}

}  // namespace spindle::uplinks::nats
