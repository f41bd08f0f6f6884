// Helper for journal_crash_test.cpp: a process that appends sustained batches to a journal and
// feeds a file uplink through its delivery engine, like `spindle run` does, until it is killed.
//
//   journal_crash_writer DIR OUTPUT [--fsync 10ms|always|never] [--rate OBS_PER_S]
//                        [--until SEQUENCE] [--segment-size BYTES]
//
// Every observation's int64 value is its own journal sequence, so anyone can check order and
// completeness. Each time the durable end moves it prints "durable <last sequence>" on stdout
// (unbuffered): a promise the test holds the journal to after kill -9. With --until it stops
// by itself once that sequence is durable and delivered, and exits 0.

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include <unistd.h>

#include "base/log.hpp"
#include "journal/journal.hpp"
#include "uplinks/delivery_engine.hpp"
#include "uplinks/file/file_uplink.hpp"

namespace {

using namespace spindle;

void say(const std::string& line) {
  const std::string text = line + "\n";
  (void)!::write(1, text.data(), text.size());
}

int fail(const std::string& message) {
  std::fprintf(stderr, "journal_crash_writer: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return fail("usage: DIR OUTPUT [--fsync X] [--rate N] [--until N]");
  setupLogging(LogFormat::kText, spdlog::level::warn);
  journal::JournalOptions options;
  options.dir = argv[1];
  options.fsync = "10ms";
  options.segmentSize = ByteSize{256 << 10};
  options.maxSize = ByteSize{1ULL << 30};
  options.retryMin = std::chrono::milliseconds(5);
  options.retryMax = std::chrono::milliseconds(50);
  double rate = 20000;
  std::uint64_t until = 0;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--fsync") {
      options.fsync = value;
    } else if (key == "--rate") {
      rate = std::stod(value);
    } else if (key == "--until") {
      until = std::stoull(value);
    } else if (key == "--segment-size") {
      options.segmentSize = ByteSize{std::stoull(value)};
    } else {
      return fail("unknown option " + key);
    }
  }
  auto settings = journal::resolveSettings(options, ".");
  if (!settings) return fail(settings.error().describe());
  SystemClock clock;
  auto opened = journal::Journal::open(*settings, clock);
  if (!opened) return fail(opened.error().describe());
  journal::Journal& j = **opened;

  model::ItemCatalog catalog;
  uplinks::file::FileOptions fileOptions;
  fileOptions.path = argv[2];
  fileOptions.rotateSize = ByteSize{0};
  uplinks::DeliveryEngine engine(
      j, std::make_unique<uplinks::file::FileUplink>(fileOptions, catalog), catalog);
  if (auto s = engine.start(); !s) return fail(s.error().describe());

  const auto machine = catalog.addMachine("crash-mill");
  std::vector<model::ItemId> items;
  for (int k = 0; k < 8; ++k)
    items.push_back(catalog.intern(machine, "k" + std::to_string(k)).value());
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t appended = 0;
  std::uint64_t reported = j.durableSequence();
  while (until == 0 || j.durableSequence() <= until) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const bool ahead = static_cast<double>(appended) > elapsed * rate;
    if (!ahead && (until == 0 || j.stats().nextSequence <= until)) {
      const std::uint64_t first = j.stats().nextSequence;
      model::Batch batch;
      for (std::uint64_t i = 0; i < 64; ++i) {
        batch.push_back({machine, items[i % items.size()], clock.now(), model::Kind::kSample, 0,
                         static_cast<std::int64_t>(first + i)});
      }
      if (j.append(batch, catalog).ok()) appended += batch.size();
    }
    const Duration wait = j.poll();
    const std::uint64_t durable = j.durableSequence();
    if (durable != reported) {
      reported = durable;
      say("durable " + std::to_string(durable - 1));
    }
    if (ahead || (until != 0 && j.stats().nextSequence > until)) {
      j.waitDurable(durable, std::min<Duration>(wait, std::chrono::milliseconds(2)));
    }
  }
  if (auto s = j.commit(); !s) return fail(s.error().describe());
  engine.stop(std::chrono::seconds(30));
  const auto st = engine.stats();
  j.close();
  say("done " + std::to_string(st.position - 1));
  return st.lag == 0 ? 0 : 3;
}
