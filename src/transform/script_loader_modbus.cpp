// Loading scripts: one Modbus input of the `registers` or `coils` section (the register map the
// modbus_tcp collector reads).

#include <algorithm>
#include <cctype>

#include "transform/operation.hpp"
#include "transform/script_loader_impl.hpp"

namespace spindle::transform {
namespace {

const std::vector<std::string> kRegisterTypes = {"int16", "uint16",  "int32",   "uint32",
                                                 "int64", "uint64",  "float32", "float64",
                                                 "bool",  "boolean", "string"};

/// Registers a type spans (strings: `length`).
int registerWidth(const std::string& type, int length) {
  if (type == "int32" || type == "uint32" || type == "float32") return 2;
  if (type == "int64" || type == "uint64" || type == "float64") return 4;
  if (type == "string") return length;
  return 1;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

}  // namespace

// `ref` is a Modicon reference: 5 digits (40001 = holding register 0, up to 49999) or 6 digits
// (400001 .. 465536); the first digit is the table. `address` is 0-based, as on the wire.
bool ScriptLoader::loadModbusInput(const YAML::Node& spec, InputSpec& in) {
  const bool registers = in.section == InputSection::kRegisters;
  const std::string& ident = in.identifier;
  const std::string where = std::string(toString(in.section)) + " '" + ident + "'";
  const std::string example = "e.g. " + ident + ": {address: 1002" +
                              (registers ? ", type: int16}" : "}") +
                              " or {ref: " + (registers ? "41003" : "00011") + "}";
  YAML::Node addressNode = spec;
  YAML::Node refNode(YAML::NodeType::Undefined);
  in.type = registers ? "uint16" : "boolean";
  in.conversion = registers ? InputConversion::kNumber : InputConversion::kBoolean;
  if (spec.IsMap()) {
    const bool known =
        registers
            ? checkKeys(spec,
                        {"address", "ref", "type", "address-space", "word-order", "order", "scale",
                         "offset", "bit", "length", "poll-group"},
                        where, m_diag)
            : checkKeys(spec, {"address", "ref", "address-space", "poll-group"}, where, m_diag);
    if (!known) return false;
    addressNode.reset(spec["address"] ? spec["address"] : YAML::Node(YAML::NodeType::Undefined));
    if (spec["ref"]) refNode.reset(spec["ref"]);
    if (const auto s = spec["address-space"]) {
      const std::string v = s.Scalar();
      const bool ok = registers ? (v == "3" || v == "4") : (v == "0" || v == "1");
      if (!ok) {
        m_diag.add(s, registers ? "a register's address-space is 3 (input) or 4 (holding)"
                                : "a coil's address-space is 0 (coils) or 1 (discrete inputs)");
        return false;
      }
      in.addressSpace = std::stoi(v);
    }
    if (const auto g = spec["poll-group"]) in.pollGroup = g.Scalar();
  }
  if (refNode.IsDefined()) {
    if (addressNode.IsDefined()) {
      m_diag.add(refNode, "give either address (0-based) or ref (1-based, e.g. 40001), not both");
      return false;
    }
    const std::string text = refNode.Scalar();
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
    const std::size_t n = text.size();
    const long offset = digits && (n == 5 || n == 6) ? std::stol(text.substr(1)) : 0;
    const int space = digits ? text[0] - '0' : -1;
    const bool spaceOk = registers ? (space == 3 || space == 4) : (space == 0 || space == 1);
    if (!digits || (n != 5 && n != 6) || offset < 1 || offset > (n == 5 ? 9999 : 65536) ||
        !spaceOk) {
      m_diag.add(refNode,
                 "ref '" + text + "' is not a " + (registers ? "register" : "coil") +
                     " reference: 5 or 6 digits, the first the table (" +
                     (registers ? "3 input, 4 holding registers" : "0 coils, 1 discrete inputs") +
                     "), the rest 1-based",
                 registers ? "e.g. ref: 40001 (holding register address 0) or ref: 300010"
                           : "e.g. ref: 00001 (coil address 0) or ref: 10005");
      return false;
    }
    if (spec.IsMap() && spec["address-space"] && in.addressSpace != space) {
      m_diag.add(spec["address-space"],
                 "address-space " + std::to_string(in.addressSpace) + " contradicts ref " + text);
      return false;
    }
    in.addressSpace = space;
    in.address = offset - 1;
  } else {
    if (!addressNode || !addressNode.IsScalar()) {
      m_diag.add(spec, where + " needs an address", example);
      return false;
    }
    const auto address = number(addressNode, "address");
    if (!address) return false;
    if (*address < 0 || *address > 65535 ||
        *address != static_cast<double>(static_cast<int>(*address))) {
      m_diag.add(addressNode, "a Modbus address is a whole number from 0 to 65535",
                 "address is 0-based as on the wire; for 1-based numbers such as 40001 write "
                 "ref: 40001");
      return false;
    }
    in.address = static_cast<std::int64_t>(*address);
  }
  if (registers && spec.IsMap() && !loadRegisterFormat(spec, in)) return false;
  const int span = registers ? (in.bit >= 0 ? 1 : registerWidth(in.type, in.length)) : 1;
  if (in.address + span > 65536) {
    m_diag.add(spec, where + " runs past address 65535");
    return false;
  }
  return true;
}

bool ScriptLoader::loadRegisterFormat(const YAML::Node& spec, InputSpec& in) {
  if (const auto t = spec["type"]) {
    in.type = t.Scalar();
    if (std::find(kRegisterTypes.begin(), kRegisterTypes.end(), in.type) == kRegisterTypes.end()) {
      m_diag.add(t, "unknown register type '" + in.type + "'",
                 "use bool, int16, uint16, int32, uint32, int64, uint64, float32, float64 or "
                 "string");
      return false;
    }
    if (in.type == "boolean") in.type = "bool";
  }
  if (spec["word-order"] && spec["order"]) {
    m_diag.add(spec["word-order"], "'word-order' and 'order' are the same setting", "keep order");
    return false;
  }
  if (const auto o = spec["order"] ? spec["order"] : spec["word-order"]) {
    const std::string v = upper(o.Scalar());
    if (v == "BIG") {
      in.wordOrder = "ABCD";
    } else if (v == "LITTLE") {
      in.wordOrder = "CDAB";
    } else if (v == "ABCD" || v == "CDAB" || v == "BADC" || v == "DCBA") {
      in.wordOrder = v;
    } else {
      m_diag.add(o, "order is ABCD, CDAB, BADC or DCBA (big = ABCD, little = CDAB)",
                 "the bytes of the value, most significant first, as the registers carry them");
      return false;
    }
  }
  for (const char* key : {"scale", "offset"}) {
    if (const auto n = spec[key]) {
      const auto v = number(n, key);
      if (!v) return false;
      (std::string(key) == "scale" ? in.scale : in.offset) = *v;
    }
  }
  if (in.scale == 0) {
    m_diag.add(spec["scale"], "scale 0 would hide every value");
    return false;
  }
  if (const auto b = spec["bit"]) {
    const auto v = number(b, "bit");
    if (!v) return false;
    if (*v < 0 || *v > 15 || *v != static_cast<double>(static_cast<int>(*v))) {
      m_diag.add(b, "bit is 0 (least significant) to 15");
      return false;
    }
    in.bit = static_cast<int>(*v);
  }
  if (const auto l = spec["length"]) {
    const auto v = number(l, "length");
    if (!v) return false;
    if (in.type != "string" || *v < 1 || *v > 125 ||
        *v != static_cast<double>(static_cast<int>(*v))) {
      m_diag.add(l, "length (registers, 2 characters each, 1-125) is for type: string");
      return false;
    }
    in.length = static_cast<int>(*v);
  }
  if (in.type == "string" && in.length == 0) {
    m_diag.add(spec, "a string register needs its length in registers",
               "e.g. {address: 200, type: string, length: 8} for 16 characters");
    return false;
  }
  if (in.bit >= 0 && in.type != "uint16" && in.type != "int16") {
    m_diag.add(spec["bit"], "bit reads one register; it does not combine with type " + in.type);
    return false;
  }
  if (in.bit >= 0 || in.type == "bool") {
    in.conversion = InputConversion::kBoolean;
  } else if (in.type == "string") {
    in.conversion = InputConversion::kString;
  }
  return true;
}

}  // namespace spindle::transform
