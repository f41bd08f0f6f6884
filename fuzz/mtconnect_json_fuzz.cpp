// libFuzzer target for the MTConnect codec's JSON documents (the agent's JSON format version 2):
// arbitrary bytes read as an agent's response body, both through the detecting entry points and
// the JSON half directly. Seeded from the collector's testdata (scripts/fuzz).

#include "collectors/mtconnect_agent/mtconnect_json.hpp"
#include "mtconnect_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace mtc = spindle::collectors::mtconnect_agent;
  spindle::fuzz::decodeAgentDocument(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)mtc::jsonv2::detect(text);
  (void)mtc::jsonv2::parseDevices(text);
  (void)mtc::jsonv2::parseErrors(text);
  spindle::model::ItemCatalog catalog;
  mtc::StreamsDecoder decoder(catalog, catalog.addMachine("fuzz"), {});
  mtc::StreamsOutput out;
  (void)mtc::jsonv2::decodeStreams(decoder, text, 1, out);
  return 0;
}
