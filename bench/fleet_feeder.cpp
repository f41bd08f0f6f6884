// A fleet of SHDR adapters in one process, for scripts/bench-fleet: machine i listens on
// 127.0.0.1:<base + i> and sends every connected client one line per period that changes
// `items` data items (half samples, half events), stamped with the wall clock. It prints
// "ready <machines>" once every port is bound, then runs until SIGINT/SIGTERM.
//
//   fleet_feeder --machines 2000 --base-port 21000 --items 20 --hz 10

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "base/time.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Client {
  explicit Client(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::string out;    ///< the line being written
  bool busy = false;  ///< a write is in flight: the next period's line is skipped
  bool closed = false;
};

struct Machine {
  Machine(asio::io_context& io, std::uint16_t port)
      : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {}
  tcp::acceptor acceptor;
  std::vector<std::shared_ptr<Client>> clients;
  std::uint64_t tick = 0;
};

void accept(Machine& m) {
  m.acceptor.async_accept([&m](boost::system::error_code ec, tcp::socket s) {
    if (ec) return;
    s.set_option(tcp::no_delay(true));
    m.clients.push_back(std::make_shared<Client>(std::move(s)));
    accept(m);
  });
}

/// One line: `items` keys, the first half samples (x0.. numbers), the rest events (e0.. text).
void line(std::string& out, std::size_t machine, std::uint64_t tick, int items) {
  out = spindle::formatTimestamp(spindle::wallClockNs());
  for (int k = 0; k < items; ++k) {
    if (k < items / 2) {
      fmt::format_to(
          std::back_inserter(out), "|x{}|{:.3f}", k,
          static_cast<double>((tick * 7 + machine * 13 + static_cast<std::uint64_t>(k)) % 100000) /
              10.0);
    } else {
      fmt::format_to(std::back_inserter(out), "|e{}|S{}", k,
                     (tick + static_cast<std::uint64_t>(k)) % 97);
    }
  }
  out += '\n';
}

}  // namespace

int main(int argc, char** argv) {
  int machines = 100, items = 20, hz = 10;
  int base = 21000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    const int v = std::atoi(argv[i + 1]);
    if (a == "--machines")
      machines = v;
    else if (a == "--base-port")
      base = v;
    else if (a == "--items")
      items = v;
    else if (a == "--hz")
      hz = v;
    else {
      std::fprintf(stderr, "fleet_feeder: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (machines < 1 || items < 1 || hz < 1 || base < 1 || base + machines > 65535) {
    std::fprintf(stderr, "fleet_feeder: bad options\n");
    return 2;
  }
  asio::io_context io;
  std::vector<std::unique_ptr<Machine>> fleet;
  try {
    for (int i = 0; i < machines; ++i) {
      fleet.push_back(std::make_unique<Machine>(io, static_cast<std::uint16_t>(base + i)));
      accept(*fleet.back());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fleet_feeder: cannot listen on port %d: %s\n",
                 base + static_cast<int>(fleet.size()), e.what());
    return 1;
  }
  std::printf("ready %d\n", machines);
  std::fflush(stdout);
  const auto period = std::chrono::microseconds(1'000'000 / hz);
  asio::steady_timer timer(io);
  std::uint64_t skipped = 0;
  std::function<void()> tick = [&] {
    for (std::size_t i = 0; i < fleet.size(); ++i) {
      Machine& m = *fleet[i];
      ++m.tick;
      std::erase_if(m.clients, [](const auto& c) { return c->closed; });
      for (auto& c : m.clients) {
        if (c->busy) {
          ++skipped;
          continue;
        }
        line(c->out, i, m.tick, items);
        c->busy = true;
        asio::async_write(c->socket, asio::buffer(c->out),
                          [c](boost::system::error_code ec, std::size_t) {
                            c->busy = false;
                            if (ec) c->closed = true;
                          });
      }
    }
    timer.expires_at(timer.expiry() + period);
    timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) tick();
    });
  };
  timer.expires_after(period);
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) tick();
  });
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    std::fprintf(stderr, "fleet_feeder: stopping (%llu lines skipped behind slow clients)\n",
                 static_cast<unsigned long long>(skipped));
    io.stop();
  });
  io.run();
  return 0;
}
