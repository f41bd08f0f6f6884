#include "collectors/modbus_tcp/modbus_writes.hpp"

#include <algorithm>
#include <utility>

#include "collectors/modbus_tcp/modbus_values.hpp"

namespace spindle::collectors::modbus_tcp {

Result<Request> writeRequestFor(const PointMap& map, const std::string& key,
                                const model::Value& value) {
  const auto it = std::find_if(map.points.begin(), map.points.end(),
                               [&](const Point& p) { return p.key == key; });
  if (it == map.points.end()) {
    return Error(ErrorCode::kNotFound, "the register map has no input '" + key + "'");
  }
  Request r;
  r.address = it->address;
  if (it->space == 0) {
    const auto* b = std::get_if<bool>(&value);
    const auto* n = std::get_if<std::int64_t>(&value);
    if (!b && !n) return Error(ErrorCode::kInvalidArgument, "a coil takes true or false");
    r.function = fc::kWriteSingleCoil;
    r.bits = {b ? *b : *n != 0};
    r.count = 1;
    return r;
  }
  if (it->space != 4 || it->format.bit >= 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "'" + key +
                     "' is read-only (discrete inputs, input registers and single bits "
                     "of a register cannot be written)");
  }
  auto regs = encodeRegisters(value, it->format);
  if (!regs) return std::move(regs).error().with("writing '" + key + "'");
  r.function = regs->size() == 1 ? fc::kWriteSingleRegister : fc::kWriteMultipleRegisters;
  r.count = static_cast<std::uint16_t>(regs->size());
  r.registers = std::move(*regs);
  return r;
}

void WriteBook::want(const std::string& key, Request request, Done done) {
  Entry& e = m_wanted[key];
  if (e.done) {
    e.done(Error(ErrorCode::kUnavailable, "replaced by a newer value before it was written"));
  }
  e = Entry{key, std::move(request), std::move(done)};
}

std::vector<WriteBook::Entry> WriteBook::toSend() {
  std::vector<Entry> out;
  out.reserve(m_wanted.size());
  for (auto& [key, e] : m_wanted) out.push_back(Entry{key, e.request, std::exchange(e.done, {})});
  return out;
}

void WriteBook::resend(const std::string& key, Done done) {
  if (!done) return;
  const auto it = m_wanted.find(key);
  if (it == m_wanted.end()) {
    done(Error(ErrorCode::kUnavailable, "the connection was lost before the write was answered"));
    return;
  }
  if (it->second.done) {  // a newer value waits: this one will never be written
    done(Error(ErrorCode::kUnavailable, "replaced by a newer value before it was written"));
    return;
  }
  it->second.done = std::move(done);
}

void WriteBook::refused(const std::string& key) {
  const auto it = m_wanted.find(key);
  if (it != m_wanted.end() && !it->second.done) m_wanted.erase(it);
}

void WriteBook::fail(const std::string& reason) {
  for (auto& [key, e] : m_wanted) {
    if (e.done) std::exchange(e.done, {})(Error(ErrorCode::kUnavailable, reason));
  }
}

}  // namespace spindle::collectors::modbus_tcp
