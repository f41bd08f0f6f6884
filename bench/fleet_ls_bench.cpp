// `spindle fleet ls` over 1,000 edges, against a real nats-server (JetStream, file storage) on
// loopback that the benchmark starts and stops itself (Debian's nats-server must be installed).
//
// Before measuring, 1,000 synthetic edges' heartbeats (made by the edge's own serializer,
// control::toJson, each with 5 machines, a journal, 2 uplinks and an update section: ~2 KB as
// a real one) are published into the SPINDLE_HEALTH stream that `spindle fleet init` creates.
//
//   FleetLs/library   the ls path in this process: connect, read the last heartbeat of every
//                     edge from the stream, build and classify the rows, sort, render the table
//   FleetLs/binary    the whole `spindle fleet ls` process (start, connect, the same, exit)
//
// The goal (issue 21): <= 1 s for 1,000 edges.

#include <cstdio>
#include <filesystem>

#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include "control/health.hpp"
#include "fleet/edge_table.hpp"
#include "fleet/fleet_listing.hpp"
#include "fleet/health_stream.hpp"
#include "nats_harness.hpp"

namespace {

using namespace spindle;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kEdges = 1000;
constexpr int kMachines = 5;

testing::NatsServer* g_server = nullptr;
std::size_t g_bytes = 0;

control::HealthReport syntheticReport(int e, TimestampNs now) {
  control::HealthReport r;
  r.edge = "plant-" + std::to_string(e);
  r.version = e % 10 == 0 ? "0.1.0" : "0.2.0";
  r.time = now - static_cast<TimestampNs>(e % 10) * 1'000'000'000;
  r.uptimeSeconds = 86400.0 + e;
  r.config.version = "kv:" + std::to_string(e % 50 + 1);
  r.config.source = "cloud";
  r.config.appliedAt = now - 3'600'000'000'000;
  for (int m = 0; m < kMachines; ++m) {
    control::MachineHealth mh;
    mh.id = "machine-" + std::to_string(m + 1);
    mh.state = (e + m) % 37 == 0 ? "backoff" : "connected";
    if (mh.state != "connected") mh.detail = "connect 10.20.0.5:7878: connection refused";
    mh.observations = 1'000'000ULL * (m + 1) + e;
    mh.observationRate = 120.5 + m;
    mh.lastObservation = now - 200'000'000;
    mh.lastDataAgeSeconds = 0.2;
    r.machines.push_back(mh);
  }
  control::JournalHealth j;
  j.depth = 120 + e;
  j.ageSeconds = e % 97 == 0 ? 120.0 : 0.4;
  j.bytes = 73'400'320;
  j.id = "9f3c2a71d04e5b18";
  r.journal = j;
  for (const char* name : {"nats", "file"}) {
    control::UplinkHealth u;
    u.name = name;
    u.connected = true;
    u.lag = 120;
    u.lagSeconds = 0.02;
    u.delivered = 1'203'224;
    u.inFlight = 3;
    r.uplinks.push_back(u);
  }
  r.subscriptions.push_back({"uplink.nats.hf", 40213, 0, 0, 0});
  r.clockOffsetMs = 1.8;
  control::UpdateHealth up;
  up.running = r.version;
  up.lastResult = "good";
  up.lastVersion = r.version;
  r.update = up;
  return r;
}

bool publishFleet(fleet::HubConnection& hub) {
  const TimestampNs now = wallClockNs();
  for (int e = 0; e < kEdges; ++e) {
    const std::string body = control::toJson(syntheticReport(e, now));
    g_bytes += body.size();
    const std::string subject = "spindle.plant-" + std::to_string(e) + ".health";
    if (natsConnection_Publish(hub.nc(), subject.c_str(), body.data(),
                               static_cast<int>(body.size())) != NATS_OK) {
      return false;
    }
  }
  natsConnection_Flush(hub.nc());
  jsOptions jo = hub.jsOpts();
  return testing::eventually(
      [&] {
        jsStreamInfo* si = nullptr;
        if (js_GetStreamInfo(&si, hub.js(), fleet::kHealthStream, &jo, nullptr) != NATS_OK) {
          return false;
        }
        const bool all = si->State.Msgs == kEdges;
        jsStreamInfo_Destroy(si);
        return all;
      },
      20s);
}

void library(benchmark::State& state) {
  fleet::HubOptions options;
  options.servers = {g_server->url()};
  std::size_t rows = 0, chars = 0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto hub = fleet::HubConnection::connect(options);
    if (!hub) {
      state.SkipWithError(hub.error().describe().c_str());
      return;
    }
    auto listing = fleet::listFleet(**hub, {}, Duration(0), nullptr);
    if (!listing) {
      state.SkipWithError(listing.error().describe().c_str());
      return;
    }
    const auto sorted = fleet::selectRows(std::move(listing->rows), {}, fleet::SortKey::kEdge);
    const std::string table = fleet::renderTable(sorted, wallClockNs());
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    rows = sorted.size();
    chars = table.size();
  }
  state.counters["edges"] = static_cast<double>(rows);
  state.counters["table_bytes"] = static_cast<double>(chars);
}

void binary(benchmark::State& state) {
  const fs::path dir = g_server->dir();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    testing::Process p({SPINDLE_BINARY, "fleet", "ls", "--server", g_server->url()},
                       (dir / "ls.out").string(), (dir / "ls.err").string());
    const int code = p.wait(std::chrono::seconds(30));
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (code != 0) {
      state.SkipWithError(testing::readFile((dir / "ls.err").string()).c_str());
      return;
    }
  }
  const std::string out = testing::readFile((dir / "ls.out").string());
  state.counters["lines"] = static_cast<double>(std::count(out.begin(), out.end(), '\n'));
}

}  // namespace

int main(int argc, char** argv) {
  if (testing::natsServerBinary().empty()) {
    std::fprintf(stderr, "fleet_ls_bench needs nats-server (apt-get install nats-server)\n");
    return 1;
  }
  spdlog::set_level(spdlog::level::warn);
  const fs::path dir =
      fs::temp_directory_path() / ("spindle_fleet_bench_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  int code = 0;
  {
    testing::NatsServer server(dir, testing::NatsServerConfig{});
    if (!server.start()) {
      std::fprintf(stderr, "nats-server did not start:\n%s\n", server.log().c_str());
      return 1;
    }
    g_server = &server;
    fleet::HubOptions options;
    options.servers = {server.url()};
    auto hub = fleet::HubConnection::connect(options);
    if (!hub || !fleet::ensureHealthStream(**hub, {}) || !publishFleet(**hub)) {
      std::fprintf(stderr, "could not fill SPINDLE_HEALTH with %d heartbeats\n", kEdges);
      return 1;
    }
    std::printf("SPINDLE_HEALTH: %d edges' heartbeats, %zu bytes each on average\n", kEdges,
                g_bytes / kEdges);
    benchmark::RegisterBenchmark("FleetLs/library", library)
        ->UseManualTime()
        ->Iterations(5)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("FleetLs/binary", binary)
        ->UseManualTime()
        ->Iterations(5)
        ->Unit(benchmark::kMillisecond);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    hub->reset();
    server.stop();
  }
  fs::remove_all(dir);
  return code;
}
