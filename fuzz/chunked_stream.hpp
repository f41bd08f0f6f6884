#pragma once
/// What the stream codecs' fuzz targets share: the input fed to a stream reader in chunks of
/// 1 to 32 bytes (its first byte picks the size, so splits across reads are exercised too), as
/// a session feeds what it receives.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace spindle::fuzz {

/// Feeds `bytes` to `reader` (feed, next, buffered) and gives `handle` each whole unit it reads.
/// Aborts when the reader holds more than `maxBuffered` bytes, or takes nothing and gives neither
/// a unit nor an error (a hang); returns at the first error, where a session drops the
/// connection.
template <typename Reader, typename Handle>
void feedInChunks(Reader& reader, std::span<const std::uint8_t> bytes, std::size_t maxBuffered,
                  Handle&& handle) {
  const std::size_t chunk = bytes.empty() ? 1 : 1 + bytes[0] % 32;
  while (!bytes.empty()) {
    auto piece = bytes.first(std::min(chunk, bytes.size()));
    bytes = bytes.subspan(piece.size());
    while (!piece.empty()) {
      const std::size_t taken = reader.feed(piece);
      piece = piece.subspan(taken);
      if (reader.buffered() > maxBuffered) std::abort();
      auto unit = reader.next();
      if (!unit) return;  // the stream is broken: a session drops the connection here
      if (!unit->has_value()) {
        if (taken == 0) std::abort();  // no progress without a unit or an error
        continue;
      }
      handle(**unit);
    }
  }
}

}  // namespace spindle::fuzz
