#pragma once
// What the MTConnect XML and JSON fuzz targets share: one input is a whole agent response body,
// read as every document the collector reads (probe, error, streams), with small max_items and
// max_keys so both refusal paths run too. Any input must end in a document or a reported error:
// never a crash, a hang, a leak or undefined behaviour.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "collectors/mtconnect_agent/mtconnect_codec.hpp"

namespace spindle::fuzz {

inline void decodeAgentDocument(const std::uint8_t* data, std::size_t size) {
  namespace mtc = collectors::mtconnect_agent;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)mtc::detectDocument(text);
  (void)mtc::parseErrors(text);
  model::ItemCatalog catalog;
  mtc::DecoderOptions options;
  options.maxItems = 64;
  // The first byte picks the options, so keying by name and arrival stamps are exercised too.
  options.keyByName = size > 0 && (data[0] & 1) != 0;
  options.ignoreTimestamps = size > 0 && (data[0] & 2) != 0;
  const model::MachineId machine = catalog.addMachine("fuzz");
  catalog.setMachineLimit(machine, 48);  // the catalog refuses some keys max_items admits
  mtc::StreamsDecoder decoder(catalog, machine, options);
  if (auto devices = mtc::parseDevices(text); devices.ok()) {
    std::string why;
    if (const auto* device = mtc::selectDevice(*devices, "", why)) decoder.setModel(*device);
  }
  std::string body(text);  // decode() parses in place
  mtc::StreamsOutput out;
  const Status status = decoder.decode(body, 1, out);
  if (status.ok() && out.observations.size() != out.sequences.size()) __builtin_trap();
  (void)decoder.knownItems();
}

}  // namespace spindle::fuzz
