#pragma once
/// Splits a streaming /sample body (multipart/x-mixed-replace of 1.x agents, multipart/mixed of
/// 2.x agents) into its documents. Pure: fed the HTTP body after chunk decoding, in pieces of
/// any size; a part may span many pieces and a piece may hold many parts.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace spindle::collectors::mtconnect_agent {

/// The boundary of a multipart Content-Type ("multipart/mixed;boundary=abc", quoted or not);
/// nullopt when the type is not multipart or has no boundary.
std::optional<std::string> multipartBoundary(std::string_view contentType);

class MultipartSplitter {
 public:
  /// `boundary` as given in the Content-Type (without the leading "--"). A part longer than
  /// `maxPart` bytes is an error (kProtocol): the stream cannot be trusted any more.
  MultipartSplitter(std::string boundary, std::size_t maxPart);

  /// Appends every part completed by `bytes` to `parts` (bodies only, headers removed).
  Status feed(std::string_view bytes, std::vector<std::string>& parts);

  /// True after the closing "--boundary--".
  bool finished() const { return m_state == State::kDone; }
  /// Bytes held waiting for the rest of a part.
  std::size_t buffered() const { return m_buffer.size(); }

 private:
  enum class State { kSeekBoundary, kHeaders, kBody, kDone };
  Status step(std::vector<std::string>& parts, bool& progressed);

  std::string m_delimiter;  ///< "--" + boundary
  std::size_t m_maxPart;
  std::string m_buffer;
  State m_state = State::kSeekBoundary;
  std::optional<std::size_t> m_length;  ///< Content-length of the current part, if given
};

}  // namespace spindle::collectors::mtconnect_agent
