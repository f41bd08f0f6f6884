// kill -9 of the process publishing to the hub, mid-stream, then a restart: the hub's stream
// holds every observation exactly once. The publisher is uplink_feeder (the NATS uplink over a
// journal that survives the kill); nats_spindle_test.cpp does the same with the spindle binary.

#include <gtest/gtest.h>

#include "nats_cluster.hpp"

namespace spindle::testing {
namespace {

using namespace std::chrono_literals;

TEST(NatsCrash, KillNineMidStreamAndRestartLosesAndDuplicatesNothing) {
  if (natsServerBinary().empty()) GTEST_SKIP() << "nats-server is not installed";
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_nats_crash_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  NatsServerConfig c;
  NatsHub hub(dir, c);
  ASSERT_TRUE(hub.start()) << hub.log();
  NatsClient client(hub.url());
  ASSERT_TRUE(client.addStream("SPINDLE", {"spindle.*.data.>"}, 600s, hub.replicas()));

  constexpr std::uint64_t kTotal = 90000;  // 4.5 s of production at 20k observations/s
  const std::vector<std::string> argv{UPLINK_FEEDER_BINARY,
                                      "--url",
                                      hub.url(),
                                      "--edge",
                                      "e1",
                                      "--dir",
                                      (dir / "feeder").string(),
                                      "--total",
                                      std::to_string(kTotal),
                                      "--rate",
                                      "20000",
                                      "--record",
                                      "50"};
  // Three kills at growing depths into the stream, then a run to the end.
  for (std::uint64_t atMessages : {200u, 1500u, 3000u}) {
    Process feeder(argv, (dir / "feeder.out").string(), (dir / "feeder.err").string());
    ASSERT_TRUE(
        eventually([&] { return client.streamMessages("SPINDLE").value_or(0) >= atMessages; }, 30s))
        << readFile((dir / "feeder.err").string());
    EXPECT_EQ(feeder.kill(SIGKILL), -SIGKILL);
  }
  Process feeder(argv, (dir / "feeder.out").string(), (dir / "feeder.err").string());
  ASSERT_EQ(feeder.wait(60s), 0) << readFile((dir / "feeder.err").string());
  EXPECT_NE(
      readFile((dir / "feeder.out").string()).find("done cursor=" + std::to_string(kTotal + 1)),
      std::string::npos);

  const StoredData d = client.readStream("SPINDLE", "spindle.e1.data.>");
  EXPECT_TRUE(d.error.empty()) << d.error;
  EXPECT_EQ(d.sequences.size(), kTotal);
  EXPECT_TRUE(d.duplicates().empty()) << d.duplicates().size() << " duplicated";
  EXPECT_TRUE(d.missing(1, kTotal).empty()) << d.missing(1, kTotal).size() << " missing";
  if (!HasFailure()) fs::remove_all(dir);
}

}  // namespace
}  // namespace spindle::testing
