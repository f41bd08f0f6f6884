// Upload speed: a 1 GiB file by the uploader (UploadQueue: SigV4, multipart in 16 MiB parts,
// MD5 and SHA-256 of every part) and by the curl CLI (one PUT of the same file to a presigned
// URL of the same server), in the same run, alternating, to two servers over TLS on loopback:
//   - s3rver, the S3 test peer (tests/peers/s3/server.js, Node). Its CompleteMultipartUpload
//     copies every part into the object, a second write of the whole file that curl's single
//     PUT does not cause, so the multipart figure is also given up to the moment every part was
//     accepted;
//   - the sink (s3_sink.hpp), in this process: bodies streamed to files, Complete as metadata
//     only, as real S3 does it.
// For each server: curl, the uploader's multipart upload end to end (Complete included), and
// the uploader with one PutObject (curl's request shape). Prints MB/s of each and the ratio to
// curl (goal: uploader >= 50 % of curl). Every figure includes the server's work; the sink's
// shares the process and the two cores with the uploader, as s3rver and curl do.
//
//   build/bench/s3_upload_bench [size_mib=1024] [rounds=2] [servers=s3rver,sink]
// Files go to $SPINDLE_BENCH_DIR (default /tmp/spindle-s3-bench), removed at the end.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "base/log.hpp"
#include "loopback_tls.hpp"
#include "s3_peer.hpp"
#include "s3_sink.hpp"
#include "upload/sigv4.hpp"
#include "upload/upload_queue.hpp"

namespace {

using namespace spindle;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

fs::path benchDir() {
  const char* env = std::getenv("SPINDLE_BENCH_DIR");
  return fs::path(env != nullptr && *env != '\0' ? env : "/tmp/spindle-s3-bench");
}

void writeFile(const std::string& path, std::uint64_t size) {
  std::mt19937_64 random(42);
  std::vector<std::uint64_t> block((1u << 20) / 8);
  std::ofstream out(path, std::ios::binary);
  for (std::uint64_t done = 0; done < size; done += 1u << 20) {
    for (auto& v : block) v = random();
    out.write(reinterpret_cast<const char*>(block.data()),
              static_cast<std::streamsize>(std::min<std::uint64_t>(1u << 20, size - done)));
  }
}

double curlSeconds(const std::string& cert, const std::string& file, const std::string& url) {
  const std::string command =
      "curl -sS --fail --cacert '" + cert + "' -T '" + file + "' '" + url + "' -o /dev/null";
  const auto start = Clock::now();
  if (std::system(command.c_str()) != 0) throw std::runtime_error("curl failed: " + command);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Seconds to upload `file`; `partsDone` receives the seconds until every part was accepted
/// (the rest is CompleteMultipartUpload).
double uploaderSeconds(upload::UploadQueue& queue, const std::string& file, const std::string& key,
                       double* partsDone = nullptr) {
  std::mutex mutex;
  std::optional<upload::UploadDone> done;
  queue.onFinished([&](const upload::UploadDone& d) {
    std::lock_guard lock(mutex);
    done = d;
  });
  const auto start = Clock::now();
  auto id = queue.enqueue({.path = file, .key = key});
  if (!id) throw std::runtime_error(id.error().describe());
  queue.start();
  while (true) {
    {
      std::lock_guard lock(mutex);
      if (done) break;
    }
    if (partsDone != nullptr && *partsDone == 0) {
      const auto status = queue.status(*id);
      if (status && status->partsTotal > 0 && status->partsDone == status->partsTotal) {
        *partsDone = std::chrono::duration<double>(Clock::now() - start).count();
      }
    }
    std::this_thread::sleep_for(2ms);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Complete answered within one look at the status: every part accepted at the end.
  if (partsDone != nullptr && *partsDone == 0) *partsDone = seconds;
  queue.stop();
  if (!done->ok) throw std::runtime_error("upload failed: " + done->error);
  return seconds;
}

/// A server under test.
struct Server {
  std::string label;  ///< "s3rver", "sink"
  std::string endpoint;
  std::uint16_t port = 0;
  /// The size of a stored object, to check an upload landed whole; empty: not checked.
  std::function<std::optional<std::uint64_t>(const std::string& key)> objectSize;
  std::function<void()> clear;  ///< forgets the objects (keeps the disk from filling up)
};

/// Seconds of each way of sending; best() keeps the smallest of each.
struct Figures {
  double curl = 1e9, multi = 1e9, parts = 1e9, single = 1e9;
  void best(const Figures& f) {
    curl = std::min(curl, f.curl);
    multi = std::min(multi, f.multi);
    parts = std::min(parts, f.parts);
    single = std::min(single, f.single);
  }
};

struct Setup {
  std::string dir, cert, file;
  std::uint64_t size = 0;
  upload::UploadOptions options;
  std::shared_ptr<net::http::HttpClient> http;
};

void checkStored(const Server& server, const std::string& key, std::uint64_t size) {
  if (!server.objectSize) return;
  const auto stored = server.objectSize(key);
  if (stored != size) {
    throw std::runtime_error(server.label + " holds " +
                             (stored ? std::to_string(*stored) + " bytes" : "nothing") + " as " +
                             key + ", not " + std::to_string(size) + " bytes");
  }
}

double queueSeconds(const Setup& setup, const upload::UploadOptions& options,
                    const std::string& key, double* partsDone) {
  auto queue = upload::UploadQueue::create(options, setup.dir + "/data", setup.http);
  if (!queue) throw std::runtime_error(queue.error().describe());
  return uploaderSeconds(**queue, setup.file, key, partsDone);
}

Figures runRound(const Setup& setup, const Server& server, int round) {
  Figures f;
  const std::string suffix = "-" + std::to_string(round) + ".bin";
  const upload::S3Credentials creds{"S3RVER", "S3RVER", "us-east-1", "s3"};
  const std::string url =
      upload::presignUrl(creds, server.endpoint, "127.0.0.1:" + std::to_string(server.port),
                         {.method = "PUT", .path = "/bench/curl" + suffix}, 3600s,
                         upload::amzDate(std::chrono::system_clock::now()));
  f.curl = curlSeconds(setup.cert, setup.file, url);
  checkStored(server, "curl" + suffix, setup.size);
  upload::UploadOptions multi = setup.options;
  multi.endpoint = server.endpoint;
  f.parts = 0;
  f.multi = queueSeconds(setup, multi, "multi" + suffix, &f.parts);
  checkStored(server, "multi" + suffix, setup.size);
  // curl's request shape: one PutObject (the digests read first, then the body sent).
  upload::UploadOptions one = multi;
  one.multipartThreshold = {5ull << 30};
  f.single = queueSeconds(setup, one, "single" + suffix, nullptr);
  checkStored(server, "single" + suffix, setup.size);
  const double mb = static_cast<double>(setup.size) / 1e6;
  std::printf(
      "round %d (%s): curl %.1f MB/s (%.2f s) | uploader multipart %.1f MB/s (%.2f s, every part "
      "accepted at %.2f s), ratio %.2f | uploader one PUT %.1f MB/s (%.2f s), ratio %.2f\n",
      round + 1, server.label.c_str(), mb / f.curl, f.curl, mb / f.multi, f.multi, f.parts,
      f.curl / f.multi, mb / f.single, f.single, f.curl / f.single);
  std::fflush(stdout);
  server.clear();
  return f;
}

void printBest(const Setup& setup, const Server& server, const Figures& b, int rounds) {
  const double mb = static_cast<double>(setup.size) / 1e6;
  std::printf(
      "%s: upload of %.0f MiB, best of %d: curl %.1f MB/s | uploader multipart %.1f MB/s, ratio "
      "%.2f (until every part was accepted: %.1f MB/s, ratio %.2f) | uploader one PUT %.1f "
      "MB/s, ratio %.2f | goal: ratio >= 0.50\n",
      server.label.c_str(), static_cast<double>(setup.size) / (1 << 20), rounds, mb / b.curl,
      mb / b.multi, b.curl / b.multi, mb / b.parts, b.curl / b.parts, mb / b.single,
      b.curl / b.single);
}

}  // namespace

int main(int argc, char** argv) {
  Setup setup;
  setup.size = (argc > 1 ? std::stoull(argv[1]) : 1024) << 20;
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 2;
  const std::string servers = argc > 3 ? argv[3] : "s3rver,sink";
  const fs::path dir = benchDir();
  fs::remove_all(dir);
  fs::create_directories(dir);
  setup.dir = dir.string();
  setup.cert = dir / "server.pem";
  const std::string key = dir / "server.key";
  if (!bench::makeLoopbackCertificate(setup.cert, key)) {
    std::fprintf(stderr, "openssl req failed\n");
    return 1;
  }
  std::vector<Server> list;
  std::optional<testing::S3Peer> peer;
  std::optional<bench::S3Sink> sink;
  std::stringstream names(servers);
  for (std::string name; std::getline(names, name, ',');) {
    if (name == "s3rver") {
      peer.emplace(dir.string(), setup.cert, key, std::vector<std::string>{"bench"});
      if (const std::string why = peer->start(); !why.empty()) {
        std::fprintf(stderr, "%s\n", why.c_str());
        return 1;
      }
      list.push_back({"s3rver", peer->endpoint(), peer->port(), nullptr, [&dir] {
                        fs::remove_all(dir / "objects" / "bench");
                        fs::create_directories(dir / "objects" / "bench");
                      }});
    } else if (name == "sink") {
      sink.emplace(dir / "sink", setup.cert, key);
      list.push_back({"sink", sink->endpoint(), sink->port(),
                      [&sink](const std::string& k) { return sink->objectSize("bench", k); },
                      [&sink] { sink->clear(); }});
    } else {
      std::fprintf(stderr, "unknown server %s (s3rver, sink)\n", name.c_str());
      return 1;
    }
  }
  setup.file = dir / "payload.bin";
  writeFile(setup.file, setup.size);
  const std::string secret = dir / "secret";
  std::ofstream(secret) << "S3RVER\n";

  net::http::HttpClientOptions http;
  http.caFile = setup.cert;
  http.edgeId = "bench";
  auto client = net::http::HttpClient::create(http);
  if (!client) return 1;
  setup.http = std::shared_ptr<net::http::HttpClient>(std::move(client.value()));
  setup.options.bucket = "bench";
  setup.options.accessKeyId = "S3RVER";
  setup.options.secretAccessKeyFile = secret;

  std::vector<Figures> best(list.size());
  try {
    for (int round = 0; round < rounds; ++round) {
      for (std::size_t i = 0; i < list.size(); ++i) best[i].best(runRound(setup, list[i], round));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  for (std::size_t i = 0; i < list.size(); ++i) printBest(setup, list[i], best[i], rounds);
  setup.http.reset();
  sink.reset();
  if (peer) peer->stop();
  fs::remove_all(dir);
  return 0;
}
