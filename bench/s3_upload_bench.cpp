// Upload speed: a 1 GiB file to the S3 test peer (s3rver over TLS on loopback, behind
// tests/peers/s3/server.js), by the uploader (UploadQueue: SigV4, multipart in 16 MiB parts,
// MD5 and SHA-256 of every part) and by the curl CLI (one PUT of the same file to a presigned
// URL of the same server), in the same run, alternating. Prints MB/s of each and the ratio
// (goal: uploader >= 50 % of curl). Both include the server's work. The multipart figure also
// includes CompleteMultipartUpload, in which s3rver copies every part into the object (a second
// write of the whole file that curl's single PUT does not cause), so it is also given up to the
// moment every part was accepted; and the uploader is measured with one PutObject, curl's
// request shape.
//
//   build/bench/s3_upload_bench [size_mib=1024] [rounds=2]
// Files go to $SPINDLE_BENCH_DIR (default /tmp/spindle-s3-bench), removed at the end.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/log.hpp"
#include "s3_peer.hpp"
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
/// (the rest is CompleteMultipartUpload, in which s3rver copies the parts into the object).
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
  queue.stop();
  if (!done->ok) throw std::runtime_error("upload failed: " + done->error);
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t size = (argc > 1 ? std::stoull(argv[1]) : 1024) << 20;
  const int rounds = argc > 2 ? std::stoi(argv[2]) : 2;
  const fs::path dir = benchDir();
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string cert = dir / "server.pem", key = dir / "server.key";
  const std::string make =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
      key + "' -out '" + cert + "' > /dev/null 2>&1";
  if (std::system(make.c_str()) != 0) {
    std::fprintf(stderr, "openssl req failed\n");
    return 1;
  }
  testing::S3Peer peer(dir.string(), cert, key, {"bench"});
  if (const std::string why = peer.start(); !why.empty()) {
    std::fprintf(stderr, "%s\n", why.c_str());
    return 1;
  }
  const std::string file = dir / "payload.bin";
  writeFile(file, size);
  const std::string secret = dir / "secret";
  std::ofstream(secret) << "S3RVER\n";

  net::http::HttpClientOptions http;
  http.caFile = cert;
  http.edgeId = "bench";
  auto client = net::http::HttpClient::create(http);
  if (!client) return 1;
  std::shared_ptr<net::http::HttpClient> shared(std::move(client.value()));
  upload::UploadOptions options;
  options.endpoint = peer.endpoint();
  options.bucket = "bench";
  options.accessKeyId = "S3RVER";
  options.secretAccessKeyFile = secret;

  const double mb = static_cast<double>(size) / 1e6;
  double bestCurl = 1e9, bestMulti = 1e9, bestParts = 1e9, bestSingle = 1e9;
  for (int round = 0; round < rounds; ++round) {
    const upload::S3Credentials creds{"S3RVER", "S3RVER", "us-east-1", "s3"};
    const std::string url = upload::presignUrl(
        creds, peer.endpoint(), "127.0.0.1:" + std::to_string(peer.port()),
        {.method = "PUT", .path = "/bench/curl-" + std::to_string(round) + ".bin"}, 3600s,
        upload::amzDate(std::chrono::system_clock::now()));
    const double c = curlSeconds(cert, file, url);
    double parts = 0;
    auto multi = upload::UploadQueue::create(options, (dir / "data").string(), shared);
    if (!multi) {
      std::fprintf(stderr, "%s\n", multi.error().describe().c_str());
      return 1;
    }
    const double m = uploaderSeconds(**multi, file, "multi-" + std::to_string(round), &parts);
    // curl's request shape: one PutObject (the digests read first, then the body sent).
    upload::UploadOptions one = options;
    one.multipartThreshold = {5ull << 30};
    auto single = upload::UploadQueue::create(one, (dir / "data").string(), shared);
    const double p = uploaderSeconds(**single, file, "single-" + std::to_string(round));
    std::printf(
        "round %d: curl %.1f MB/s (%.2f s); uploader multipart %.1f MB/s (%.2f s, every part "
        "accepted at %.2f s); uploader one PUT %.1f MB/s (%.2f s)\n",
        round + 1, mb / c, c, mb / m, m, parts, mb / p, p);
    std::fflush(stdout);
    bestCurl = std::min(bestCurl, c);
    bestMulti = std::min(bestMulti, m);
    bestParts = std::min(bestParts, parts);
    bestSingle = std::min(bestSingle, p);
    fs::remove_all(dir / "objects" / "bench");  // keep the disk from filling up
    fs::create_directories(dir / "objects" / "bench");
  }
  std::printf(
      "s3 upload of %.0f MiB, best of %d: curl %.1f MB/s | uploader multipart %.1f MB/s, ratio "
      "%.2f (until every part was accepted: %.1f MB/s, ratio %.2f) | uploader one PUT %.1f "
      "MB/s, ratio %.2f | goal: ratio >= 0.50\n",
      static_cast<double>(size) / (1 << 20), rounds, mb / bestCurl, mb / bestMulti,
      bestCurl / bestMulti, mb / bestParts, bestCurl / bestParts, mb / bestSingle,
      bestCurl / bestSingle);
  peer.stop();
  fs::remove_all(dir);
  return 0;
}
