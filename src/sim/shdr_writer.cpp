#include "sim/shdr_writer.hpp"

namespace spindle::sim {
namespace {

void appendField(std::string& out, std::string_view text) {
  out += '|';
  for (const char c : text) out += (c == '\n' || c == '\r') ? ' ' : c;
}

}  // namespace

std::string formatShdrLines(std::string_view timestamp, const std::vector<Update>& updates) {
  std::string values;
  std::string ownLines;
  for (const Update& update : updates) {
    if (update.kind == UpdateKind::kValue) {
      if (values.empty()) values = timestamp;
      appendField(values, update.key);
      appendField(values, update.text);
    } else {
      ownLines += timestamp;
      appendField(ownLines, update.key);
      appendField(ownLines, update.text);
      ownLines += '\n';
    }
  }
  if (!values.empty()) values += '\n';
  return values + ownLines;
}

}  // namespace spindle::sim
