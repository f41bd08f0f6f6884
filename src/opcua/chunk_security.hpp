#pragma once
/// ChunkSecurity: what a secure channel's security policy does to each chunk it sends and
/// receives (OPC UA Part 6, 6.7.2): sign, pad, encrypt; verify, decrypt, unpad. The chunk
/// layer (chunks.hpp) lays chunks out and splits messages with the sizes this reports; the
/// policies (security_policy.hpp) implement it: None, and for Basic256Sha256 and
/// Aes128_Sha256_RsaOaep the asymmetric form (OPN chunks: RSA with the certificates) and the
/// symmetric form (MSG and CLO chunks: the keys derived from the nonces).
///
/// A chunk is: MessageHeader (8 bytes) | SecureChannelId (4) | security header | sequence
/// header (8) | body | padding | signature. The security header's end is `headerEnd`; what
/// follows it is encrypted when the mode is SignAndEncrypt, and everything before the
/// signature is signed when the mode is Sign or SignAndEncrypt.
///
/// Thread: one object per channel direction pair, used by the channel's one thread.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/error.hpp"

namespace spindle::opcua {

class ChunkSecurity {
 public:
  virtual ~ChunkSecurity() = default;

  /// Bytes of the signature appended to each chunk (0 when not signing).
  virtual std::size_t signatureSize() const = 0;
  /// The encryption's plaintext and ciphertext block sizes (both 1 when not encrypting; for
  /// RSA-OAEP the plaintext block is the key size less the padding overhead).
  virtual std::size_t plainBlockSize() const = 0;
  virtual std::size_t cipherBlockSize() const = 0;
  /// Bytes of the padding size field: 0 when not encrypting, 1, or 2 for asymmetric keys
  /// over 2048 bits (the ExtraPaddingSize byte).
  virtual std::size_t paddingFieldSize() const = 0;

  /// The largest sequence header + body that fits in one chunk of `chunkSize` bytes when the
  /// security header ends at `headerEnd`, leaving room for padding and signature (Part 6,
  /// 6.7.2.2: whole cipher blocks after the security header).
  std::size_t maxPlaintext(std::size_t chunkSize, std::size_t headerEnd) const {
    if (chunkSize <= headerEnd || cipherBlockSize() == 0) return 0;
    const std::size_t plain = (chunkSize - headerEnd) / cipherBlockSize() * plainBlockSize();
    const std::size_t overhead = signatureSize() + paddingFieldSize();
    return plain > overhead ? plain - overhead : 0;
  }

  /// Finishes a chunk to send: `chunk` holds the header through the security header
  /// (`headerEnd` bytes), then the sequence header and body. Appends padding and signature,
  /// writes the final MessageSize into bytes 4..7, encrypts what follows `headerEnd`.
  /// Fails only on a crypto library error (described).
  virtual Status protect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) = 0;

  /// Opens a received chunk in place: decrypts what follows `headerEnd`, verifies the
  /// signature, checks the padding; on success `chunk` is cut to the header, sequence header
  /// and body (padding and signature removed). A chunk that fails any check is a kProtocol
  /// error naming the check (a bad signature, bad padding, a length not a block multiple).
  virtual Status unprotect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) = 0;
};

}  // namespace spindle::opcua
