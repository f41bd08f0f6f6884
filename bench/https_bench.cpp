// The HTTPS uplink's speed (goal: >= 500k observations/s with compression) to a loopback
// HTTPS server in this process (Boost.Beast over OpenSSL: keep-alive, TLS 1.3, answers 200 to
// each batch after reading it whole). The journal is filled first; the figure is observations
// per wall second from the engine's start until the server has acknowledged the last one,
// with the edge's CPU per observation (server included: both share the two cores).
//
// Files go to $SPINDLE_BENCH_DIR (default /tmp/spindle-https-bench); the server's certificate
// is made there with the openssl CLI.

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include <benchmark/benchmark.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <sys/resource.h>

#include "base/log.hpp"
#include "fleet_workload.hpp"
#include "journal/journal.hpp"
#include "loopback_tls.hpp"
#include "uplinks/delivery_engine.hpp"
#include "uplinks/https/https_uplink.hpp"

namespace {

using namespace spindle;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

fs::path benchDir() { return bench::benchDir("/tmp/spindle-https-bench"); }
using bench::cpuSeconds;

/// A loopback HTTPS server: a thread per connection, each reading requests and answering 200.
class BatchServer {
 public:
  explicit BatchServer(const fs::path& dir) : m_ssl(asio::ssl::context::tls_server) {
    const std::string cert = (dir / "server.pem").string(), key = (dir / "server.key").string();
    if (!bench::makeLoopbackCertificate(cert, key)) throw std::runtime_error("openssl req failed");
    m_ssl.use_certificate_chain_file(cert);
    m_ssl.use_private_key_file(key, asio::ssl::context::pem);
    m_caFile = cert;
    m_acceptor.open(tcp::v4());
    m_acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
    m_acceptor.listen();
    m_thread = std::thread([this] { acceptLoop(); });
  }
  ~BatchServer() {
    m_stopping = true;
    beast::error_code ec;
    tcp::socket wake(m_io);  // a blocked accept() returns for this connection
    wake.connect({asio::ip::make_address("127.0.0.1"), port()}, ec);
    m_thread.join();
    m_acceptor.close(ec);
    for (auto& t : m_connections) t.join();
  }
  std::uint16_t port() const { return m_acceptor.local_endpoint().port(); }
  const std::string& caFile() const { return m_caFile; }
  std::uint64_t observations() const { return m_observations.load(); }

 private:
  void acceptLoop() {
    while (!m_stopping) {
      beast::error_code ec;
      tcp::socket socket = m_acceptor.accept(ec);
      if (ec || m_stopping) return;
      m_connections.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }
  void serve(tcp::socket socket) {
    beast::ssl_stream<tcp::socket> stream(std::move(socket), m_ssl);
    beast::error_code ec;
    stream.handshake(asio::ssl::stream_base::server, ec);
    beast::flat_buffer buffer;
    while (!ec && !m_stopping) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(256U << 20);
      http::read(stream, buffer, parser, ec);
      if (ec) break;
      const auto& rq = parser.get();
      m_observations += std::strtoull(std::string(rq["Spindle-Count"]).c_str(), nullptr, 10);
      http::response<http::string_body> rs{http::status::ok, rq.version()};
      rs.set(http::field::content_type, "application/json");
      rs.body() = "{}";
      rs.keep_alive(rq.keep_alive());
      rs.prepare_payload();
      http::write(stream, rs, ec);
    }
    stream.shutdown(ec);
  }

  asio::io_context m_io;
  asio::ssl::context m_ssl;
  tcp::acceptor m_acceptor{m_io};
  std::string m_caFile;
  std::atomic<bool> m_stopping{false};
  std::atomic<std::uint64_t> m_observations{0};
  std::thread m_thread;
  std::vector<std::thread> m_connections;
};

using bench::Workload;

/// state.range(0) observations from a filled journal to the server; state.range(1): zstd on.
void BM_HttpsUplink(benchmark::State& state) {
  static const Workload w;
  const auto total = static_cast<std::size_t>(state.range(0));
  const bool compress = state.range(1) != 0;
  double wall = 0, cpu = 0;
  std::uint64_t bytesOut = 0, bytesRaw = 0, requests = 0;
  for (auto _ : state) {
    const fs::path dir = benchDir();
    fs::remove_all(dir);
    fs::create_directories(dir);
    BatchServer server(dir);
    SystemClock clock;
    journal::Settings s;
    s.dir = (dir / "journal").string();
    s.sync = journal::parseSyncPolicy("50ms").value();
    s.consumers = {"https"};
    s.maxSize = 8ULL << 30;
    auto j = journal::Journal::open(s, clock);
    if (!j) {
      state.SkipWithError(j.error().describe().c_str());
      return;
    }
    std::size_t appended = 0;
    for (std::size_t i = 0; appended < total; ++i) {
      const auto& batch = w.batches[i % w.batches.size()];
      if (!(*j)->append(batch, w.catalog)) break;
      appended += batch.size();
    }
    (void)(*j)->commit();
    (*j)->poll();

    net::http::HttpClientOptions c;
    c.edgeId = "bench";
    c.caFile = server.caFile();
    c.systemStore = false;
    c.maxConnectionsPerHost = 8;
    uplinks::https::HttpsUplinkOptions o;
    o.backlogRate = 0;
    o.maxInFlight = 8;
    o.compressAbove = ByteSize{compress ? 4096u : 0u};
    auto client = net::http::HttpClient::create(c);
    const std::string url =
        "https://127.0.0.1:" + std::to_string(server.port()) + "/v1/edges/bench/data";
    model::ItemCatalog& catalog = const_cast<model::ItemCatalog&>(w.catalog);
    uplinks::DeliveryEngine engine(**j,
                                   std::make_unique<uplinks::https::HttpsUplink>(
                                       o, url, "bench", std::nullopt, std::move(*client), catalog),
                                   catalog);
    const double cpu0 = cpuSeconds();
    const auto started = std::chrono::steady_clock::now();
    if (auto st = engine.start(); !st) {
      state.SkipWithError(st.error().describe().c_str());
      return;
    }
    while (server.observations() < appended) {
      (*j)->poll();  // the journal's writer: makes the 50 ms group commits durable
      std::this_thread::sleep_for(200us);
    }
    wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    cpu = cpuSeconds() - cpu0;
    state.SetIterationTime(wall);
    const auto stats = engine.stats();
    for (const auto& [name, v] : stats.counters) {
      if (name == "bytes_out") bytesOut = v;
      if (name == "bytes_raw") bytesRaw = v;
      if (name == "requests") requests = v;
    }
    engine.stop();
    j->reset();
  }
  state.counters["obs/s_wall"] = static_cast<double>(total) / wall;
  state.counters["cpu_us/obs"] = cpu * 1e6 / static_cast<double>(total);
  state.counters["requests"] = static_cast<double>(requests);
  state.counters["bytes/obs"] = static_cast<double>(bytesOut) / static_cast<double>(total);
  state.counters["ratio"] = bytesOut > 0 ? static_cast<double>(bytesRaw) / bytesOut : 0;
  fs::remove_all(benchDir());
}
BENCHMARK(BM_HttpsUplink)
    ->ArgNames({"obs", "zstd"})
    ->Args({2'000'000, 1})
    ->Args({2'000'000, 0})
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  spindle::setupLogging(spindle::LogFormat::kText, spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
