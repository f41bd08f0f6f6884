#include "base/error.hpp"

namespace spindle {

const char* toString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kNotFound:
      return "not found";
    case ErrorCode::kIo:
      return "i/o error";
    case ErrorCode::kProtocol:
      return "protocol error";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "error";
}

std::string Error::describe() const {
  std::string out;
  for (auto it = m_context.rbegin(); it != m_context.rend(); ++it) {
    out += *it;
    out += ": ";
  }
  out += m_message;
  return out;
}

}  // namespace spindle
