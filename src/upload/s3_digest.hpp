#pragma once
/// The digests S3 requests carry (OpenSSL 3 EVP): SHA-256 for SigV4's payload hash and string to
/// sign, HMAC-SHA256 for the signing key, MD5 for Content-MD5. Pure functions, except
/// digestFileRange, which reads a part of a file once for both of a part's digests.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle::upload {

/// 64 lower-case hex digits.
std::string sha256Hex(std::string_view data);
/// The 32 raw bytes of HMAC-SHA256(key, data).
std::string hmacSha256(std::string_view key, std::string_view data);
/// Lower-case hex of raw bytes.
std::string toHex(std::string_view bytes);
/// The base64 of the 16-byte MD5 (the form of a Content-MD5 header).
std::string md5Base64(std::string_view data);

/// Both digests of one request body.
struct BodyDigest {
  std::string sha256Hex;  ///< x-amz-content-sha256
  std::string md5Base64;  ///< Content-MD5
};

/// Reads `length` bytes of `path` from `offset` once and digests them. kIo when the file cannot
/// be read or holds fewer bytes (the file changed under the upload).
Result<BodyDigest> digestFileRange(const std::string& path, std::uint64_t offset,
                                   std::uint64_t length);

}  // namespace spindle::upload
