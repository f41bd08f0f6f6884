// The codec against the recorded real documents in the shared fixtures (skipped, saying why, when
// absent), and the pieces it is made of. Expected counts were taken from the files with an
// independent script (Python's ElementTree / json), not from this codec.

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"
#include "collectors/mtconnect_agent/mtconnect_agent_options.hpp"
#include "collectors/mtconnect_agent/mtconnect_values.hpp"
#include "collectors/mtconnect_agent/sequence_tracker.hpp"

namespace spindle::collectors::mtconnect_agent {
namespace {

namespace fs = std::filesystem;

constexpr TimestampNs kArrival = 1704067200LL * 1'000'000'000;

std::string fixture(const std::string& name) {
  const fs::path path = spindle::testing::fixturePath("mtconnect/" + name);
  if (!fs::exists(path)) return {};
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

#define LOAD_FIXTURE(var, name)          \
  const std::string var = fixture(name); \
  SPINDLE_NEEDS_FIXTURE(!var.empty(), "fixture mtconnect/" << name << " is absent")

std::map<model::Kind, size_t> kinds(const model::Batch& batch) {
  std::map<model::Kind, size_t> out;
  for (const auto& o : batch) ++out[o.kind];
  return out;
}

void expectMazak(const std::string& file, size_t samples, size_t events, size_t conditions) {
  LOAD_FIXTURE(text, file);
  EXPECT_EQ(detectDocument(text), DocumentType::kStreams);
  model::ItemCatalog catalog;
  StreamsDecoder decoder(catalog, catalog.addMachine("mazak"), {});
  std::string body = text;
  StreamsOutput out;
  ASSERT_TRUE(decoder.decode(body, kArrival, out).ok());
  EXPECT_TRUE(out.deviceSeen);
  EXPECT_EQ(out.header.instanceId, 1666332811u);
  EXPECT_EQ(out.header.bufferSize, 131072u);
  EXPECT_EQ(out.header.firstSequence, 1u);
  EXPECT_EQ(out.header.lastSequence, 2868u);
  EXPECT_EQ(out.header.nextSequence, 2869u);
  EXPECT_EQ(out.header.schemaVersion, "1.3");
  EXPECT_EQ(out.header.version, "1.5.0.14");
  for (const auto& r : out.rejections) ADD_FAILURE() << r.reason << " " << r.excerpt;
  auto k = kinds(out.observations);
  EXPECT_EQ(k[model::Kind::kSample], samples);
  EXPECT_EQ(k[model::Kind::kEvent] + k[model::Kind::kMessage], events);
  EXPECT_EQ(k[model::Kind::kCondition], conditions);
  EXPECT_EQ(catalog.itemCount(), samples + events + conditions);  // one observation per item
  EXPECT_TRUE(std::is_sorted(out.sequences.begin(), out.sequences.end()));
}

TEST(MtconnectCodecFixtures, CurrentMazak15) { expectMazak("Current-Mazak-1.5.xml", 43, 39, 28); }

TEST(MtconnectCodecFixtures, CurrentMazak15SingleLine) {
  // The single-line variant is not byte-for-byte the same document: it has 8 more events.
  expectMazak("Current-Mazak-1.5-SingleLine.xml", 43, 47, 28);
}

TEST(MtconnectCodecFixtures, MazakDecimalCommaIsReadAsAPoint) {
  LOAD_FIXTURE(text, "Current-Mazak-1.5.xml");
  model::ItemCatalog catalog;
  StreamsDecoder decoder(catalog, catalog.addMachine("mazak"), {});
  std::string body = text;
  StreamsOutput out;
  ASSERT_TRUE(decoder.decode(body, kArrival, out).ok());
  size_t commas = 0;
  for (const auto& o : out.observations) {
    if (const auto* d = std::get_if<double>(&o.value); d && *d > 381.64 && *d < 381.65) ++commas;
  }
  EXPECT_GE(commas, 1u);
}

TEST(MtconnectCodecFixtures, JsonStreamsVersion2) {
  LOAD_FIXTURE(text, "MTConnectStreamsResponseDocument.json");
  EXPECT_EQ(detectDocument(text), DocumentType::kStreams);
  const std::map<std::string, size_t> perDevice{
      {"agent", 4}, {"M12346", 114}, {"VMC-3Axis", 47}, {"OKUMA.Lathe.123456", 77}};
  for (const auto& [device, count] : perDevice) {
    SCOPED_TRACE(device);
    model::ItemCatalog catalog;
    DecoderOptions options;
    options.device = device;
    StreamsDecoder decoder(catalog, catalog.addMachine("m"), options);
    std::string body = text;
    StreamsOutput out;
    ASSERT_TRUE(decoder.decode(body, kArrival, out).ok());
    EXPECT_TRUE(out.deviceSeen);
    EXPECT_EQ(out.header.instanceId, 1702144894u);
    EXPECT_EQ(out.header.nextSequence, 247u);
    EXPECT_EQ(out.header.schemaVersion, "2.0");
    for (const auto& r : out.rejections) ADD_FAILURE() << r.reason << " " << r.excerpt;
    EXPECT_EQ(out.observations.size(), count);
  }
}

TEST(MtconnectCodecFixtures, JsonStreamsKindsOfTheLathe) {
  LOAD_FIXTURE(text, "MTConnectStreamsResponseDocument.json");
  model::ItemCatalog catalog;
  DecoderOptions options;
  options.device = "M12346";
  StreamsDecoder decoder(catalog, catalog.addMachine("m"), options);
  std::string body = text;
  StreamsOutput out;
  ASSERT_TRUE(decoder.decode(body, kArrival, out).ok());
  auto k = kinds(out.observations);
  EXPECT_GT(k[model::Kind::kCondition], 0u);
  EXPECT_EQ(k[model::Kind::kDataSet], 2u);  // ToolOffsetDataSet, VariableDataSet
  EXPECT_EQ(k[model::Kind::kTable], 1u);    // WorkOffsetTable
}

struct DeviceCase {
  const char* file;
  const char* device;
  size_t items;
};

TEST(MtconnectCodecFixtures, DeviceFiles) {
  const DeviceCase cases[] = {{"Devices.xml", "OKUMA", 100},
                              {"Devices.xml", "Mazak", 116},
                              {"haas.xml", "Haas_1", 14},
                              {"fanuc.xml", "Fanuc-4Axis", 48},
                              {"data_set.xml", "LinuxCNC", 13},
                              {"two_devices.xml", "device-2", 3},
                              {"MTConnectDevicesResponseDocument.json", "M12346", 116},
                              {"MTConnectDevicesResponseDocument.json", "VMC-3Axis", 47},
                              {"MTConnectDevicesResponseDocument.json", "OKUMA.Lathe.123456", 79}};
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.file) + " " + c.device);
    const std::string text = fixture(c.file);
    SPINDLE_NEEDS_FIXTURE(!text.empty(), "fixture mtconnect/" << c.file << " is absent");
    EXPECT_EQ(detectDocument(text), DocumentType::kDevices);
    auto doc = parseDevices(text);
    ASSERT_TRUE(doc.ok()) << doc.error().describe();
    std::string why;
    const DeviceInfo* device = selectDevice(*doc, c.device, why);
    ASSERT_NE(device, nullptr) << why;
    EXPECT_EQ(device->items.size(), c.items);
    for (const auto& item : device->items) EXPECT_FALSE(item.id.empty());
  }
}

TEST(MtconnectCodecFixtures, DataSetRepresentations) {
  LOAD_FIXTURE(text, "data_set.xml");
  auto doc = parseDevices(text);
  ASSERT_TRUE(doc.ok());
  std::map<model::Kind, size_t> k;
  for (const auto& item : doc->devices.at(0).items) ++k[item.kind];
  EXPECT_EQ(k[model::Kind::kDataSet], 3u);
  EXPECT_EQ(k[model::Kind::kTable], 1u);
}

TEST(MtconnectCodecFixtures, SeveralDevicesNeedASelector) {
  LOAD_FIXTURE(text, "two_devices.xml");
  auto doc = parseDevices(text);
  ASSERT_TRUE(doc.ok());
  std::string why;
  EXPECT_EQ(selectDevice(*doc, "", why), nullptr);
  EXPECT_NE(why.find("Device1"), std::string::npos) << why;
  EXPECT_EQ(selectDevice(*doc, "nope", why), nullptr);
  ASSERT_NE(selectDevice(*doc, "Device1", why), nullptr);
}

TEST(MtconnectCodec, ErrorDocumentsOldAndNew) {
  const std::string old =
      "<?xml version=\"1.0\"?><MTConnectError xmlns=\"urn:mtconnect.org:MTConnectError:1.3\">"
      "<Header creationTime=\"2024-01-01T00:00:00Z\" sender=\"a\" instanceId=\"1\" "
      "bufferSize=\"10\" version=\"1.3\"/><Errors><Error errorCode=\"OUT_OF_RANGE\">'from' must "
      "be greater than 5</Error></Errors></MTConnectError>";
  auto errors = parseErrors(old);
  ASSERT_TRUE(errors.ok());
  EXPECT_EQ(errors->at(0).code, "OUT_OF_RANGE");
  const std::string typed =
      "<MTConnectError><Errors><OutOfRange parameter=\"from\"><ErrorMessage>too low"
      "</ErrorMessage></OutOfRange></Errors></MTConnectError>";
  errors = parseErrors(typed);
  ASSERT_TRUE(errors.ok());
  EXPECT_EQ(errors->at(0).code, "OUT_OF_RANGE");
  EXPECT_EQ(errors->at(0).text, "too low");
  EXPECT_FALSE(parseErrors("<MTConnectStreams/>").ok());
}

TEST(MtconnectCodec, NotMtconnectIsAProtocolError) {
  model::ItemCatalog catalog;
  StreamsDecoder decoder(catalog, catalog.addMachine("m"), {});
  StreamsOutput out;
  std::string html = "<html><body>404</body></html>";
  EXPECT_EQ(decoder.decode(html, kArrival, out).error().code(), ErrorCode::kProtocol);
  std::string broken = "<MTConnectStreams><Header";
  EXPECT_FALSE(decoder.decode(broken, kArrival, out).ok());
  std::string v1 = R"({"MTConnectStreams":{"Header":{},"Streams":[]}})";
  auto s = decoder.decode(v1, kArrival, out);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("JSON version 2"), std::string::npos);
}

TEST(MtconnectValues, Numbers) {
  EXPECT_EQ(parseNumber("1.5"), 1.5);
  EXPECT_EQ(parseNumber("381,6404"), 381.6404);
  EXPECT_FALSE(parseNumber("1,2,3").has_value());
  EXPECT_FALSE(parseNumber("abc").has_value());
  auto three = sampleValue("1 2.5 -3");
  ASSERT_TRUE(three.has_value());
  EXPECT_EQ(std::get<std::vector<double>>(*three), (std::vector<double>{1, 2.5, -3}));
  EXPECT_TRUE(model::isUnavailable(*sampleValue("UNAVAILABLE")));
  EXPECT_EQ(std::get<std::int64_t>(eventValue("42")), 42);
  EXPECT_EQ(std::get<std::string>(eventValue("007")), "007");
}

TEST(MtconnectOptions, UrlsAndHaasDefaults) {
  auto u = parseUrl("http://10.0.0.5:8082/agent/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "10.0.0.5");
  EXPECT_EQ(u->port, 8082);
  EXPECT_EQ(u->basePath, "/agent");
  EXPECT_FALSE(parseUrl("https://x").ok());
  EXPECT_FALSE(parseUrl("http://x:99999").ok());

  config::Diagnostics diags;
  YAML::Node block = YAML::Load("{host: haas-1, vendor: haas_ngc}");
  MtconnectAgentOptions o;
  optionTable().load(block, o, diags, "test", {});
  EXPECT_TRUE(validate(o, block, diags));
  EXPECT_EQ(o.port.value, kHaasNgcPort);

  block = YAML::Load("{url: 'http://a:1', host: b}");
  MtconnectAgentOptions both;
  optionTable().load(block, both, diags, "test", {});
  EXPECT_FALSE(validate(both, block, diags));
}

TEST(MtconnectOptions, CredentialsInTheUrlBecomeBasicAuthNeverPartOfTheHost) {
  auto u = parseUrl("http://reader:p%40ss@10.0.0.5/agent");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "10.0.0.5");
  EXPECT_FALSE(u->hasPort);
  EXPECT_EQ(u->userinfo, "reader:p@ss");

  config::Diagnostics diags;
  YAML::Node block = YAML::Load("{url: 'http://user:pass@haas-1', vendor: haas_ngc}");
  MtconnectAgentOptions o;
  optionTable().load(block, o, diags, "test", {});
  ASSERT_TRUE(validate(o, block, diags)) << diags.describe();
  EXPECT_EQ(o.host, "haas-1");
  EXPECT_EQ(o.port.value, kHaasNgcPort);
  EXPECT_EQ(sessionOptions(o).authorization, "Basic dXNlcjpwYXNz");  // user:pass
  block = YAML::Load("{url: 'http://haas-1:8082'}");
  MtconnectAgentOptions plain;
  optionTable().load(block, plain, diags, "test", {});
  ASSERT_TRUE(validate(plain, block, diags));
  EXPECT_EQ(sessionOptions(plain).authorization, "");
}

TEST(MtconnectSequenceTracker, DropsDuplicatesAndCountsLoss) {
  SequenceTracker t;
  Header h;
  h.instanceId = 7;
  h.firstSequence = 1;
  h.nextSequence = 10;
  t.acceptCurrent(h);
  StreamsOutput out;
  for (std::uint64_t s : {8, 9, 10, 11}) {
    out.observations.push_back(model::Observation{});
    out.sequences.push_back(s);
  }
  h.nextSequence = 12;
  t.acceptSample(h, out);
  EXPECT_EQ(out.sequences, (std::vector<std::uint64_t>{10, 11}));
  EXPECT_EQ(t.stats().duplicates, 2u);
  EXPECT_EQ(t.next(), 12u);
  t.noteOutOfRange();
  h.firstSequence = 20;
  h.nextSequence = 30;
  t.acceptCurrent(h);
  EXPECT_EQ(t.stats().lost, 8u);
  h.instanceId = 8;
  EXPECT_TRUE(t.isNewInstance(h));
  t.reset();
  EXPECT_FALSE(t.isNewInstance(h));
}

}  // namespace
}  // namespace spindle::collectors::mtconnect_agent
