#pragma once
/// Test support: a blocking HTTP/1.1 GET on 127.0.0.1 (Boost.Beast, synchronous). Header-only.

#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace spindle::web::testing {

struct HttpResult {
  int status = 0;
  std::string contentType;
  std::string body;
};

inline HttpResult httpGet(std::uint16_t port, const std::string& target,
                          const std::string& accept = "") {
  namespace http = boost::beast::http;
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!accept.empty()) req.set(http::field::accept, accept);
  req.keep_alive(false);
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(256 << 20);
  http::read(stream, buffer, parser);
  HttpResult r;
  r.status = parser.get().result_int();
  r.contentType = std::string(parser.get()[http::field::content_type]);
  r.body = std::move(parser.get().body());
  return r;
}

}  // namespace spindle::web::testing
