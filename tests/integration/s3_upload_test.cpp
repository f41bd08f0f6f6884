// Uploads to S3 against a real peer on loopback: s3rver (npm) over TLS with a CA made by the
// openssl CLI, behind tests/peers/s3/server.js, which checks SigV4 signatures and Content-MD5
// as S3 does (s3rver alone checks neither). Objects are read back and compared byte for byte.
// Nothing leaves 127.0.0.0/8.

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include <gtest/gtest.h>

#include "net/http/http_client.hpp"
#include "netcheck_peers.hpp"
#include "s3_peer.hpp"
#include "upload/sigv4.hpp"
#include "upload/upload_queue.hpp"

namespace spindle::testing {
namespace {

using namespace netcheck_peers;
using namespace std::chrono_literals;
using upload::UploadDone;
using upload::UploadOptions;
using upload::UploadQueue;
namespace fs = std::filesystem;

std::string randomFile(const std::string& path, std::size_t size, unsigned seed) {
  std::mt19937_64 random(seed);
  std::string data(size, '\0');
  for (std::size_t i = 0; i + 8 <= size; i += 8) {
    const std::uint64_t v = random();
    std::memcpy(&data[i], &v, 8);
  }
  std::ofstream(path, std::ios::binary) << data;
  return data;
}

/// Collects what a queue reports as finished.
struct Finished {
  std::mutex mutex;
  std::vector<UploadDone> done;
  void attach(UploadQueue& q) {
    q.onFinished([this](const UploadDone& d) {
      std::lock_guard lock(mutex);
      done.push_back(d);
    });
  }
  std::optional<UploadDone> find(const std::string& id) {
    std::lock_guard lock(mutex);
    for (const auto& d : done) {
      if (d.id == id) return d;
    }
    return std::nullopt;
  }
  UploadDone wait(const std::string& id, std::chrono::milliseconds limit = 60s) {
    std::optional<UploadDone> d;
    eventually([&] { return (d = find(id)).has_value(); }, limit);
    if (!d) {
      ADD_FAILURE() << "upload " << id << " did not finish";
      return {};
    }
    return *d;
  }
};

class S3Upload : public ::testing::Test {
 protected:
  void SetUp() override {
    m_openssl = findProgram("openssl");
    if (m_openssl.empty()) GTEST_SKIP() << "openssl is not installed: apt-get install openssl";
    m_dir = std::make_unique<ScratchDir>("s3");
    m_pki = std::make_unique<TestPki>(m_openssl, *m_dir);
    ASSERT_TRUE(m_pki->makeCa("ca", "/O=Spindle Tests/CN=Spindle Test Root CA"));
    ASSERT_TRUE(m_pki->makeServer("s3", "ca", {"127.0.0.1"}));
    m_peer = std::make_unique<S3Peer>(m_dir->path().string(), m_pki->pem("s3"), m_pki->key("s3"),
                                      std::vector<std::string>{"uploads"});
    const std::string why = m_peer->start();
    ASSERT_EQ(why, "");
    m_secret = m_dir->write("s3.secret", "S3RVER\n");
    m_http = client(3);
  }

  std::shared_ptr<net::http::HttpClient> client(int retries) const {
    net::http::HttpClientOptions o;
    o.edgeId = "edge-test";
    o.caFile = m_pki->pem("ca");
    o.retries = retries;
    o.retryMin = 50ms;
    o.retryMax = 200ms;
    o.connectTimeout = 5s;
    o.timeout = 30s;
    o.maxResponse = 64u << 20;
    auto made = net::http::HttpClient::create(o);
    EXPECT_TRUE(made);
    return std::shared_ptr<net::http::HttpClient>(std::move(made.value()));
  }

  UploadOptions options(const std::string& endpoint = "") const {
    UploadOptions o;
    o.endpoint = endpoint.empty() ? m_peer->endpoint() : endpoint;
    o.bucket = "uploads";
    o.accessKeyId = "S3RVER";
    o.secretAccessKeyFile = m_secret;
    o.prefix = "edges/e1/";
    o.retryMin = 100ms;
    o.retryMax = 1s;
    return o;
  }

  std::unique_ptr<UploadQueue> queue(const UploadOptions& o,
                                     std::shared_ptr<net::http::HttpClient> http = nullptr) {
    auto made = UploadQueue::create(o, m_dir->path() / "data", http ? http : m_http);
    EXPECT_TRUE(made) << made.error().describe();
    return made ? std::move(made.value()) : nullptr;
  }

  /// The object as the peer serves it now.
  std::string object(const std::string& key) {
    const std::string file = *m_dir / "fetched.bin";
    const auto r =
        m_http->perform({.url = m_peer->endpoint() + "/uploads/" + upload::uriEncode(key, false),
                         .responseFile = file});
    EXPECT_EQ(r.status, 200) << (r.error ? r.error->describe() : "");
    return readFile(file);
  }

  std::string m_openssl;
  std::unique_ptr<ScratchDir> m_dir;
  std::unique_ptr<TestPki> m_pki;
  std::unique_ptr<S3Peer> m_peer;
  std::string m_secret;
  std::shared_ptr<net::http::HttpClient> m_http;
};

TEST_F(S3Upload, SmallFileGoesInOneSignedPutObject) {
  const std::string data = randomFile(*m_dir / "small.bin", 100 * 1024 + 3, 1);
  auto q = queue(options());
  Finished finished;
  finished.attach(*q);
  q->start();
  auto id = q->enqueue(
      {.path = *m_dir / "small.bin", .key = "diag/a bundle+1.bin", .metadata = {{"edge", "e1"}}});
  ASSERT_TRUE(id) << id.error().describe();
  const UploadDone done = finished.wait(*id);
  EXPECT_TRUE(done.ok) << done.error;
  EXPECT_EQ(done.key, "edges/e1/diag/a bundle+1.bin");
  EXPECT_EQ(object("edges/e1/diag/a bundle+1.bin"), data);
  EXPECT_TRUE(q->list().empty());
  EXPECT_EQ(q->partsSent(), 0);
  EXPECT_TRUE(fs::is_empty(q->dir()));
}

TEST_F(S3Upload, FortyMegabytesGoMultipartAndArriveWhole) {
  const std::string data = randomFile(*m_dir / "big.bin", 40u << 20, 2);
  auto q = queue(options());
  Finished finished;
  finished.attach(*q);
  q->start();
  auto id = q->enqueue({.path = *m_dir / "big.bin", .key = "export/big.bin"});
  ASSERT_TRUE(id) << id.error().describe();
  const UploadDone done = finished.wait(*id);
  ASSERT_TRUE(done.ok) << done.error;
  EXPECT_EQ(object("edges/e1/export/big.bin"), data);
  EXPECT_EQ(q->partsSent(), 3);  // 16 + 16 + 8 MiB
  for (int part = 1; part <= 3; ++part) EXPECT_EQ(m_peer->partRequests(part), 1) << part;
}

// The connection is cut in the middle of part 4 (a relay between the uploader and the peer,
// which refuses connections until healed); the HTTP client does not retry, so the queue
// records the failure. The queue object is then
// replaced by a new one on the same folder: it resumes and sends parts 4 to 8 only.
TEST_F(S3Upload, ResumesAfterTheConnectionIsCutMidPartWithoutResendingParts) {
  const std::string data = randomFile(*m_dir / "cut.bin", 40u << 20, 3);
  CuttingRelay relay(m_peer->port(), (17u << 20) + 4096);
  UploadOptions o = options("https://127.0.0.1:" + std::to_string(relay.port()));
  o.partSize = {5u << 20};
  o.multipartThreshold = {5u << 20};
  o.parallelParts = 1;
  o.retryMin = 1h;  // the first queue must not try again by itself
  o.retryMax = 1h;
  std::string id;
  {
    auto q = queue(o, client(0));
    q->start();
    auto queued = q->enqueue({.path = *m_dir / "cut.bin", .key = "hf/capture.bin"});
    ASSERT_TRUE(queued) << queued.error().describe();
    id = *queued;
    ASSERT_TRUE(eventually([&] { return q->status(id) && q->status(id)->attempts == 1; }, 60s));
    EXPECT_TRUE(relay.cut());
    const auto status = *q->status(id);
    EXPECT_EQ(status.partsDone, 3) << status.error;
    EXPECT_EQ(status.partsTotal, 8);
    EXPECT_FALSE(status.error.empty());
  }
  relay.heal();
  ASSERT_TRUE(fs::exists(m_dir->path() / "data" / "uploads" / (id + ".json")));
  auto q = queue(o, client(0));
  Finished finished;
  finished.attach(*q);
  ASSERT_EQ(q->list().size(), 1u);
  q->start();
  const UploadDone done = finished.wait(id);
  ASSERT_TRUE(done.ok) << done.error;
  EXPECT_EQ(object("edges/e1/hf/capture.bin"), data);
  EXPECT_EQ(q->partsSent(), 5);  // parts 4..8
  for (int part = 1; part <= 8; ++part) {
    EXPECT_EQ(m_peer->partRequests(part), part == 4 ? 2 : 1) << "part " << part;
  }
}

TEST_F(S3Upload, PresignedPutUrlNeedsNoCredentials) {
  const std::string data = randomFile(*m_dir / "p.bin", 300 * 1024, 4);
  const upload::S3Credentials creds{"S3RVER", "S3RVER", "us-east-1", "s3"};
  const std::string host = "127.0.0.1:" + std::to_string(m_peer->port());
  const std::string url = upload::presignUrl(
      creds, m_peer->endpoint(), host, {.method = "PUT", .path = "/uploads/api/given key.bin"},
      600s, upload::amzDate(std::chrono::system_clock::now()));
  std::string tampered = url;
  tampered.replace(tampered.size() - 4, 4, "0000");
  UploadOptions o;  // no endpoint, no credentials
  o.retryMin = 100ms;
  auto q = queue(o);
  Finished finished;
  finished.attach(*q);
  q->start();
  auto good = q->enqueue({.path = *m_dir / "p.bin", .presignedUrl = url});
  ASSERT_TRUE(good) << good.error().describe();
  EXPECT_TRUE(finished.wait(*good).ok);
  EXPECT_EQ(object("api/given key.bin"), data);
  auto bad = q->enqueue({.path = *m_dir / "p.bin", .presignedUrl = tampered});
  ASSERT_TRUE(bad);
  const UploadDone refused = finished.wait(*bad);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.error.find("SignatureDoesNotMatch"), std::string::npos) << refused.error;
  EXPECT_EQ(refused.error.find("X-Amz-Signature"), std::string::npos) << "leaks the URL's query";
  EXPECT_FALSE(q->enqueue({.path = *m_dir / "p.bin", .key = "signed.bin"}))
      << "a signed upload without credentials must be refused";
}

TEST_F(S3Upload, WrongCredentialsAreRefusedWithAClearErrorAndNotRetried) {
  randomFile(*m_dir / "w.bin", 1000, 5);
  randomFile(*m_dir / "w-big.bin", 20u << 20, 6);
  std::ofstream(m_secret) << "not-the-secret\n";
  auto q = queue(options());
  Finished finished;
  finished.attach(*q);
  q->start();
  auto small = q->enqueue({.path = *m_dir / "w.bin", .key = "w.bin"});
  auto big = q->enqueue({.path = *m_dir / "w-big.bin", .key = "w-big.bin"});
  ASSERT_TRUE(small && big);
  for (const auto& id : {*small, *big}) {
    const UploadDone done = finished.wait(id);
    EXPECT_FALSE(done.ok);
    EXPECT_NE(done.error.find("S3 refused the access key / signature (SignatureDoesNotMatch): "
                              "check uploads.access_key_id and the secret file"),
              std::string::npos)
        << done.error;
  }
  const std::size_t requests = m_peer->requests().size();
  std::this_thread::sleep_for(500ms);  // five retry_min periods: a hot loop would show
  EXPECT_EQ(m_peer->requests().size(), requests);
  for (const auto& s : q->list()) {
    EXPECT_EQ(s.state, "failed");
    EXPECT_EQ(s.attempts, 1);
  }

  UploadOptions unknownKey = options();
  unknownKey.accessKeyId = "NOT-A-KEY";
  auto other = UploadQueue::create(unknownKey, m_dir->path() / "data2", m_http);
  ASSERT_TRUE(other);
  Finished finished2;
  finished2.attach(**other);
  (*other)->start();
  auto id = (*other)->enqueue({.path = *m_dir / "w.bin", .key = "w.bin"});
  ASSERT_TRUE(id);
  EXPECT_NE(finished2.wait(*id).error.find("(InvalidAccessKeyId): check uploads.access_key_id"),
            std::string::npos);
}

TEST_F(S3Upload, AMissingBucketIsRefusedForGood) {
  randomFile(*m_dir / "n.bin", 1000, 7);
  UploadOptions o = options();
  o.bucket = "no-such-bucket";
  auto q = queue(o);
  Finished finished;
  finished.attach(*q);
  q->start();
  auto id = q->enqueue({.path = *m_dir / "n.bin", .key = "n.bin"});
  ASSERT_TRUE(id);
  const UploadDone done = finished.wait(*id);
  EXPECT_FALSE(done.ok);
  EXPECT_NE(done.error.find("NoSuchBucket"), std::string::npos) << done.error;
  EXPECT_EQ(q->status(*id)->state, "failed");
}

TEST_F(S3Upload, TheQueueIsBounded) {
  randomFile(*m_dir / "b.bin", 1000, 8);
  UploadOptions o = options();
  o.maxPending = 2;
  auto q = queue(o);  // not started: everything stays queued
  EXPECT_TRUE(q->enqueue({.path = *m_dir / "b.bin", .key = "1"}));
  EXPECT_TRUE(q->enqueue({.path = *m_dir / "b.bin", .key = "2"}));
  const auto full = q->enqueue({.path = *m_dir / "b.bin", .key = "3"});
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(full.error().describe().find("upload queue is full"), std::string::npos);
  EXPECT_FALSE(q->enqueue({.path = *m_dir / "missing.bin", .key = "4"}));
}

// Two queues on one folder (spindle run, and spindle upload in the foreground): one sends, the
// other waits for the folder's lock and then sends only what is still queued.
TEST_F(S3Upload, TwoQueuesOnOneFolderSendEachUploadOnce) {
  const std::string data = randomFile(*m_dir / "once.bin", 200 * 1024, 11);
  auto first = queue(options());
  const auto id = first->enqueue({.path = *m_dir / "once.bin", .key = "once.bin"});
  ASSERT_TRUE(id) << id.error().describe();
  auto second = queue(options());  // loads the same record
  ASSERT_EQ(second->list().size(), 1u);
  Finished finished;
  finished.attach(*first);
  first->start();
  EXPECT_TRUE(finished.wait(id.value()).ok);
  second->start();  // the first still holds the lock: the second waits
  std::this_thread::sleep_for(1500ms);
  first->stop();
  // The second takes the lock within a second, reads the folder again and finds nothing to do.
  EXPECT_TRUE(eventually([&] { return second->list().empty(); }, 5s));
  std::this_thread::sleep_for(500ms);
  int puts = 0;
  for (const auto& r : m_peer->requests())
    puts += r.rfind("PUT /uploads/edges/e1/once.bin", 0) == 0;
  EXPECT_EQ(puts, 1);
  EXPECT_EQ(object("edges/e1/once.bin"), data);
}

}  // namespace
}  // namespace spindle::testing
