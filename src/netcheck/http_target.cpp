// How an `api` row reads the edge's HTTP client: an answer judged by what the endpoint is for,
// or the client's error sorted into the failures a plant IT person can act on.
#include "netcheck/http_target.hpp"

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "net/http/http_url.hpp"

namespace spindle::netcheck {
namespace {

using net::http::HttpResponse;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

/// The client's message without its "(after 1 attempt)": netcheck never retries.
std::string clientMessage(const Error& error) {
  std::string m = error.message();
  const auto at = m.rfind(" (after ");
  if (at != std::string::npos && m.back() == ')') m.erase(at);
  return m;
}

/// The first characters of a body, on one line, for a detail.
std::string snippet(const std::string& body) {
  std::string out;
  bool space = false;
  for (const char c : body) {
    if (out.size() >= 100) {
      out += "...";
      break;
    }
    const bool printable = c >= 0x20 && c < 0x7f;
    if (!printable || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

/// The HTTP status a proxy refusal of the client names: "... (HTTP 407): ...".
int proxyStatus(const std::string& message) {
  const auto at = message.find("(HTTP ");
  if (at == std::string::npos) return 0;
  return std::atoi(message.c_str() + at + 6);
}

struct Where {
  std::string host;  ///< the endpoint's host
  std::uint16_t port = 443;
  std::string hostPort;  ///< "api.example.com:443"
};

Where whereOf(const HttpTarget& target) {
  Where w;
  if (auto url = net::http::parseUrl(target.url)) {
    w.host = url->host;
    w.port = url->port;
  }
  const bool v6 = w.host.find(':') != std::string::npos;
  w.hostPort = (v6 ? "[" + w.host + "]" : w.host) + ":" + std::to_string(w.port);
  return w;
}

void fail(CheckResult& row, const std::string& failure, std::string cause, std::string remedy) {
  row.status = CheckStatus::kFail;
  row.facts["failure"] = failure;
  row.cause = std::move(cause);
  row.remedy = std::move(remedy);
}

/// The proxy said no to CONNECT: the client's words are the cause, as they are.
void judgeProxyRefusal(const std::string& message, const HttpCheckContext& c, const Where& w,
                       CheckResult& row) {
  const net::ProxySettings& proxy = *c.proxy;
  const int status = proxyStatus(message);
  row.facts["proxy_status"] = status;
  row.detail =
      "the proxy refused the tunnel to " + w.hostPort + " (HTTP " + std::to_string(status) + ")";
  if (status == 407 || status == 401) {
    fail(row, "proxy_auth", message,
         proxy.user.empty()
             ? "set net.proxy_credentials: a file with one line user:password for this proxy "
               "(ask the proxy's administrator for an account for this edge)."
             : "check the user and password in net.proxy_credentials" +
                   (proxy.credentialsFile.empty() ? std::string()
                                                  : " (" + proxy.credentialsFile + ")") +
                   " with the proxy's administrator.");
    return;
  }
  if (status == 403) {
    fail(row, "proxy_connect_refused", message,
         "ask for CONNECT to port " + std::to_string(w.port) + " and to " + w.host +
             " to be allowed for this edge on the proxy (e.g. tinyproxy ConnectPort " +
             std::to_string(w.port) + ", squid SSL_ports and its http_access rules).");
    return;
  }
  if (status >= 500) {
    fail(row, "proxy_upstream",
         message + ": the proxy cannot reach " + w.hostPort +
             " itself (its DNS cannot resolve the name, or its own firewall blocks the port)",
         "ask the proxy's administrator to let the proxy reach " + w.hostPort + ".");
    return;
  }
  fail(row, "proxy_refused", message,
       "ask the proxy's administrator to allow CONNECT to " + w.hostPort + " for this edge.");
}

void judgeTlsFailure(const HttpTarget& t, const std::string& message, const HttpCheckContext& c,
                     const Where& w, CheckResult& row) {
  const std::string inspection =
      "if a firewall decrypts and re-signs this traffic (deep packet inspection: see the tls "
      "rows and the DPI finding of this report), exempt this edge's traffic to " +
      w.host + " from inspection instead";
  if (contains(message, "pinned")) {
    fail(row, "tls_pin",
         "the server's public key is none of https.pinned_keys: the service changed its key, "
         "or something between re-signs the traffic",
         "if the service's key changed, put its pin in https.pinned_keys (openssl x509 -pubkey "
         "-noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64); " +
             inspection + ".");
    return;
  }
  if (contains(message, "subject name") || contains(message, "does not match target host")) {
    fail(row, "tls_name",
         "the certificate that came back is not for " + w.host +
             ": something else answers for this name (a proxy, a captive portal, a wrong DNS "
             "answer), or " +
             t.setting + " names the service by another name than its certificate's",
         "write the name the service's certificate carries in " + t.setting +
             "; check DNS and proxies for " + w.host + ".");
    return;
  }
  if (contains(message, "expired") || contains(message, "not yet valid")) {
    fail(row, "tls_expired",
         "the certificate of " + w.host +
             " is expired or not yet valid by this edge's clock: usually the clock is wrong",
         "check the clock row (NTP must be reachable); if the clock is right, tell the "
         "service's operator that its certificate has expired.");
    return;
  }
  fail(row, "tls_untrusted",
       "the certificate chain of " + w.host + " is not trusted by this edge: " +
           (c.caFile ? "https.ca_file does not hold the CA that signed it"
                     : "https.ca_file is not set, and the system's CAs do not include the CA "
                       "that signed it"),
       "if the service uses a private CA, set https.ca_file to that CA's certificate (PEM); " +
           inspection + ".");
}

/// No answer: the client's error, sorted by what failed.
void judgeError(const HttpTarget& t, const Error& error, const HttpCheckContext& c,
                CheckResult& row) {
  const std::string m = clientMessage(error);
  const Where w = whereOf(t);
  const bool proxied = c.proxy != nullptr;
  row.detail = m;
  row.facts["error"] = m;
  const std::string allow = "TCP " + std::to_string(w.port) + " to " + w.host;
  const std::string proxyAllow =
      proxied ? "TCP " + std::to_string(c.proxy->port) + " to the HTTP proxy " + c.proxy->host : "";
  const ErrorCode code = error.code();
  if (code == ErrorCode::kInvalidArgument && proxied && m.rfind("the proxy ", 0) == 0) {
    judgeProxyRefusal(m, c, w, row);
  } else if (code == ErrorCode::kInvalidArgument) {
    fail(row, "invalid_url", "the edge's HTTP client does not take this URL: " + m,
         "correct " + t.setting + ": an https:// URL.");
  } else if (code == ErrorCode::kNotFound) {
    const std::string name = proxied ? c.proxy->host : w.host;
    fail(row, "dns_not_found", "the DNS chain says " + name + " does not exist",
         proxied ? "check the proxy's name in net.proxy."
                 : "check the name in " + t.setting + "; if a DNS filter blocks it, allow " + name +
                       " there.");
  } else if (m.rfind("resolving ", 0) == 0) {
    fail(row, "dns_unavailable", "no DNS server answered for the name (see the dns rows)",
         "fix DNS first: allow outbound UDP 53 to the DNS servers, or configure a DNS server "
         "that answers (net.dns_servers, or by DHCP).");
  } else if (code == ErrorCode::kProtocol && contains(m, "TLS verification of")) {
    judgeTlsFailure(t, m, c, w, row);
  } else if (code == ErrorCode::kProtocol && contains(m, "larger than the limit")) {
    fail(row, "too_large", "the answer is larger than https.max_response allows",
         "raise https.max_response, or check that " + t.setting + " names the right file.");
  } else if (proxied && m.rfind("through the proxy: ", 0) == 0) {
    fail(row, "proxy_unreachable",
         "the HTTP proxy " + c.proxy->address() +
             " cannot be reached: a firewall rejects or "
             "drops " +
             proxyAllow + ", or the proxy does not run",
         "check net.proxy (host and port) and that the proxy runs; allow outbound " + proxyAllow +
             " from this edge.");
  } else if (code == ErrorCode::kTimeout && !contains(m, "bytes received")) {
    fail(row, "timeout",
         "the connection to " + w.hostPort + " got no answer within " + formatDuration(c.timeout) +
             ": a firewall silently drops " + allow,
         "allow outbound " + allow + " from this edge (firewall rule).");
  } else if (code == ErrorCode::kTimeout) {
    fail(row, "no_answer",
         "connected, but no answer within " + formatDuration(c.timeout) +
             ": the TLS handshake or the request stalls (a firewall holding TLS it inspects, or "
             "a service that does not answer)",
         "exempt this edge's traffic to " + w.host +
             " from TLS inspection; if none is in place, tell the service's operator.");
  } else if (contains(m, "No route to host") || contains(m, "Network is unreachable")) {
    fail(row, "unreachable",
         "there is no route to " + w.host +
             ": no default gateway, or a firewall answers "
             "'unreachable' for " +
             allow,
         "check the edge's network (gateway); allow outbound " + allow + " from this edge.");
  } else if (contains(m, "Couldn't connect") || contains(m, "Connection refused") ||
             contains(m, "Failed to connect")) {
    fail(row, "refused",
         "the connection to " + w.hostPort + " was refused: a firewall rejects " + allow +
             ", or nothing listens there",
         "allow outbound " + allow + " from this edge (firewall rule); if it is allowed, check " +
             t.setting + " (host and port).");
  } else if (proxied && (contains(m, "CONNECT") || contains(m, "roxy"))) {
    fail(row, "proxy_not_http",
         "the service at " + c.proxy->address() +
             " (net.proxy) did not answer CONNECT as an "
             "HTTP proxy does",
         "check net.proxy: it must name an HTTP proxy (host and port; not a SOCKS proxy, not a "
         "web server).");
  } else if (contains(m, "SSL") || contains(m, "TLS") || contains(m, "reset")) {
    fail(row, "tls_handshake",
         "the TLS handshake with " + w.hostPort +
             " did not complete: a firewall inspecting TLS cuts it, or something other than "
             "HTTPS answers on port " +
             std::to_string(w.port),
         "exempt this edge's traffic to " + w.host + " from TLS inspection and filtering; check " +
             t.setting + " names an HTTPS port.");
  } else {
    fail(row, "no_answer", "no HTTP answer came from " + w.hostPort,
         "make sure nothing between this edge and " + w.host +
             " (a proxy, a web filter) holds or cuts HTTPS requests.");
  }
}

/// The uploads bucket's answer to HeadBucket, other than 2xx, 3xx and 5xx.
void judgeBucket(const HttpTarget& t, int s, const std::string& status, CheckResult& row) {
  if (s == 404) {
    fail(row, "no_bucket", "the endpoint has no bucket by that name (" + status + ")",
         "check uploads.bucket (and uploads.endpoint): the bucket provisioning named.");
    return;
  }
  if (s == 400) {
    fail(row, "bad_request",
         "the endpoint refuses the request (" + status +
             "): most often a signature for another region",
         "set uploads.region to the bucket's region; check uploads.endpoint.");
    return;
  }
  if (s == 401 || s == 403) {
    row.status = CheckStatus::kWarn;
    row.facts["failure"] = "bucket_refused";
    row.cause = t.signedRequest
                    ? "the route and the bucket answer, but refuse to show the bucket to these "
                      "credentials (" +
                          status +
                          "): credentials that may only put objects get this too, and so does a "
                          "wrong access key or secret"
                    : "the route and the bucket answer (" + status +
                          "); without uploads.access_key_id only presigned uploads can go";
    row.remedy = t.signedRequest
                     ? "if uploads fail with 'S3 refused the access key', check "
                       "uploads.access_key_id and its secret file; otherwise nothing to do."
                     : "nothing to do if the cloud hands out presigned URLs.";
    return;
  }
  fail(row, "http_other", "the bucket's endpoint answered " + status,
       "check uploads.endpoint and uploads.bucket.");
}

/// The answer's status read by what the endpoint is for.
void judgeAnswer(const HttpTarget& t, const HttpResponse& r, const HttpCheckContext& c,
                 CheckResult& row) {
  const Where w = whereOf(t);
  const int s = r.status;
  const std::string status = "HTTP " + std::to_string(s);
  const std::string body = snippet(r.body);
  row.facts["status"] = s;
  row.detail = status;
  if (!body.empty() && (s < 200 || s >= 300)) row.detail += ": " + body;
  const bool reachOnly =
      t.role == HttpTargetRole::kUplink || t.role == HttpTargetRole::kCrashReports;
  if (reachOnly) {
    if (s >= 500 && s != 501) {
      row.status = CheckStatus::kWarn;
      row.facts["failure"] = "http_5xx";
      row.cause = "the route to " + w.hostPort + " works, but the service answers " + status +
                  ": it is down or failing";
      row.remedy = "nothing to change on this network; tell the service's operator.";
      return;
    }
    row.status = CheckStatus::kPass;
    row.detail = status + ": " + w.hostPort + " answers (any answer proves the route)";
    return;
  }
  if (s >= 200 && s < 300) {
    if (t.role == HttpTargetRole::kUploads) {
      row.detail += t.signedRequest ? ": the bucket exists and takes this edge's credentials"
                                    : ": the bucket answers";
    }
    if (t.role == HttpTargetRole::kAdapterStore && s != 200) {
      fail(row, "http_other", "the store answered " + status + " instead of index.json",
           "check adapter_store.url: the bucket and prefix that hold index.json.");
      return;
    }
    if (t.role == HttpTargetRole::kApi) {
      const auto json = nlohmann::json::parse(r.body, nullptr, false);
      const bool ping = json.is_object() && json.value("schema", "") == "spindle.ping.v1";
      row.facts["schema"] = ping ? "spindle.ping.v1" : "";
      if (!ping) {
        row.status = CheckStatus::kWarn;
        row.detail += ": " + (body.empty() ? std::string("no body") : body);
        row.facts["failure"] = "not_ping";
        row.cause =
            "the answer is not the API's ping (spindle.ping.v1): an API older than "
            "/v1/ping, or a portal or filter answering in its place";
        row.remedy = "check that https.api names the Spindle cloud API; let this edge reach " +
                     w.host + " without a block page or portal.";
        return;
      }
      row.detail += ", spindle.ping.v1";
    }
    row.status = CheckStatus::kPass;
    return;
  }
  if (s >= 500) {
    fail(row, "http_5xx",
         "the route works, but the service answers " + status + ": it is down or failing",
         "nothing to change on this network; try again later, and tell the service's operator "
         "if it lasts.");
    return;
  }
  if (s >= 300 && s < 400 && t.role == HttpTargetRole::kUploads) {
    const auto region = r.headers.find("x-amz-bucket-region");
    fail(row, "wrong_region",
         "the bucket is in another region or behind another endpoint (" + status +
             (region == r.headers.end() ? std::string() : ", region " + region->second) + ")",
         "set uploads.region (and uploads.endpoint) to the bucket's own.");
    return;
  }
  if (s >= 300 && s < 400) {
    const auto location = r.headers.find("location");
    const std::string to =
        location == r.headers.end() ? std::string("elsewhere") : location->second;
    fail(row, "redirect", "the server sends this edge to " + to + " (" + status + ")",
         "set " + t.setting + " to where the service is now.");
    return;
  }
  if (t.role == HttpTargetRole::kApi) {
    if (s == 401 || s == 403) {
      fail(row, "not_provisioned",
           "the API answers, but refuses this edge (" + status + ", Spindle-Edge: " + c.edgeId +
               "): the edge is not provisioned, or the API does not know its id or key",
           "provision the edge (spindle provision --api URL --token TOKEN), or ask the fleet's "
           "operator whether edge " +
               c.edgeId + " is still registered.");
      return;
    }
    if (s == 404) {
      fail(row, "wrong_api",
           "the server at " + w.hostPort +
               " answers, but has no /v1/ping: https.api does not name the Spindle cloud API",
           "wrong https.api: set it to the API's base URL as spindle provision writes it, "
           "e.g. https://api.example.com (without /v1).");
      return;
    }
    fail(row, "not_api", "the server answers " + status + ": it is not the Spindle cloud API",
         "check https.api: the API's base URL as spindle provision writes it.");
    return;
  }
  if (t.role == HttpTargetRole::kUploads) {
    judgeBucket(t, s, status, row);
    return;
  }
  // The adapter store.
  if (s == 404) {
    fail(row, "wrong_store", "there is no index.json at adapter_store.url",
         "correct adapter_store.url: the bucket URL and prefix that hold index.json.");
    return;
  }
  if (s == 401 || s == 403) {
    fail(row, "store_refused",
         "the bucket refuses to read index.json (" + status +
             "): it is not readable without credentials, or the key does not exist (S3 answers "
             "403 for a missing key when listing is not allowed)",
         "check adapter_store.url (bucket and prefix), and that the bucket's policy lets this "
         "edge read it.");
    return;
  }
  fail(row, "http_other", "the store answered " + status + " instead of index.json",
       "check adapter_store.url: the bucket and prefix that hold index.json.");
}

}  // namespace

const char* toString(HttpTargetRole role) {
  switch (role) {
    case HttpTargetRole::kApi:
      return "api";
    case HttpTargetRole::kUplink:
      return "uplink";
    case HttpTargetRole::kCrashReports:
      return "crash_reports";
    case HttpTargetRole::kAdapterStore:
      return "adapter_store";
    case HttpTargetRole::kUploads:
      return "uploads";
  }
  return "api";
}

const char* requestMethod(HttpTargetRole role) {
  return role == HttpTargetRole::kUplink || role == HttpTargetRole::kCrashReports ||
                 role == HttpTargetRole::kUploads
             ? "HEAD"
             : "GET";
}

void judgeHttpTarget(const HttpTarget& target, const HttpResponse& response,
                     const HttpCheckContext& context, CheckResult& row) {
  if (response.error) {
    judgeError(target, *response.error, context, row);
  } else {
    judgeAnswer(target, response, context, row);
  }
  if (row.status == CheckStatus::kPass) {
    char took[32];
    std::snprintf(took, sizeof took, " in %.1f ms",
                  std::chrono::duration<double, std::milli>(row.elapsed).count());
    row.detail += took;
  }
  if (context.proxy != nullptr) {
    row.detail += " (via proxy " + context.proxy->address() + ")";
    row.facts["via_proxy"] = context.proxy->address();
  }
}

}  // namespace spindle::netcheck
