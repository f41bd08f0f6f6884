#include "web/status_endpoint.hpp"

namespace spindle::web {

bool StatusEndpoint::handle(const HttpRequest& request, Responder& responder) const {
  std::string_view path = request.path;
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path != kPath) return false;
  if (request.method != "GET") {
    responder.reply(405, "application/json", R"({"error":"only GET is served here"})");
    return true;
  }
  responder.reply(200, "application/json", m_document ? m_document() : "{}");
  return true;
}

}  // namespace spindle::web
