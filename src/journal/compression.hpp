#pragma once
/// zstd for record payloads: one context per writer or reader, reused for every record.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/error.hpp"

typedef struct ZSTD_CCtx_s ZSTD_CCtx;
typedef struct ZSTD_DCtx_s ZSTD_DCtx;

namespace spindle::journal {

/// Thread safety: one per thread.
class Compressor {
 public:
  explicit Compressor(int level = 1);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  /// Replaces `out` with one zstd frame of `in`. False (and `out` unspecified) when the frame
  /// would not be smaller than `in`: the caller then stores the payload as it is.
  bool compress(std::string_view in, std::string& out);

 private:
  ZSTD_CCtx* m_ctx;
  int m_level;
};

/// Thread safety: one per thread.
class Decompressor {
 public:
  Decompressor();
  ~Decompressor();
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  /// The `rawLength` bytes of the frame `in`; the view lives until the next call.
  Result<std::string_view> decompress(std::string_view in, std::size_t rawLength);

 private:
  ZSTD_DCtx* m_ctx;
  std::string m_out;
};

}  // namespace spindle::journal
