// Signed updates end to end, with real processes on loopback: the cloud's side (keys and
// envelopes from `spindle update keygen|sign`, offers in the hub's KV bucket, the artifact on
// an `openssl s_server -WWW` deploy server), the edge started by a supervisor that restarts it
// like systemd's Restart=always, and versions made from the test build (update_harness.hpp).
// What is checked is what the cloud and a user see: heartbeats, `spindle update status`, the
// versions folder, the journal.

#include <signal.h>
#include <unistd.h>

#include "cloud_edge.hpp"
#include "update/signing.hpp"
#include "update_harness.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class UpdateEndToEndTest : public CloudEdgeTest {
 protected:
  void SetUp() override {
    CloudEdgeTest::SetUp();
    if (IsSkipped()) return;
    startHub();
    // The hub stores the edge's data, so its NATS uplink is connected before an update.
    ASSERT_TRUE(m_cloud->addStream("SPINDLE", {"spindle.*.data.>"}, 600s, m_hub->replicas()));
    m_deploy = std::make_unique<DeployServer>(m_dir / "deploy");
    ASSERT_TRUE(m_deploy->start()) << readFile((m_dir / "deploy" / "s_server.err").string());
    ASSERT_TRUE(shell(std::string(SPINDLE_BINARY) + " update keygen --out " +
                      (m_dir / "keys").string() + " > /dev/null"));
    ASSERT_TRUE(shell(std::string(SPINDLE_BINARY) + " update keygen --out " +
                      (m_dir / "keys").string() + " --name stranger > /dev/null"));
    ASSERT_TRUE(stampedCopy(launcher(), "1.0.0"));
  }
  void TearDown() override {
    m_supervisor.reset();
    m_deploy.reset();
    CloudEdgeTest::TearDown();
  }

  std::string launcher() const { return (m_dir / "bin" / "spindle").string(); }
  std::string dataDir() const { return (m_dir / "data").string(); }
  std::string versions() const { return dataDir() + "/versions"; }

  /// The edge's configuration: one SHDR machine (absent: machines do not count for the
  /// trial), the hub, and updates trusting the test's key with a 3 s trial.
  std::string config(const std::string& updateExtra = "") const {
    EdgeText t;
    t.machines = "  - id: mill-1\n    type: shdr\n    host: 127.0.0.1\n    port: " +
                 std::to_string(freePort()) + "\n";
    return edgeConfig(t) + "update:\n  trusted_keys: [" +
           (m_dir / "keys/spindle-update.pub").string() + "]\n  ca_file: " + m_deploy->caFile() +
           "\n  trial: 3s\n" + updateExtra;
  }
  void startEdge(const std::string& updateExtra = "") {
    writeConfig(config(updateExtra));
    m_supervisor = std::make_unique<Supervisor>(
        std::vector<std::string>{launcher(), "run", "-c", configPath()}, m_dir);
  }

  /// Publishes `version` on the deploy server and returns its signed envelope.
  std::string release(const std::string& version, const std::string& fault = "none",
                      const std::string& signArgs = "", const std::string& key = "spindle-update") {
    const std::string file = "spindle-" + version;
    EXPECT_TRUE(stampedCopy((m_deploy->root() / file).string(), version, fault));
    const std::string out = (m_dir / (file + "-" + key + ".envelope")).string();
    EXPECT_TRUE(shell(std::string(SPINDLE_BINARY) + " update sign --key " +
                      (m_dir / "keys" / (key + ".pem")).string() + " --artifact " +
                      (m_deploy->root() / file).string() + " --version " + version + " --url " +
                      m_deploy->url(file) + " --out " + out + " " + signArgs));
    return readFile(out);
  }
  void offer(const std::string& key, const std::string& envelope) {
    ASSERT_TRUE(m_cloud->putKv("spindle_updates", key, envelope));
  }

  /// The first heartbeat whose `update` satisfies `pred`.
  template <typename Pred>
  json updateBeat(Pred&& pred, std::chrono::seconds timeout = 60s) {
    return beatWhere(
        [&](const json& b) { return b.contains("update") && b["update"].is_object() && pred(b); },
        timeout);
  }
  static std::string running(const json& b) { return b["update"].value("running", ""); }
  static std::string last(const json& b, const char* field) {
    return b["update"]["last"].value(field, "");
  }
  std::string current() const {
    std::error_code ec;
    return fs::read_symlink(versions() + "/current", ec).string();
  }
  std::string journalId(const json& b) const { return b["journal"].value("id", ""); }

  std::unique_ptr<DeployServer> m_deploy;
  std::unique_ptr<Supervisor> m_supervisor;
};

TEST_F(UpdateEndToEndTest, InstallsAGoodVersionAndRollsBackOneThatCrashesAndOneThatNeverConnects) {
  startEdge("  max_crashes: 2\n");
  json beat = updateBeat([](const json& b) { return running(b) == "1.0.0"; });
  ASSERT_TRUE(beat.is_object()) << m_supervisor->log();
  const std::string journal = journalId(beat);
  ASSERT_FALSE(journal.empty());

  // Offered on the channel: downloaded, verified, switched, restarted, healthy, marked good.
  offer("stable", release("2.0.0"));
  beat = updateBeat(
      [](const json& b) { return running(b) == "2.0.0" && last(b, "result") == "good"; });
  ASSERT_TRUE(beat.is_object()) << m_supervisor->log();
  EXPECT_EQ(journalId(beat), journal);
  EXPECT_EQ(current(), "2.0.0");
  EXPECT_TRUE(fs::is_regular_file(versions() + "/2.0.0/spindle"));
  const auto exits = m_supervisor->exits();
  EXPECT_NE(std::find(exits.begin(), exits.end(), 75), exits.end()) << "an orderly restart";

  // A build that exits at start: the launcher rolls it back after max_crashes starts.
  offer("stable", release("2.1.0", "exit-at-start"));
  beat = updateBeat([](const json& b) {
    return running(b) == "2.0.0" && last(b, "result") == "rolled_back" &&
           last(b, "version") == "2.1.0";
  });
  ASSERT_TRUE(beat.is_object()) << m_supervisor->log();
  EXPECT_EQ(last(beat, "reason"), "crashed");
  EXPECT_NE(last(beat, "detail").find("started 2 times"), std::string::npos) << beat.dump();
  EXPECT_EQ(current(), "2.0.0");
  EXPECT_FALSE(fs::exists(versions() + "/2.1.0"));

  // A build that starts but never connects, offered to this edge alone (its key wins over the
  // channel's): not healthy within the trial, so it rolls itself back.
  offer("edge.e1", release("2.2.0", "no-uplink"));
  beat = updateBeat([](const json& b) {
    return running(b) == "2.0.0" && last(b, "version") == "2.2.0" &&
           last(b, "result") == "rolled_back";
  });
  ASSERT_TRUE(beat.is_object()) << m_supervisor->log();
  EXPECT_EQ(last(beat, "reason"), "unhealthy");
  EXPECT_NE(last(beat, "detail").find("before the update: connected"), std::string::npos)
      << beat.dump();
  EXPECT_EQ(journalId(beat), journal);

  const std::string status = (m_dir / "status.txt").string();
  ASSERT_TRUE(
      shell(std::string(SPINDLE_BINARY) + " update status -c " + configPath() + " > " + status));
  EXPECT_NE(readFile(status).find("rolled_back 2.2.0 (unhealthy)"), std::string::npos)
      << readFile(status);
  EXPECT_NE(readFile(status).find("failed:    2.1.0, 2.2.0"), std::string::npos)
      << readFile(status);
  m_supervisor.reset();
  EXPECT_TRUE(
      shell(std::string(SPINDLE_BINARY) + " journal verify " + dataDir() + "/journal > /dev/null"));
}

std::string tamper(const std::string& envelope) {
  json j = json::parse(envelope);
  std::string manifest = update::base64Decode(j["manifest"].get<std::string>()).value();
  manifest.replace(manifest.find("\"notes\": \"\""), 11, "\"notes\": \"x\"");
  j["manifest"] = update::base64Encode(manifest);
  return j.dump();
}

TEST_F(UpdateEndToEndTest, RefusesEachBadOfferWithItsReasonAndChangesNothing) {
  startEdge();
  ASSERT_TRUE(updateBeat([](const json& b) { return running(b) == "1.0.0"; }).is_object())
      << m_supervisor->log();
  const std::string good = release("2.0.0");
  // Artifacts changed after signing: same size other bytes, and cut short.
  const auto corrupt = [&](const std::string& version, bool truncate) {
    const std::string envelope = release(version);
    const auto path = m_deploy->root() / ("spindle-" + version);
    std::string bytes = readFile(path.string());
    if (truncate) {
      bytes.resize(bytes.size() / 2);
    } else {
      bytes[bytes.size() / 2] ^= 0x5a;
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return envelope;
  };
  const std::vector<std::pair<std::string, std::string>> cases{
      {"unknown_key", release("2.0.1", "none", "", "stranger")},
      {"bad_signature", tamper(good)},
      {"hash_mismatch", corrupt("2.0.2", false)},
      {"truncated", corrupt("2.0.3", true)},
      {"downgrade", release("0.9.0")},
      {"min_version", release("2.0.4", "none", "--min-version 1.5.0")},
  };
  for (const auto& [reason, envelope] : cases) {
    offer("edge.e1", envelope);
    const json beat = updateBeat([&](const json& b) { return last(b, "reason") == reason; }, 30s);
    ASSERT_TRUE(beat.is_object()) << reason << "\n" << m_supervisor->log();
    EXPECT_EQ(last(beat, "result"), "refused") << reason;
    EXPECT_EQ(running(beat), "1.0.0") << reason;
  }
  // A full disk is checked before the download: the same good offer, asked from the command
  // line with a margin no disk has.
  writeConfig(config("  disk_margin: 1000TiB\n"));
  const std::string envelopeFile = (m_dir / "spindle-2.0.0-spindle-update.envelope").string();
  const std::string out = (m_dir / "check.txt").string();
  EXPECT_FALSE(shell(std::string(SPINDLE_BINARY) + " update check -c " + configPath() +
                     " --envelope " + envelopeFile + " > " + out));
  EXPECT_NE(readFile(out).find("disk_full"), std::string::npos) << readFile(out);

  // Nothing changed: no version installed, no link, never restarted.
  EXPECT_EQ(current(), "");
  EXPECT_TRUE(!fs::exists(versions() + "/2.0.2") && !fs::exists(versions() + "/2.0.3"));
  EXPECT_EQ(m_supervisor->starts(), 1);
}

TEST_F(UpdateEndToEndTest, KillNineAtEveryStepComesBackOnAWorkingVersionWithItsJournal) {
  startEdge("  max_crashes: 3\n");
  json beat = updateBeat([](const json& b) { return running(b) == "1.0.0"; });
  ASSERT_TRUE(beat.is_object()) << m_supervisor->log();
  const std::string journal = journalId(beat);

  // During the download: the deploy server frozen mid-transfer, the edge killed.
  ASSERT_TRUE(m_deploy->signal(SIGSTOP));
  offer("stable", release("2.0.0"));
  ASSERT_TRUE(eventually([&] {
    return m_supervisor->log().find("installing 2.0.0") != std::string::npos;
  })) << m_supervisor->log();
  m_supervisor->killNow();
  ASSERT_TRUE(m_deploy->signal(SIGCONT));

  // Right after the switch: the link names 2.0.0, the hub frozen so the next start stays on
  // trial (it cannot connect), and the old version killed in its orderly stop.
  ASSERT_TRUE(eventually([&] { return current() == "2.0.0"; }, 60s)) << m_supervisor->log();
  m_hub->pause();
  m_supervisor->killNow();

  // During the trial.
  const int before = m_supervisor->starts();
  ASSERT_TRUE(eventually(
      [&] {
        return m_supervisor->starts() > before &&
               readFile((m_dir / ("spindle." + std::to_string(m_supervisor->starts()) + ".err"))
                            .string())
                       .find("is on trial") != std::string::npos;
      },
      30s))
      << m_supervisor->log();
  m_supervisor->killNow();
  m_hub->resume();

  beat = updateBeat(
      [](const json& b) { return running(b) == "2.0.0" && last(b, "result") == "good"; });
  ASSERT_TRUE(beat.is_object()) << m_supervisor->log();
  EXPECT_EQ(journalId(beat), journal);
  m_supervisor.reset();
  EXPECT_TRUE(
      shell(std::string(SPINDLE_BINARY) + " journal verify " + dataDir() + "/journal > /dev/null"));
}

}  // namespace
}  // namespace spindle::testing
