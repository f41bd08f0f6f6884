#pragma once
/// Options of the NATS uplink (the `uplinks: nats:` section of spindle.yaml): where the hub is,
/// how to authenticate, and how data is paced, batched and encoded on the way.

#include <string>
#include <vector>

#include "base/units.hpp"
#include "config/option_table.hpp"

namespace spindle::uplinks::nats {

/// How to reach and authenticate with a NATS server. Shared by the uplink and control/.
struct ConnectionOptions {
  std::vector<std::string> servers;  ///< "nats://hub.example.com:7422", "tls://...", several ok
  std::string name;                  ///< connection name shown by the server; "" = "spindle-<edge>"
  std::string inboxPrefix;           ///< reply subjects; "" = "_INBOX.<edge>" (see permissions)
  std::string tlsCa;                 ///< PEM file of the CAs to trust; enables TLS
  std::string tlsCert;               ///< PEM client certificate (with tlsKey)
  std::string tlsKey;                ///< PEM private key of tlsCert
  std::string credentials;           ///< .creds file (user JWT + NKey seed)
  std::string nkey;                  ///< NKey public key (U...), with nkeySeedFile
  std::string nkeySeedFile;          ///< file holding the NKey seed (SU...)
  std::string user;                  ///< user/password authentication (test and small hubs)
  std::string password;
  Duration connectTimeout = std::chrono::seconds(5);
  Duration reconnectMin = std::chrono::milliseconds(250);  ///< first delay; doubles per round
  Duration reconnectMax = std::chrono::seconds(30);        ///< cap; +-20% jitter on every delay
  ByteSize reconnectBuffer{8ULL << 20};                    ///< publishes held while disconnected
  Duration pingInterval = std::chrono::seconds(20);
  /// Not configured: set by the edge when it resolved the servers' names itself, so TLS
  /// checks the certificate against the name rather than the address (app/cloud_servers).
  std::string expectedHostname;
};

/// Everything under `uplinks: nats:` (the connection keys and the uplink's own keys side by side).
struct NatsOptions : ConnectionOptions {
  std::string jsDomain;   ///< JetStream domain of the hub when reached through a leaf node
  int maxInFlight = 256;  ///< messages published and not yet acked
  ByteSize maxInFlightBytes{32ULL << 20};         ///< bytes published and not yet acked
  Duration ackTimeout = std::chrono::seconds(5);  ///< a message unacked this long is resent
  int maxBatch = 1000;                            ///< observations per message at most
  ByteSize compressAbove{4096};                   ///< zstd-compress larger payloads; 0 never
  int compressionLevel = 1;                       ///< zstd level 1-19
  double backlogRate = 50000;                     ///< backlog observations/s at most; 0 = no cap
  std::uint64_t liveWindow = 20000;  ///< observations behind the head still treated as live
  std::vector<std::string> hfItems;  ///< "machine/item" or "item": high-frequency channel
  Duration hfFlush = std::chrono::milliseconds(100);  ///< HF batches are sent at this period
  int hfMaxSamples = 100000;  ///< HF samples buffered at most; the oldest are dropped (counted)
};

const config::OptionTable<NatsOptions>& optionTable();

/// Checks beyond types (ranges, file pairs, subject-safe names). Adds diagnostics at `block`.
bool validate(const NatsOptions& options, const YAML::Node& block, config::Diagnostics& diags);

/// True for a name usable as one NATS subject token here: 1-64 of [A-Za-z0-9_-].
bool validSubjectToken(const std::string& token);

}  // namespace spindle::uplinks::nats
