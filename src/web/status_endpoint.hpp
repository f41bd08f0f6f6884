#pragma once
/// The running edge's status as JSON on the web listener, for `spindle status`: machines,
/// uplinks, journal, clock, the DNS server in use. The path starts with a dot, which no machine
/// id has (ids are letters, digits, '-' and '_'), so it never hides an MTConnect device path.
/// GET only; the document holds figures and names, never configuration values or secrets.

#include <functional>
#include <string>
#include <string_view>

#include "web/http_server.hpp"

namespace spindle::web {

class StatusEndpoint {
 public:
  static constexpr std::string_view kPath = "/.spindle/status";

  /// `document` returns the JSON text; it is called on the connection's thread for each
  /// request and must be thread-safe (the gateway passes EdgeApi::status()).
  explicit StatusEndpoint(std::function<std::string()> document)
      : m_document(std::move(document)) {}

  /// Answers a request for kPath (405 for other methods than GET) and returns true; returns
  /// false, answering nothing, for any other path.
  bool handle(const HttpRequest& request, Responder& responder) const;

 private:
  std::function<std::string()> m_document;
};

}  // namespace spindle::web
