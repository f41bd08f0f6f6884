// Documents a hostile agent may send: the codec refuses them with an error and never exhausts
// the stack.

#include <string>

#include <gtest/gtest.h>

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"

namespace spindle::collectors::mtconnect_agent {
namespace {

/// A probe whose device nests `levels` components, each <Components><Component>.
std::string deepXmlProbe(int levels) {
  std::string body =
      "<MTConnectDevices xmlns=\"urn:mtconnect.org:MTConnectDevices:1.3\"><Header "
      "instanceId=\"1\"/>"
      "<Devices><Device id=\"d\" name=\"mill\" uuid=\"u\">";
  body.reserve(body.size() + static_cast<size_t>(levels) * 40);
  for (int i = 0; i < levels; ++i) body += "<Components><Axes id=\"a\">";
  body += "<DataItems><DataItem id=\"x\" category=\"SAMPLE\" type=\"POSITION\"/></DataItems>";
  for (int i = 0; i < levels; ++i) body += "</Axes></Components>";
  body += "</Device></Devices></MTConnectDevices>";
  return body;
}

std::string deepJsonProbe(int levels) {
  std::string body =
      R"({"MTConnectDevices":{"jsonVersion":2,"Header":{"instanceId":1},"Devices":{"Device":[)"
      R"({"id":"d","name":"mill","uuid":"u",)";
  for (int i = 0; i < levels; ++i) body += R"("Components":{"Axes":[{"id":"a",)";
  body += R"("DataItems":{"DataItem":[{"id":"x","category":"SAMPLE","type":"POSITION"}]})";
  for (int i = 0; i < levels; ++i) body += "}]}";
  body += "}]}}}";
  return body;
}

TEST(MtconnectHostile, DeeplyNestedXmlProbeIsAnErrorNotACrash) {
  // 50,000 levels (2.3 MB, under the default max_document of 16 MiB); 20,000 overflowed the
  // stack of the recursive walk before it was bounded.
  const auto doc = parseDevices(deepXmlProbe(50'000));
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code(), ErrorCode::kProtocol);
  EXPECT_NE(doc.error().message().find("deeper than"), std::string::npos) << doc.error().message();
}

TEST(MtconnectHostile, DeeplyNestedJsonProbeIsAnErrorNotACrash) {
  const auto doc = parseDevices(deepJsonProbe(100'000));
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message().find("deeper than"), std::string::npos) << doc.error().message();
}

TEST(MtconnectHostile, DeeplyNestedStreamsDocumentsDoNotCrash) {
  // nlohmann::json and pugixml parse (and free) without recursion; the decoder walks a fixed
  // depth. Deep nesting where observations would be is ignored or refused, never a crash.
  model::ItemCatalog catalog;
  StreamsDecoder decoder(catalog, catalog.addMachine("m"), {});
  std::string json = R"({"MTConnectStreams":{"jsonVersion":2,"Header":{"instanceId":1},)"
                     R"("Streams":{"DeviceStream":[{"name":"mill","ComponentStream":[)";
  json += std::string(200'000, '[') + std::string(200'000, ']') + "]}]}}}";
  StreamsOutput out;
  EXPECT_TRUE(decoder.decode(json, 0, out).ok());
  EXPECT_TRUE(out.observations.empty());
  std::string xml =
      "<MTConnectStreams xmlns=\"urn:mtconnect.org:MTConnectStreams:1.3\"><Streams>"
      "<DeviceStream name=\"mill\"><ComponentStream><Events>";
  for (int i = 0; i < 200'000; ++i) xml += "<a>";
  for (int i = 0; i < 200'000; ++i) xml += "</a>";
  xml += "</Events></ComponentStream></DeviceStream></Streams></MTConnectStreams>";
  EXPECT_TRUE(decoder.decode(xml, 0, out).ok());
}

TEST(MtconnectHostile, ModelsNestedWithinTheLimitStillParse) {
  for (const auto& body : {deepXmlProbe(kMaxModelDepth / 2), deepJsonProbe(kMaxModelDepth / 2)}) {
    const auto doc = parseDevices(body);
    ASSERT_TRUE(doc.ok()) << doc.error().message();
    ASSERT_EQ(doc->devices.size(), 1u);
    ASSERT_EQ(doc->devices[0].items.size(), 1u);
    EXPECT_EQ(doc->devices[0].items[0].id, "x");
  }
}

TEST(MtconnectHostile, NewItemsStopAtMaxItemsAcrossDocuments) {
  model::ItemCatalog catalog;
  DecoderOptions options;
  options.maxItems = 3;
  StreamsDecoder decoder(catalog, catalog.addMachine("m"), options);
  std::uint64_t seq = 1;
  auto document = [&](int first, int count) {
    std::string body =
        "<MTConnectStreams xmlns=\"urn:mtconnect.org:MTConnectStreams:1.3\">"
        "<Header instanceId=\"1\"/><Streams><DeviceStream name=\"mill\" uuid=\"u\">"
        "<ComponentStream component=\"Device\"><Events>";
    for (int i = first; i < first + count; ++i) {
      body += "<Program dataItemId=\"p" + std::to_string(i) + "\" sequence=\"" +
              std::to_string(seq++) + "\" timestamp=\"2024-05-01T12:00:00Z\">x</Program>";
    }
    return body + "</Events></ComponentStream></DeviceStream></Streams></MTConnectStreams>";
  };
  StreamsOutput out;
  std::string body = document(0, 10);
  ASSERT_TRUE(decoder.decode(body, 0, out).ok());
  EXPECT_EQ(out.observations.size(), 3u);
  EXPECT_EQ(out.rejections.size(), 7u);
  EXPECT_EQ(decoder.stats().itemsRefused, 7u);
  // Known items keep working; a new model does not reset the count (the catalog keeps items).
  DeviceInfo model;
  for (int i = 100; i < 110; ++i) model.items.push_back(DataItemInfo{"p" + std::to_string(i)});
  decoder.setModel(model);
  body = document(0, 2);
  ASSERT_TRUE(decoder.decode(body, 0, out).ok());
  EXPECT_EQ(out.observations.size(), 2u);
  EXPECT_EQ(catalog.itemCount(), 3u);
}

// The catalog's own bound (max_keys) stands behind max_items: a key it refuses is a rejection
// of that observation, counted by the catalog, and the decoder keeps going.
TEST(MtconnectHostile, KeysTheCatalogRefusesAreRejectedNotThrown) {
  model::ItemCatalog catalog;
  const model::MachineId m = catalog.addMachine("m");
  catalog.setMachineLimit(m, 2);
  StreamsDecoder decoder(catalog, m, DecoderOptions{});
  std::string body =
      "<MTConnectStreams xmlns=\"urn:mtconnect.org:MTConnectStreams:1.3\">"
      "<Header instanceId=\"1\"/><Streams><DeviceStream name=\"mill\" uuid=\"u\">"
      "<ComponentStream component=\"Device\"><Events>";
  for (int i = 0; i < 4; ++i) {
    body += "<Program dataItemId=\"p" + std::to_string(i) + "\" sequence=\"" +
            std::to_string(i + 1) + "\" timestamp=\"2024-05-01T12:00:00Z\">x</Program>";
  }
  body += "</Events></ComponentStream></DeviceStream></Streams></MTConnectStreams>";
  StreamsOutput out;
  ASSERT_TRUE(decoder.decode(body, 0, out).ok());
  EXPECT_EQ(out.observations.size(), 2u);
  ASSERT_EQ(out.rejections.size(), 2u);
  EXPECT_NE(out.rejections[0].reason.find("max_keys"), std::string::npos);
  EXPECT_EQ(decoder.stats().itemsRefused, 0u);  // not max_items: the catalog counts these
  EXPECT_EQ(catalog.machineKeys(m).refused, 2u);
  EXPECT_EQ(catalog.itemCount(), 2u);
}

}  // namespace
}  // namespace spindle::collectors::mtconnect_agent
