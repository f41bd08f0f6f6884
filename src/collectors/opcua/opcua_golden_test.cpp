// Golden cases (collectors/testing/golden_cases.hpp): one DataValue per input line, as the hex
// bytes of its OPC UA binary encoding written out by hand from Part 6 ('#' starts a comment),
// and the observation of item `v` each becomes. A line that does not decode, or whose value has
// a problem (a Bad status, no value, a value Spindle cannot record), is also a rejection.
// Section `timestamps`: source (default), server or arrival.

#include <cctype>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "collectors/opcua/opcua_codec.hpp"
#include "collectors/testing/golden_cases.hpp"
#include "opcua/binary.hpp"

namespace spindle::collectors::opcua {
namespace {

namespace fs = std::filesystem;

constexpr TimestampNs kArrival = 1767225600LL * 1'000'000'000;  // 2026-01-01T00:00:00Z

TimestampSource sourceNamed(const std::string& name) {
  if (name == "server") return TimestampSource::kServer;
  if (name == "arrival") return TimestampSource::kArrival;
  EXPECT_EQ(name, "source") << "timestamps is source, server or arrival";
  return TimestampSource::kSource;
}

/// The bytes of one input line (its comment dropped); a token that is not two hex digits
/// fails the test, since it is the case file that is wrong.
ua::Bytes lineBytes(const std::string& line) {
  std::istringstream in(line.substr(0, line.find('#')));
  ua::Bytes out;
  std::string token;
  while (in >> token) {
    const bool hex = token.size() == 2 && std::isxdigit(static_cast<unsigned char>(token[0])) &&
                     std::isxdigit(static_cast<unsigned char>(token[1]));
    EXPECT_TRUE(hex) << "\"" << token << "\" in: " << line;
    if (hex) out.push_back(static_cast<std::uint8_t>(std::stoul(token, nullptr, 16)));
  }
  return out;
}

testing::GoldenOutput run(const testing::GoldenCase& c) {
  testing::GoldenOutput out;
  model::ItemCatalog catalog;
  const model::MachineId machine = catalog.addMachine("m");
  const model::ItemId item = catalog.intern(machine, "v", model::Kind::kEvent).value();
  const TimestampSource source = sourceNamed(c.value("timestamps", "source"));
  model::Batch batch;
  std::istringstream lines(c.input);
  std::string line;
  while (std::getline(lines, line)) {
    const ua::Bytes bytes = lineBytes(line);
    if (bytes.empty()) continue;  // a comment or a blank line
    ua::Reader r(bytes);
    ua::DataValue dv;
    ua::decode(r, dv);
    if (r.ok() && !r.atEnd()) r.fail(std::to_string(r.remaining()) + " trailing bytes");
    if (!r.ok()) {
      out.rejections.push_back(r.error().message());
      continue;
    }
    ItemValue v = fromDataValue(dv, kArrival, source);
    if (!v.problem.empty()) out.rejections.push_back(v.problem);
    model::Observation obs;
    obs.machine = machine;
    obs.item = item;
    obs.timestamp = v.time;
    obs.kind = model::Kind::kEvent;
    obs.flags = v.arrivalTime ? model::kFlagArrivalTime : model::kFlagNone;
    obs.value = std::move(v.value);
    batch.push_back(std::move(obs));
  }
  out.addObservations(batch, catalog);
  return out;
}

TEST(OpcuaGolden, CasesProduceExactlyTheExpectedObservations) {
  testing::runGoldenCases(fs::path(SPINDLE_SOURCE_DIR) / "src/collectors/opcua/testdata", 5, run);
}

}  // namespace
}  // namespace spindle::collectors::opcua
