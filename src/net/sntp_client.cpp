#include "net/sntp_client.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace spindle::net {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

struct Exchange : std::enable_shared_from_this<Exchange> {
  Exchange(asio::any_io_executor ex, udp::endpoint to, Duration t,
           std::function<void(Result<SntpSample>)> cb, std::shared_ptr<const Clock> c)
      : strand(asio::make_strand(ex)),
        socket(strand),
        timer(strand),
        server(to),
        timeout(t),
        done(std::move(cb)),
        clock(c ? std::move(c) : std::make_shared<SystemClock>()) {}

  void start() {
    boost::system::error_code ec;
    socket.open(server.protocol(), ec);
    if (!ec) socket.connect(server, ec);  // connected: ICMP port unreachable becomes an error
    if (ec) {
      finish(Error(ErrorCode::kIo, "cannot send to " + describe() + ": " + ec.message()));
      return;
    }
    timer.expires_after(timeout);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& tec) {
      if (tec) return;
      self->finish(Error(ErrorCode::kTimeout, "no NTP answer from " + self->describe() +
                                                  " within " + formatDuration(self->timeout)));
    });
    sent = clock->now();
    request = makeSntpRequest(sent);
    socket.async_send(asio::buffer(request),
                      [self = shared_from_this()](const boost::system::error_code& sec, size_t) {
                        if (sec) {
                          self->finish(self->socketError(sec));
                          return;
                        }
                        self->receive();
                      });
  }

  void receive() {
    socket.async_receive(asio::buffer(reply), [self = shared_from_this()](
                                                  const boost::system::error_code& ec, size_t n) {
      if (self->finished) return;
      if (ec) {
        self->finish(self->socketError(ec));
        return;
      }
      const TimestampNs received = self->clock->now();
      auto parsed = parseNtpReply(std::span<const std::uint8_t>(self->reply.data(), n));
      if (!parsed) {
        self->finish(std::move(parsed).error().with("reading the answer of " + self->describe()));
        return;
      }
      if (parsed->originate != toNtp(self->sent)) {
        self->receive();  // a late reply to an earlier request: keep waiting
        return;
      }
      auto sample = evaluateSntp(*parsed, self->sent, received);
      if (!sample) {
        self->finish(std::move(sample).error().with("NTP server " + self->describe()));
        return;
      }
      self->finish(std::move(sample));
    });
  }

  Error socketError(const boost::system::error_code& ec) const {
    if (ec == asio::error::connection_refused) {
      return Error(ErrorCode::kUnavailable,
                   "nothing answers NTP at " + describe() + " (ICMP port unreachable)");
    }
    return Error(ErrorCode::kIo, "NTP exchange with " + describe() + ": " + ec.message());
  }

  std::string describe() const {
    return (server.address().is_v6() ? "[" + server.address().to_string() + "]"
                                     : server.address().to_string()) +
           ":" + std::to_string(server.port());
  }

  void finish(Result<SntpSample> result) {
    if (finished) return;
    finished = true;
    timer.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
    done(std::move(result));
  }

  asio::strand<asio::any_io_executor> strand;
  udp::socket socket;
  asio::steady_timer timer;
  udp::endpoint server;
  Duration timeout;
  std::function<void(Result<SntpSample>)> done;
  std::shared_ptr<const Clock> clock;
  NtpPacket request{};
  std::array<std::uint8_t, 512> reply{};
  TimestampNs sent = 0;
  bool finished = false;
};

}  // namespace

void querySntp(asio::any_io_executor executor, udp::endpoint server, Duration timeout,
               std::function<void(Result<SntpSample>)> done, std::shared_ptr<const Clock> clock) {
  auto deliver = [executor, done = std::move(done)](Result<SntpSample> r) {
    asio::post(executor, [done, r = std::move(r)]() mutable { done(std::move(r)); });
  };
  auto exchange =
      std::make_shared<Exchange>(executor, server, timeout, std::move(deliver), std::move(clock));
  asio::post(exchange->strand, [exchange] { exchange->start(); });
}

}  // namespace spindle::net
