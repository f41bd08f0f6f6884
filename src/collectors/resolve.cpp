#include "collectors/resolve.hpp"

#include <memory>

#include <boost/asio/post.hpp>

namespace spindle::collectors {

namespace asio = boost::asio;

void systemResolve(const std::string& host, std::uint16_t port, asio::any_io_executor where,
                   ResolveHandler handler) {
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(where);
  resolver->async_resolve(host, std::to_string(port),
                          [resolver, handler = std::move(handler)](
                              const boost::system::error_code& ec,
                              const asio::ip::tcp::resolver::results_type& results) {
                            if (ec) {
                              handler(Error(ErrorCode::kNotFound, ec.message()));
                              return;
                            }
                            Endpoints endpoints;
                            for (const auto& entry : results) endpoints.push_back(entry.endpoint());
                            handler(std::move(endpoints));
                          });
}

}  // namespace spindle::collectors
