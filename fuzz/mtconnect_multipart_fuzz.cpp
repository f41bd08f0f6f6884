// libFuzzer target for the streaming /sample body splitter (multipart/x-mixed-replace and
// multipart/mixed): arbitrary bytes fed in arbitrary pieces must end in parts or an error, and
// what it holds stays bounded by the part limit.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/mtconnect_agent/mtconnect_multipart.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace mtc = spindle::collectors::mtconnect_agent;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The first line is the Content-Type (its boundary), the rest the body; the first byte picks
  // the piece size so parts that span pieces are exercised too.
  const std::size_t piece = size > 0 ? 1 + data[0] % 97 : 1;
  const std::size_t eol = bytes.find('\n');
  const std::string_view contentType = bytes.substr(0, eol);
  bytes = eol == std::string_view::npos ? std::string_view() : bytes.substr(eol + 1);
  const auto boundary = mtc::multipartBoundary(contentType);
  constexpr std::size_t kMaxPart = 4096;
  mtc::MultipartSplitter splitter(boundary ? *boundary : std::string("b"), kMaxPart);
  std::vector<std::string> parts;
  while (!bytes.empty()) {
    const std::size_t n = std::min(piece, bytes.size());
    const spindle::Status status = splitter.feed(bytes.substr(0, n), parts);
    bytes.remove_prefix(n);
    if (!status.ok()) break;
    // What it holds stays bounded: a part, a delimiter, headers (16 KiB at most) and one piece.
    if (splitter.buffered() > kMaxPart + contentType.size() + 17 * 1024 + piece) __builtin_trap();
    for (const auto& part : parts) {
      if (part.size() > kMaxPart) __builtin_trap();
    }
    parts.clear();
  }
  return 0;
}
