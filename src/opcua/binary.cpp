#include "opcua/binary.hpp"

namespace spindle::opcua {

bool Reader::charge(std::size_t bytes, const char* what) {
  if (!ok()) return false;
  if (bytes > m_budget) {
    fail(std::string(what) + " would take " + std::to_string(bytes) +
         " bytes of memory, more than a message of " + std::to_string(m_bytes.size()) +
         " bytes may make");
    m_budget = 0;
    return false;
  }
  m_budget -= bytes;
  return true;
}

std::int32_t Reader::length(std::size_t minElementSize, const char* what) {
  const std::size_t at = m_pos;
  const std::int32_t n = i32();
  if (!ok()) return 0;
  if (n == -1) return -1;
  if (n < -1) {
    m_pos = at;
    fail(std::string("bad length ") + std::to_string(n) + " of " + what);
    return 0;
  }
  const std::size_t unit = minElementSize == 0 ? 1 : minElementSize;
  if (static_cast<std::size_t>(n) > remaining() / unit) {
    const std::size_t left = remaining();
    m_pos = at;
    fail(std::string("length ") + std::to_string(n) + " of " + what + " exceeds the " +
         std::to_string(left) + " bytes left");
    return 0;
  }
  return n;
}

void Reader::fail(std::string what) {
  if (!ok()) return;
  m_error = std::move(what);
  m_errorOffset = m_base + m_pos;
  m_pos = m_bytes.size();  // nothing more is read after a failure
}

bool Reader::enter(const char* what) {
  if (m_depth >= kMaxDepth) {
    fail(std::string(what) + " nested deeper than " + std::to_string(kMaxDepth) + " levels");
    return false;
  }
  ++m_depth;
  return true;
}

Error Reader::error() const {
  return Error(ErrorCode::kProtocol, m_error + " at offset " + std::to_string(m_errorOffset));
}

Status Reader::status() const {
  if (ok()) return okStatus();
  return error();
}

}  // namespace spindle::opcua
