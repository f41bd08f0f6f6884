#pragma once
/// The None security policy (http://opcfoundation.org/UA/SecurityPolicy#None): chunks are
/// neither signed nor encrypted, so protect() only writes the final MessageSize and
/// unprotect() only checks that the chunk holds its headers.

#include "opcua/chunk_security.hpp"

namespace spindle::opcua {

inline constexpr const char* kSecurityPolicyNoneUri =
    "http://opcfoundation.org/UA/SecurityPolicy#None";

class NoneSecurity final : public ChunkSecurity {
 public:
  std::size_t signatureSize() const override { return 0; }
  std::size_t plainBlockSize() const override { return 1; }
  std::size_t cipherBlockSize() const override { return 1; }
  std::size_t paddingFieldSize() const override { return 0; }

  Status protect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) override {
    if (chunk.size() < 8 || headerEnd > chunk.size()) {
      return Error(ErrorCode::kInternal, "chunk shorter than its headers");
    }
    const auto size = static_cast<std::uint32_t>(chunk.size());
    for (std::size_t i = 0; i < 4; ++i) chunk[4 + i] = static_cast<std::uint8_t>(size >> (8 * i));
    return okStatus();
  }

  Status unprotect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) override {
    if (headerEnd > chunk.size()) {
      return Error(ErrorCode::kProtocol, "chunk of " + std::to_string(chunk.size()) +
                                             " bytes ends inside its security header");
    }
    return okStatus();
  }
};

}  // namespace spindle::opcua
