#include "journal/compression.hpp"

#include <zstd.h>

namespace spindle::journal {

Compressor::Compressor(int level) : m_ctx(ZSTD_createCCtx()), m_level(level) {}
Compressor::~Compressor() { ZSTD_freeCCtx(m_ctx); }

bool Compressor::compress(std::string_view in, std::string& out) {
  if (m_ctx == nullptr || in.size() < 64) return false;
  out.resize(ZSTD_compressBound(in.size()));
  const std::size_t n =
      ZSTD_compressCCtx(m_ctx, out.data(), out.size(), in.data(), in.size(), m_level);
  if (ZSTD_isError(n) || n >= in.size()) return false;
  out.resize(n);
  return true;
}

Decompressor::Decompressor() : m_ctx(ZSTD_createDCtx()) {}
Decompressor::~Decompressor() { ZSTD_freeDCtx(m_ctx); }

Result<std::string_view> Decompressor::decompress(std::string_view in, std::size_t rawLength) {
  if (m_ctx == nullptr) return Error(ErrorCode::kInternal, "zstd context not available");
  m_out.resize(rawLength);
  const std::size_t n =
      ZSTD_decompressDCtx(m_ctx, m_out.data(), m_out.size(), in.data(), in.size());
  if (ZSTD_isError(n)) {
    return Error(ErrorCode::kProtocol, std::string("zstd: ") + ZSTD_getErrorName(n));
  }
  if (n != rawLength) {
    return Error(ErrorCode::kProtocol, "zstd frame holds " + std::to_string(n) +
                                           " bytes, the header says " + std::to_string(rawLength));
  }
  return std::string_view(m_out);
}

}  // namespace spindle::journal
