// What the lsv2 collector asks of its machine's script (PLC operands), checked at start and by
// `spindle validate`, and the collector's registration.

#include <charconv>
#include <set>

#include "collectors/lsv2/lsv2_collector.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::collectors::lsv2 {

Result<std::optional<PlcRead>> parsePlcKey(std::string_view key) {
  if (!key.starts_with("plc_")) return std::optional<PlcRead>();
  const std::string_view rest = key.substr(4);
  auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument,
                 "key '" + std::string(key) + "': " + why +
                     " (plc_<M|I|O|C|T|B|W|D><number>, e.g. plc_M100, plc_W6, plc_D8)");
  };
  if (rest.size() < 2) return bad("no operand");
  PlcRead r{std::string(key), Operand::kMarker, 0};
  switch (rest[0]) {
    case 'M':
      r.operand = Operand::kMarker;
      break;
    case 'I':
      r.operand = Operand::kInput;
      break;
    case 'O':
      r.operand = Operand::kOutput;
      break;
    case 'C':
      r.operand = Operand::kCounter;
      break;
    case 'T':
      r.operand = Operand::kTimer;
      break;
    case 'B':
      r.operand = Operand::kByte;
      break;
    case 'W':
      r.operand = Operand::kWord;
      break;
    case 'D':
      r.operand = Operand::kDouble;
      break;
    default:
      return bad("unknown operand '" + std::string(1, rest[0]) + "'");
  }
  const char* first = rest.data() + 1;
  const char* last = rest.data() + rest.size();
  const auto [end, ec] = std::from_chars(first, last, r.number);
  if (ec != std::errc() || end != last || r.number > 1'000'000) return bad("bad number");
  if (r.number % operandSize(r.operand) != 0) {
    return bad("a word takes an even byte address, a double word a multiple of 4");
  }
  return std::optional<PlcRead>(std::move(r));
}

Result<std::vector<PlcRead>> plcReads(const transform::CompiledScript* script) {
  std::vector<PlcRead> out;
  if (script == nullptr) return out;
  std::set<std::string> seen;
  for (const auto& input : script->inputs()) {
    if (input.section != transform::InputSection::kKeys || !seen.insert(input.key).second) continue;
    auto read = parsePlcKey(input.key);
    if (!read) return std::move(read).error();
    if (*read) out.push_back(std::move(**read));
  }
  return out;
}

namespace {

Status checkScript(const std::any&, const transform::CompiledScript* script) {
  if (auto reads = plcReads(script); !reads) return std::move(reads).error();
  return okStatus();
}

}  // namespace

void registerCollector(Registry& registry) {
  auto info = makeCollectorInfo<Lsv2Collector>(
      "lsv2",
      "Heidenhain LSV2 client (native, no DNC PC): identification, axes, execution mode, "
      "program and line, overrides, program state, tool, NC errors, PLC operands, data paths",
      kDefaultPort, optionTable(), validate, true);
  info.checkScript = checkScript;
  registry.add(std::move(info));
}

}  // namespace spindle::collectors::lsv2
