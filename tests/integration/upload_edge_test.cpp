// Uploads from the running edge, against the spindle binary and real peers on loopback: a hub
// (nats-server) from which the cloud asks `diag.upload` for a diagnostics bundle and a journal
// export, s3rver (npm) over TLS as the uploads bucket, `spindle upload` beside a running edge
// and alone, and kill -9 of `spindle run` in the middle of a multipart upload: the next start
// resumes from the last accepted part. Nothing leaves 127.0.0.0/8.

#include <fstream>
#include <random>
#include <sstream>

#include <fmt/format.h>
#include <zstd.h>

#include "cloud_edge.hpp"
#include "collectors/testing/line_server.hpp"
#include "net/http/http_client.hpp"
#include "netcheck_peers.hpp"
#include "s3_peer.hpp"
#include "upload/sigv4.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string randomBytes(std::size_t size, unsigned seed) {
  std::mt19937_64 random(seed);
  std::string data(size, '\0');
  for (std::size_t i = 0; i + 8 <= size; i += 8) {
    const std::uint64_t v = random();
    std::memcpy(&data[i], &v, 8);
  }
  return data;
}

/// One zstd stream, whole; "" when it is not one.
std::string unzstd(const std::string& in) {
  std::string out;
  ZSTD_DStream* stream = ZSTD_createDStream();
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  std::string chunk(1 << 16, '\0');
  while (input.pos < input.size) {
    ZSTD_outBuffer output{chunk.data(), chunk.size(), 0};
    if (ZSTD_isError(ZSTD_decompressStream(stream, &output, &input))) {
      out.clear();
      break;
    }
    out.append(chunk.data(), output.pos);
  }
  ZSTD_freeDStream(stream);
  return out;
}

class UploadEdgeTest : public CloudEdgeTest {
 protected:
  void SetUp() override {
    CloudEdgeTest::SetUp();
    if (IsSkipped()) return;
    m_openssl = netcheck_peers::findProgram("openssl");
    ASSERT_FALSE(m_openssl.empty()) << "openssl is not installed: apt-get install openssl";
    m_scratch = std::make_unique<netcheck_peers::ScratchDir>("upload_edge");
    m_pki = std::make_unique<netcheck_peers::TestPki>(m_openssl, *m_scratch);
    ASSERT_TRUE(m_pki->makeCa("ca", "/O=Spindle Tests/CN=Spindle Test Root CA"));
    ASSERT_TRUE(m_pki->makeServer("s3", "ca", {"127.0.0.1"}));
    m_peer = std::make_unique<S3Peer>(m_scratch->path().string(), m_pki->pem("s3"),
                                      m_pki->key("s3"), std::vector<std::string>{"uploads"});
    ASSERT_EQ(m_peer->start(), "");
    std::ofstream(m_dir / "s3.secret") << "S3RVER\n";
    net::http::HttpClientOptions o;
    o.caFile = m_pki->pem("ca");
    o.retries = 0;
    o.maxResponse = 64u << 20;
    auto client = net::http::HttpClient::create(o);
    ASSERT_TRUE(client);
    m_http = std::move(*client);
  }
  void TearDown() override {
    m_http.reset();
    CloudEdgeTest::TearDown();
    m_peer.reset();
  }

  /// The edge's file: a hub, one SHDR machine, the bucket at `endpoint` (the peer's when "").
  std::string config(std::uint16_t adapterPort, const std::string& endpoint = "",
                     const std::string& uploadsExtra = "", const std::string& httpsExtra = "") {
    EdgeText t;
    t.machines = "  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n    port: " +
                 std::to_string(adapterPort) + "\n";
    return edgeConfig(t) + "https:\n  ca_file: " + m_pki->pem("ca") +
           "\n  retry_min: 100ms\n  retry_max: 500ms\n" + httpsExtra +
           "uploads:\n  endpoint: " + (endpoint.empty() ? m_peer->endpoint() : endpoint) +
           "\n  bucket: uploads\n  prefix: edges/e1/\n  access_key_id: S3RVER\n"
           "  secret_access_key_file: " +
           (m_dir / "s3.secret").string() + "\n  retry_min: 100ms\n  retry_max: 1s\n" +
           uploadsExtra;
  }

  /// The object's bytes, or nullopt while the bucket has no such object.
  std::optional<std::string> object(const std::string& key) {
    const auto r = m_http->perform({.url = m_peer->endpoint() + "/uploads/" + key});
    if (r.status != 200) return std::nullopt;
    return r.body;
  }
  /// The object once the bucket has it and the edge has no upload left: an object being
  /// assembled from its parts can already be read, in part, before the edge is told.
  std::optional<std::string> waitObject(const std::string& key, std::chrono::milliseconds limit) {
    const bool done = eventually(
        [&] {
          const json s = ask("status");  // null while the edge (re)starts
          return s.is_object() && s.value("ok", false) && s["result"]["uploads"].empty() &&
                 object(key).has_value();
        },
        limit);
    return done ? object(key) : std::nullopt;
  }

  int runUpload(const std::vector<std::string>& args, std::string* out) {
    std::vector<std::string> argv{SPINDLE_BINARY, "upload", "-c", configPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    Process p(argv, (m_dir / "upload.out").string(), (m_dir / "upload.err").string());
    const int code = p.wait(60s);
    *out = readFile((m_dir / "upload.out").string()) + readFile((m_dir / "upload.err").string());
    return code;
  }

  std::string m_openssl;
  std::unique_ptr<netcheck_peers::ScratchDir> m_scratch;
  std::unique_ptr<netcheck_peers::TestPki> m_pki;
  std::unique_ptr<S3Peer> m_peer;
  std::unique_ptr<net::http::HttpClient> m_http;
};

TEST_F(UploadEdgeTest, DiagUploadSendsABundleAndAJournalExportToTheBucket) {
  startHub();
  collectors::testing::LineServer adapter;
  writeConfig(config(adapter.port()));
  startSpindle();
  ASSERT_TRUE(eventually([&] { return adapter.connections() >= 1; }, 15s)) << spindleLog();
  std::string lines;
  for (int i = 0; i < 200; ++i) {
    lines += fmt::format("2024-01-01T00:{:02}:{:02}.000Z|Sspeed|{}\n", i / 60, i % 60, 1000 + i);
  }
  adapter.send(lines);
  json status;
  ASSERT_TRUE(eventually(
      [&] {
        status = ask("status");
        return status["ok"] == true &&
               status["result"]["machines"][0]["observations"].get<int>() >= 200;
      },
      30s))
      << status.dump();

  // The bundle, signed with the configured credentials.
  const json bundle = ask("upload");
  ASSERT_EQ(bundle["ok"], true) << bundle.dump();
  const std::string bundleKey = bundle["result"]["key"];
  EXPECT_EQ(bundleKey.rfind("diagnostics/e1/diagnostics-e1-", 0), 0u) << bundleKey;
  const auto bundleBody = waitObject("edges/e1/" + bundleKey, 30s);
  ASSERT_TRUE(bundleBody) << spindleLog();
  const json parsed = json::parse(*bundleBody, nullptr, false);
  EXPECT_EQ(parsed["schema"], "spindle.diagnostics.v1");
  EXPECT_EQ(parsed["edge"]["id"], "e1");

  // A journal export of a time range: 2 minutes of the 200 seconds sent.
  const json bad =
      ask("upload", R"({"journal":{"from":"2024-01-01T00:02:00Z","to":"2024-01-01"}})");
  EXPECT_EQ(bad["ok"], false) << bad.dump();
  EXPECT_NE(bad.dump().find("journal.from must be before journal.to"), std::string::npos)
      << bad.dump();
  const json exported = ask(
      "upload",
      R"({"journal":{"from":"2024-01-01T00:00:00Z","to":"2024-01-01T00:02:00Z","machines":["mill-1"]}})");
  ASSERT_EQ(exported["ok"], true) << exported.dump();
  const std::string exportKey = exported["result"]["key"];
  // The same range again while the first is written or queued: refused, the first unharmed.
  const json again = ask(
      "upload",
      R"({"journal":{"from":"2024-01-01T00:00:00Z","to":"2024-01-01T00:02:00Z","machines":["mill-1"]}})");
  if (again["ok"] == true) {
    // Allowed only once the first is gone from the edge: in the bucket (its file is deleted then).
    EXPECT_TRUE(object("edges/e1/" + exportKey).has_value()) << "a second export of a queued range";
  } else {
    const std::string why = again.dump();
    EXPECT_TRUE(why.find("queued already") != std::string::npos ||
                why.find("another journal export is being written") != std::string::npos)
        << why;
  }
  EXPECT_EQ(exportKey, "exports/e1/journal-e1-20240101T000000Z-20240101T000200Z.jsonl.zst");
  const auto exportBody = waitObject("edges/e1/" + exportKey, 30s);
  ASSERT_TRUE(exportBody) << spindleLog();
  const std::string text = unzstd(*exportBody);
  ASSERT_FALSE(text.empty()) << "not one zstd stream";
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  const json header = json::parse(line, nullptr, false);
  EXPECT_EQ(header["schema"], "spindle.export.v1") << line;
  EXPECT_EQ(header["edge"], "e1") << line;
  std::vector<double> speeds;
  while (std::getline(in, line)) {
    const json o = json::parse(line, nullptr, false);
    if (o["item"] == "spindle_speed") speeds.push_back(o["value"].get<double>());
  }
  ASSERT_EQ(speeds.size(), 120u) << text.substr(0, 2000);
  for (std::size_t i = 0; i < speeds.size(); ++i) EXPECT_EQ(speeds[i], 1000.0 + double(i));
  // Both files were deleted once the bucket had them; health counts nothing waiting.
  EXPECT_TRUE(eventually(
      [&] {
        return fs::is_empty(m_dir / "data" / "exports") &&
               fs::is_empty(m_dir / "data" / "diagnostics");
      },
      10s));
  const json beat = beatWhere(
      [](const json& b) { return b["uploads"].is_object() && b["uploads"]["pending"] == 0; });
  EXPECT_TRUE(beat.is_object()) << spindleLog();

  // A presigned URL from the cloud's API: no credentials of the edge's own are used.
  const upload::S3Credentials creds{"S3RVER", "S3RVER", "us-east-1", "s3"};
  const std::string url =
      upload::presignUrl(creds, m_peer->endpoint(), "127.0.0.1:" + std::to_string(m_peer->port()),
                         {.method = "PUT", .path = "/uploads/api/diag.json"}, 600s,
                         upload::amzDate(std::chrono::system_clock::now()));
  const json presigned = ask("upload", json{{"url", url}}.dump());
  ASSERT_EQ(presigned["ok"], true) << presigned.dump();
  const auto presignedBody = waitObject("api/diag.json", 30s);
  ASSERT_TRUE(presignedBody) << spindleLog();
  EXPECT_EQ(json::parse(*presignedBody, nullptr, false)["schema"], "spindle.diagnostics.v1");
  EXPECT_EQ(stopSpindle(), 0);

  // `spindle upload` with no edge running sends the file itself and waits.
  std::ofstream(m_dir / "notes.txt") << "shift notes\n";
  std::string out;
  EXPECT_EQ(runUpload({(m_dir / "notes.txt").string()}, &out), 0) << out;
  EXPECT_NE(out.find("uploaded:"), std::string::npos) << out;
  EXPECT_EQ(object("edges/e1/files/e1/notes.txt"), "shift notes\n");
}

TEST_F(UploadEdgeTest, KilledDuringAMultipartUploadResumesFromItsLastAcceptedPart) {
  startHub();
  collectors::testing::LineServer adapter;
  // Parts of 5 MiB, one at a time, through a relay that goes silent in the middle of part 3.
  CuttingRelay relay(m_peer->port(), (12u << 20) + 4096, /*hold=*/true);
  writeConfig(config(adapter.port(), "https://127.0.0.1:" + std::to_string(relay.port()),
                     "  part_size: 5MiB\n  multipart_threshold: 5MiB\n  parallel_parts: 1\n"));
  const std::string data = randomBytes(23u << 20, 9);
  std::ofstream(m_dir / "capture.bin", std::ios::binary) << data;
  startSpindle();
  ASSERT_TRUE(beatWhere([](const json& b) { return b["uploads"].is_object(); }).is_object())
      << spindleLog();

  // The running edge sends what `spindle upload` queues beside it.
  std::string out;
  ASSERT_EQ(runUpload({(m_dir / "capture.bin").string(), "--key", "hf/capture.bin"}, &out), 0)
      << out;
  EXPECT_NE(out.find("queued:"), std::string::npos) << out;
  ASSERT_TRUE(eventually([&] { return relay.cut(); }, 30s)) << spindleLog();
  ASSERT_TRUE(eventually([&] { return m_peer->partRequests(2) == 1; }, 10s));
  // Parts 1 and 2 are recorded as accepted before the edge dies.
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& entry : fs::directory_iterator(m_dir / "data" / "uploads")) {
          if (entry.path().extension() != ".json") continue;
          const json r = json::parse(readFile(entry.path().string()), nullptr, false);
          if (r.is_object() && r["parts"].size() == 2) return true;
        }
        return false;
      },
      10s));
  m_spindle->kill(SIGKILL);
  m_spindle.reset();
  relay.release();

  startSpindle();
  const auto body = waitObject("edges/e1/hf/capture.bin", 60s);
  ASSERT_TRUE(body) << spindleLog();
  EXPECT_TRUE(*body == data) << "the object differs from the file: " << body->size() << " bytes of "
                             << data.size() << "; requests:\n"
                             << [&] {
                                  std::string all;
                                  for (const auto& r : m_peer->requests()) all += r + "\n";
                                  return all;
                                }();
  EXPECT_EQ(m_peer->partRequests(1), 1);
  EXPECT_EQ(m_peer->partRequests(2), 1);
  EXPECT_LE(m_peer->partRequests(3), 2);  // the one cut short (if it reached the peer), again
  EXPECT_EQ(m_peer->partRequests(4), 1);
  EXPECT_EQ(m_peer->partRequests(5), 1);
  const json beat = beatWhere(
      [](const json& b) { return b["uploads"].is_object() && b["uploads"]["pending"] == 0; });
  EXPECT_TRUE(beat.is_object()) << spindleLog();
  EXPECT_TRUE(fs::exists(m_dir / "capture.bin")) << "only --delete-after removes the file";
  EXPECT_EQ(stopSpindle(), 0);
}

TEST_F(UploadEdgeTest, AStopIsNotHeldUpByAPartOnASilentLink) {
  startHub();
  collectors::testing::LineServer adapter;
  CuttingRelay relay(m_peer->port(), 2u << 20, /*hold=*/true);
  // A request may take two minutes: the stop must not wait for the part on the wire.
  writeConfig(config(adapter.port(), "https://127.0.0.1:" + std::to_string(relay.port()),
                     "  part_size: 5MiB\n  multipart_threshold: 5MiB\n",
                     "  timeout: 120s\n  retries: 0\n"));
  std::ofstream(m_dir / "capture.bin", std::ios::binary) << randomBytes(12u << 20, 5);
  startSpindle();
  ASSERT_TRUE(beatWhere([](const json& b) { return b["uploads"].is_object(); }).is_object())
      << spindleLog();
  std::string out;
  ASSERT_EQ(runUpload({(m_dir / "capture.bin").string()}, &out), 0) << out;
  ASSERT_TRUE(eventually([&] { return relay.cut(); }, 30s)) << spindleLog();
  EXPECT_EQ(m_spindle->kill(SIGTERM), 0) << "the stop waited for the silent link";
  m_spindle.reset();
  // The upload stays queued as it was: the stop is not a failed attempt.
  int records = 0;
  for (const auto& entry : fs::directory_iterator(m_dir / "data" / "uploads")) {
    const json r = json::parse(readFile(entry.path().string()), nullptr, false);
    ASSERT_TRUE(r.is_object()) << entry.path();
    EXPECT_EQ(r.value("attempts", -1), 0) << r.dump();
    ++records;
  }
  EXPECT_EQ(records, 1);
  relay.release();
}

}  // namespace
}  // namespace spindle::testing
