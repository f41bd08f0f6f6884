#pragma once
/// Test support: one blocking HTTP/1.1 request on 127.0.0.1 with any method, headers and body,
/// over plain TCP or TLS (trusting one CA file, checking the name 127.0.0.1). Header-only.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace spindle::web::testing {

struct HttpReply {
  int status = 0;
  std::multimap<std::string, std::string> headers;  ///< names in lower case
  std::string body;
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpCall {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool host = true;      ///< send Host: 127.0.0.1:<port>
  std::string trustPem;  ///< set: TLS, trusting this certificate file
};

inline HttpReply httpCall(std::uint16_t port, const HttpCall& call) {
  namespace http = boost::beast::http;
  namespace ssl = boost::asio::ssl;
  boost::asio::io_context io;
  http::request<http::string_body> req(http::string_to_verb(call.method), call.target, 11);
  if (call.host) req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : call.headers) req.insert(name, value);
  req.body() = call.body;
  if (!call.body.empty()) req.prepare_payload();
  req.keep_alive(false);
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  boost::beast::flat_buffer buffer;
  const boost::asio::ip::tcp::endpoint where(boost::asio::ip::make_address("127.0.0.1"), port);
  if (call.trustPem.empty()) {
    boost::beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(20));
    stream.connect(where);
    http::write(stream, req);
    http::read(stream, buffer, parser);
  } else {
    ssl::context ctx(ssl::context::tls_client);
    ctx.load_verify_file(call.trustPem);
    ctx.set_verify_mode(ssl::verify_peer);
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream(io, ctx);
    stream.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
    boost::beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
    boost::beast::get_lowest_layer(stream).connect(where);
    stream.handshake(ssl::stream_base::client);
    http::write(stream, req);
    http::read(stream, buffer, parser);
  }
  HttpReply r;
  r.status = parser.get().result_int();
  for (const auto& field : parser.get()) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers.emplace(std::move(name), std::string(field.value()));
  }
  r.body = std::move(parser.get().body());
  return r;
}

}  // namespace spindle::web::testing
