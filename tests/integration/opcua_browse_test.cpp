// `spindle opcua browse` against the node-opcua test peer: the tree with values and portable
// ids, a start node by namespace URI, JSON, security with a user, and the refusals a person
// setting up a machine meets (an untrusted certificate, a wrong password, a bad URL).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "opcua_peer.hpp"
#include "process.hpp"

namespace spindle::testing {
namespace {

namespace fs = std::filesystem;

class OpcuaBrowse : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = fs::temp_directory_path() / ("spindle_opcua_browse_" + std::to_string(::getpid()));
    fs::remove_all(s_dir);
    fs::create_directories(s_dir);
    s_peer = new OpcuaPeer(s_dir / "peer", OpcuaPeerOptions{2, 100, {"operator:secret"}});
    s_startError = s_peer->start();
  }
  static void TearDownTestSuite() {
    delete s_peer;
    s_peer = nullptr;
    fs::remove_all(s_dir);
  }
  void SetUp() override { ASSERT_EQ(s_startError, "") << "the OPC UA test peer must run"; }

  struct Run {
    int code;
    std::string out;
    std::string err;
  };
  Run spindle(std::vector<std::string> args) {
    args.insert(args.begin(), {SPINDLE_BINARY, "opcua", "browse"});
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const std::string out = (s_dir / (name + ".out")).string();
    const std::string err = (s_dir / (name + ".err")).string();
    Process p(args, out, err);
    const int code = p.wait(std::chrono::seconds(60));
    return {code, readFile(out), readFile(err)};
  }
  std::string pki() const {
    return (s_dir / ::testing::UnitTest::GetInstance()->current_test_info()->name()).string();
  }

  static inline fs::path s_dir;
  static inline OpcuaPeer* s_peer = nullptr;
  static inline std::string s_startError;
};

TEST_F(OpcuaBrowse, ListsTheTreeWithValuesAndIdsByNamespaceUri) {
  const auto r = spindle({s_peer->url(), "--policy", "None", "--mode", "none", "--pki", pki()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2  http://spindle.test/cnc"), std::string::npos) << r.out;
  // A node at its depth, with its class, its id by URI, its type and its value.
  EXPECT_NE(r.out.find("\n  SpindleSpeed  (Variable)  nsu=http://spindle.test/cnc;s=CNC1."
                       "SpindleSpeed  Double = "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Execution  (Variable)  nsu=http://spindle.test/cnc;s=CNC1.Execution  "
                       "String = \""),
            std::string::npos);
  EXPECT_NE(r.out.find("dimensions 2x3"), std::string::npos);
  EXPECT_NE(r.out.find("    Item2  (Variable)  nsu=http://spindle.test/cnc;s=Load.Item2"),
            std::string::npos);
  EXPECT_NE(r.out.find("Joints  (Variable)  nsu=http://spindle.test/robot;s=Robot1.Joints"),
            std::string::npos);
  // The Server object is listed, not walked.
  EXPECT_NE(r.out.find("Server  (Object)  i=2253"), std::string::npos);
  EXPECT_EQ(r.out.find("ServerStatus"), std::string::npos);
}

TEST_F(OpcuaBrowse, StartsAtANodeNamedByUriAndPrintsJson) {
  const auto r =
      spindle({s_peer->url(), "--policy", "None", "--mode", "none", "--pki", pki(), "--node",
               "nsu=http://spindle.test/cnc;s=CNC1", "--depth", "1", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> byName;
  for (const auto& n : doc["nodes"]) {
    EXPECT_EQ(n["depth"], 0);
    byName[n["browse_name"]] = n;
  }
  ASSERT_TRUE(byName.count("PartCount")) << r.out;
  EXPECT_EQ(byName["PartCount"]["id"], "nsu=http://spindle.test/cnc;s=CNC1.PartCount");
  EXPECT_EQ(byName["PartCount"]["data_type"], "Int32");
  EXPECT_EQ(byName["Running"]["data_type"], "Boolean");
  EXPECT_FALSE(byName.count("Item1"));  // depth 1: Load's children are not walked
  EXPECT_EQ(doc["truncated"], false);
}

TEST_F(OpcuaBrowse, AnUntrustedServerIsRefusedUntilItsCertificateIsMoved) {
  const std::string dir = pki();
  std::ofstream(s_dir / "password") << "secret\n";
  const std::vector<std::string> args = {s_peer->url(),
                                         "--pki",
                                         dir,
                                         "--policy",
                                         "Basic256Sha256",
                                         "--mode",
                                         "sign_and_encrypt",
                                         "--user",
                                         "operator",
                                         "--password-file",
                                         (s_dir / "password").string(),
                                         "--depth",
                                         "1",
                                         "--node",
                                         "nsu=http://spindle.test/cnc;s=CNC1"};
  auto r = spindle(args);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not trusted"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("move that file to " + dir + "/trusted/certs"), std::string::npos) << r.err;
  std::vector<fs::path> rejected;
  for (const auto& e : fs::directory_iterator(fs::path(dir) / "rejected/certs"))
    rejected.push_back(e.path());
  ASSERT_EQ(rejected.size(), 1u);
  fs::rename(rejected[0], fs::path(dir) / "trusted/certs" / rejected[0].filename());

  r = spindle(args);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(Basic256Sha256, SignAndEncrypt, user operator)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("SpindleSpeed  (Variable)"), std::string::npos);
}

TEST_F(OpcuaBrowse, AWrongPasswordAndABadUrlAreClearErrors) {
  std::ofstream(s_dir / "wrong") << "not-the-password\n";
  auto r = spindle({s_peer->url(), "--pki", pki(), "--trust-on-first-use", "--user", "operator",
                    "--password-file", (s_dir / "wrong").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("BadUserAccessDenied"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not-the-password"), std::string::npos);  // never printed

  r = spindle({"http://127.0.0.1:4840", "--pki", pki()});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("must start with opc.tcp://"), std::string::npos) << r.err;
  r = spindle({s_peer->url(), "--pki", pki(), "--user", "operator"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--user needs --password-file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace spindle::testing
