#pragma once
/// Errors as values: a code, a message, and a chain of context added on the way up.

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace spindle {

enum class ErrorCode {
  kInvalidArgument,  ///< bad input from a user or a peer (config, protocol bytes)
  kNotFound,
  kIo,        ///< a file or socket operation failed
  kProtocol,  ///< a peer sent bytes that break its protocol
  kTimeout,
  kUnavailable,  ///< the peer or resource is gone for now; retrying may help
  kInternal,
};

const char* toString(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message) : m_code(code), m_message(std::move(message)) {}

  ErrorCode code() const { return m_code; }
  const std::string& message() const { return m_message; }
  const std::vector<std::string>& context() const { return m_context; }

  /// Adds what the caller was doing; printed outermost first.
  Error&& with(std::string context) && {
    m_context.push_back(std::move(context));
    return std::move(*this);
  }

  /// "reading spindle.yaml: line 3: expected a map".
  std::string describe() const;

 private:
  ErrorCode m_code;
  std::string m_message;
  std::vector<std::string> m_context;
};

/// A value or an error. Small on purpose: ok(), value(), error(), and nothing clever.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_data(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : m_data(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return m_data.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_data); }
  const T& value() const& { return std::get<0>(m_data); }
  T&& value() && { return std::get<0>(std::move(m_data)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  const Error& error() const& { return std::get<1>(m_data); }
  Error&& error() && { return std::get<1>(std::move(m_data)); }

 private:
  std::variant<T, Error> m_data;
};

struct Ok {};
using Status = Result<Ok>;
inline Status okStatus() { return Ok{}; }

}  // namespace spindle
