#include "opcua/channel_security.hpp"

#include <limits>
#include <string>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace spindle::opcua {
namespace {

constexpr std::size_t kMessageSizeOffset = 4;
constexpr std::size_t kMinimumHeader = 8;  // MessageHeader: type, chunk flag, MessageSize

Error protocol(std::string message) { return Error(ErrorCode::kProtocol, std::move(message)); }

std::string num(std::size_t n) { return std::to_string(n); }

void writeMessageSize(std::vector<std::uint8_t>& chunk, std::uint32_t size) {
  for (std::size_t i = 0; i < 4; ++i) {
    chunk[kMessageSizeOffset + i] = static_cast<std::uint8_t>(size >> (8 * i));
  }
}

std::uint32_t readMessageSize(const std::vector<std::uint8_t>& chunk) {
  std::uint32_t size = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    size |= static_cast<std::uint32_t>(chunk[kMessageSizeOffset + i]) << (8 * i);
  }
  return size;
}

Status checkLayout(const std::vector<std::uint8_t>& chunk, std::size_t headerEnd) {
  if (headerEnd < kMinimumHeader || headerEnd > chunk.size()) {
    return Error(ErrorCode::kInvalidArgument, "security header end " + num(headerEnd) +
                                                  " outside the " + num(chunk.size()) +
                                                  "-byte chunk");
  }
  return okStatus();
}

// The checks every received chunk passes before any cryptography.
Status checkReceived(const std::vector<std::uint8_t>& chunk, std::size_t headerEnd) {
  if (auto s = checkLayout(chunk, headerEnd); !s) return s;
  const std::uint32_t declared = readMessageSize(chunk);
  if (declared != chunk.size()) {
    return protocol("MessageSize " + std::to_string(declared) + " at offset 4 does not match the " +
                    num(chunk.size()) + " bytes of the chunk");
  }
  return okStatus();
}

Status setMessageSize(std::vector<std::uint8_t>& chunk, std::size_t finalSize) {
  if (finalSize > std::numeric_limits<std::uint32_t>::max()) {
    return Error(ErrorCode::kInvalidArgument, "chunk of " + num(finalSize) + " bytes too large");
  }
  writeMessageSize(chunk, static_cast<std::uint32_t>(finalSize));
  return okStatus();
}

// Appends PaddingSize, the padding bytes and, for two-byte padding fields, ExtraPaddingSize.
void appendPadding(std::vector<std::uint8_t>& chunk, std::size_t padding, std::size_t fieldSize) {
  const auto low = static_cast<std::uint8_t>(padding & 0xff);
  chunk.insert(chunk.end(), padding + 1, low);
  if (fieldSize == 2) chunk.push_back(static_cast<std::uint8_t>(padding >> 8));
}

// Checks and measures the padding that ends at `end` (exclusive); returns the bytes it takes
// (padding, its size byte and any ExtraPaddingSize byte).
Result<std::size_t> checkPadding(const std::vector<std::uint8_t>& chunk, std::size_t headerEnd,
                                 std::size_t end, std::size_t fieldSize) {
  if (end < headerEnd + fieldSize) {
    return protocol("no room for the padding size before offset " + num(end));
  }
  std::size_t padding = 0;
  std::size_t last = end;  // one past the last padding byte
  if (fieldSize == 2) {
    padding = static_cast<std::size_t>(chunk[end - 1]) << 8;
    last = end - 1;
  }
  const std::uint8_t low = chunk[last - 1];
  padding |= low;
  const std::size_t room = last - headerEnd;
  if (padding + 1 > room) {
    return protocol("padding size " + num(padding) + " at offset " + num(last - 1) +
                    " runs back past the security header end " + num(headerEnd));
  }
  for (std::size_t at = last - 1 - padding; at < last; ++at) {
    if (chunk[at] != low) {
      return protocol("padding byte at offset " + num(at) + " is " + num(chunk[at]) +
                      ", not the padding size " + num(low));
    }
  }
  return padding + fieldSize;
}

ByteView view(const std::vector<std::uint8_t>& v, std::size_t from, std::size_t to) {
  return ByteView(v.data() + from, to - from);
}

bool keyLengthsMatch(const SecurityPolicy& policy, const DerivedKeys& keys) {
  return keys.signingKey.size() == policy.signingKeyLength &&
         keys.encryptingKey.size() == policy.encryptingKeyLength &&
         keys.iv.size() == policy.encryptionBlockSize;
}

}  // namespace

// ---- SymmetricSecurity ----

SymmetricSecurity::SymmetricSecurity(const SecurityPolicy& policy, SecurityMode mode,
                                     DerivedKeys sending, DerivedKeys receiving)
    : m_policy(policy),
      m_mode(mode),
      m_sending(std::move(sending)),
      m_receiving(std::move(receiving)) {}

Result<std::unique_ptr<SymmetricSecurity>> SymmetricSecurity::create(const SecurityPolicy& policy,
                                                                     SecurityMode mode,
                                                                     DerivedKeys sending,
                                                                     DerivedKeys receiving) {
  if (policy.isNone()) {
    return Error(ErrorCode::kInvalidArgument, "SymmetricSecurity needs a policy other than None");
  }
  if (mode != SecurityMode::kSign && mode != SecurityMode::kSignAndEncrypt) {
    return Error(
        ErrorCode::kInvalidArgument,
        std::string("SymmetricSecurity needs mode Sign or SignAndEncrypt, not ") + toString(mode));
  }
  if (!keyLengthsMatch(policy, sending) || !keyLengthsMatch(policy, receiving)) {
    return Error(ErrorCode::kInvalidArgument,
                 "derived keys have the wrong lengths for " + std::string(policy.name));
  }
  return std::unique_ptr<SymmetricSecurity>(
      new SymmetricSecurity(policy, mode, std::move(sending), std::move(receiving)));
}

Result<std::unique_ptr<SymmetricSecurity>> SymmetricSecurity::create(const SecurityPolicy& policy,
                                                                     SecurityMode mode,
                                                                     const ChannelKeys& keys,
                                                                     ChannelSide side) {
  const bool client = side == ChannelSide::kClient;
  return create(policy, mode, client ? keys.client : keys.server,
                client ? keys.server : keys.client);
}

std::size_t SymmetricSecurity::signatureSize() const { return m_policy.symmetricSignatureSize; }
std::size_t SymmetricSecurity::plainBlockSize() const {
  return encrypting() ? m_policy.encryptionBlockSize : 1;
}
std::size_t SymmetricSecurity::cipherBlockSize() const { return plainBlockSize(); }
std::size_t SymmetricSecurity::paddingFieldSize() const { return encrypting() ? 1 : 0; }

Status SymmetricSecurity::protect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) {
  if (auto s = checkLayout(chunk, headerEnd); !s) return s;
  const std::size_t sig = signatureSize();
  if (encrypting()) {
    const std::size_t block = m_policy.encryptionBlockSize;
    const std::size_t rest = (chunk.size() - headerEnd + 1 + sig) % block;
    appendPadding(chunk, rest == 0 ? 0 : block - rest, 1);
  }
  if (auto s = setMessageSize(chunk, chunk.size() + sig); !s) return s;
  auto mac = hmacSha256(m_sending.signingKey, chunk);
  if (!mac) return std::move(mac).error();
  chunk.insert(chunk.end(), mac->begin(), mac->end());
  if (encrypting()) {
    auto sealed =
        aesCbcEncrypt(m_sending.encryptingKey, m_sending.iv, view(chunk, headerEnd, chunk.size()));
    if (!sealed) return std::move(sealed).error();
    std::copy(sealed->begin(), sealed->end(),
              chunk.begin() + static_cast<std::ptrdiff_t>(headerEnd));
  }
  return okStatus();
}

Status SymmetricSecurity::unprotect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) {
  if (auto s = checkReceived(chunk, headerEnd); !s) return s;
  const std::size_t sig = signatureSize();
  if (encrypting()) {
    const std::size_t block = m_policy.encryptionBlockSize;
    if ((chunk.size() - headerEnd) % block != 0) {
      return protocol("encrypted part of " + num(chunk.size() - headerEnd) +
                      " bytes after offset " + num(headerEnd) + " is not a multiple of the " +
                      num(block) + "-byte AES block");
    }
    auto opened = aesCbcDecrypt(m_receiving.encryptingKey, m_receiving.iv,
                                view(chunk, headerEnd, chunk.size()));
    if (!opened) return std::move(opened).error();
    std::copy(opened->begin(), opened->end(),
              chunk.begin() + static_cast<std::ptrdiff_t>(headerEnd));
  }
  if (chunk.size() - headerEnd < sig + paddingFieldSize()) {
    return protocol("chunk of " + num(chunk.size()) + " bytes has no room for the " + num(sig) +
                    "-byte signature after offset " + num(headerEnd));
  }
  const std::size_t signedEnd = chunk.size() - sig;
  auto mac = hmacSha256(m_receiving.signingKey, view(chunk, 0, signedEnd));
  if (!mac) return std::move(mac).error();
  if (CRYPTO_memcmp(mac->data(), chunk.data() + signedEnd, sig) != 0) {
    return protocol("HMAC-SHA256 signature at offset " + num(signedEnd) + " does not verify");
  }
  std::size_t end = signedEnd;
  if (encrypting()) {
    auto padding = checkPadding(chunk, headerEnd, end, 1);
    if (!padding) return std::move(padding).error();
    end -= padding.value();
  }
  chunk.resize(end);
  return okStatus();
}

// ---- AsymmetricSecurity ----

AsymmetricSecurity::AsymmetricSecurity(const SecurityPolicy& policy, PkeyPtr ours, PkeyPtr peer)
    : m_policy(policy), m_ours(std::move(ours)), m_peer(std::move(peer)) {}

Result<std::unique_ptr<AsymmetricSecurity>> AsymmetricSecurity::create(const SecurityPolicy& policy,
                                                                       SecurityMode mode,
                                                                       EVP_PKEY* ourPrivateKey,
                                                                       EVP_PKEY* peerPublicKey) {
  if (policy.isNone()) {
    return Error(ErrorCode::kInvalidArgument, "AsymmetricSecurity needs a policy other than None");
  }
  if (mode != SecurityMode::kSign && mode != SecurityMode::kSignAndEncrypt) {
    return Error(
        ErrorCode::kInvalidArgument,
        std::string("AsymmetricSecurity needs mode Sign or SignAndEncrypt, not ") + toString(mode));
  }
  const std::pair<const char*, EVP_PKEY*> keys[] = {{"our", ourPrivateKey},
                                                    {"the peer's", peerPublicKey}};
  for (const auto& [whose, key] : keys) {
    if (key == nullptr || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
      return Error(ErrorCode::kInvalidArgument, std::string(whose) + " key is not RSA");
    }
    const std::size_t bits = rsaKeyBits(key);
    if (bits < policy.minAsymmetricKeyBits || bits > policy.maxAsymmetricKeyBits) {
      return Error(ErrorCode::kInvalidArgument, std::string(whose) + " RSA key has " + num(bits) +
                                                    " bits; " + std::string(policy.name) +
                                                    " allows " + num(policy.minAsymmetricKeyBits) +
                                                    ".." + num(policy.maxAsymmetricKeyBits));
    }
  }
  return std::unique_ptr<AsymmetricSecurity>(
      new AsymmetricSecurity(policy, shareKey(ourPrivateKey), shareKey(peerPublicKey)));
}

std::size_t AsymmetricSecurity::signatureSize() const { return rsaKeyBytes(m_ours.get()); }
std::size_t AsymmetricSecurity::plainBlockSize() const {
  return cipherBlockSize() - oaepOverhead(m_policy.asymmetricEncryption);
}
std::size_t AsymmetricSecurity::cipherBlockSize() const { return rsaKeyBytes(m_peer.get()); }
std::size_t AsymmetricSecurity::paddingFieldSize() const {
  return rsaKeyBits(m_peer.get()) > 2048 ? 2 : 1;
}

Status AsymmetricSecurity::protect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) {
  if (auto s = checkLayout(chunk, headerEnd); !s) return s;
  const std::size_t sig = signatureSize();
  const std::size_t field = paddingFieldSize();
  const std::size_t plainBlock = plainBlockSize();
  const std::size_t rest = (chunk.size() - headerEnd + field + sig) % plainBlock;
  appendPadding(chunk, rest == 0 ? 0 : plainBlock - rest, field);
  const std::size_t blocks = (chunk.size() - headerEnd + sig) / plainBlock;
  // The signature covers the header as sent, so MessageSize is the encrypted size.
  if (auto s = setMessageSize(chunk, headerEnd + blocks * cipherBlockSize()); !s) return s;
  auto signature = rsaSign(m_ours.get(), m_policy.asymmetricSignature, chunk);
  if (!signature) return std::move(signature).error();
  if (signature->size() != sig) {
    return Error(ErrorCode::kInternal,
                 "RSA signature of " + num(signature->size()) + " bytes, expected " + num(sig));
  }
  chunk.insert(chunk.end(), signature->begin(), signature->end());
  auto sealed =
      rsaEncrypt(m_peer.get(), m_policy.asymmetricEncryption, view(chunk, headerEnd, chunk.size()));
  if (!sealed) return std::move(sealed).error();
  chunk.resize(headerEnd);
  chunk.insert(chunk.end(), sealed->begin(), sealed->end());
  return okStatus();
}

Status AsymmetricSecurity::unprotect(std::vector<std::uint8_t>& chunk, std::size_t headerEnd) {
  if (auto s = checkReceived(chunk, headerEnd); !s) return s;
  const std::size_t cipherBlock = rsaKeyBytes(m_ours.get());  // our key decrypts
  const std::size_t sig = rsaKeyBytes(m_peer.get());          // the peer's key signed
  const std::size_t field = rsaKeyBits(m_ours.get()) > 2048 ? 2 : 1;
  if ((chunk.size() - headerEnd) % cipherBlock != 0) {
    return protocol("encrypted part of " + num(chunk.size() - headerEnd) + " bytes after offset " +
                    num(headerEnd) + " is not a multiple of the " + num(cipherBlock) +
                    "-byte RSA block");
  }
  auto opened =
      rsaDecrypt(m_ours.get(), m_policy.asymmetricEncryption, view(chunk, headerEnd, chunk.size()));
  if (!opened) {
    return std::move(opened).error().with("decrypting after offset " + num(headerEnd));
  }
  chunk.resize(headerEnd);
  chunk.insert(chunk.end(), opened->begin(), opened->end());
  if (chunk.size() - headerEnd < sig + field) {
    return protocol("decrypted chunk of " + num(chunk.size()) + " bytes has no room for the " +
                    num(sig) + "-byte signature after offset " + num(headerEnd));
  }
  const std::size_t signedEnd = chunk.size() - sig;
  if (auto s = rsaVerify(m_peer.get(), m_policy.asymmetricSignature, view(chunk, 0, signedEnd),
                         view(chunk, signedEnd, chunk.size()));
      !s) {
    return std::move(s).error().with("asymmetric signature at offset " + num(signedEnd));
  }
  auto padding = checkPadding(chunk, headerEnd, signedEnd, field);
  if (!padding) return std::move(padding).error();
  chunk.resize(signedEnd - padding.value());
  return okStatus();
}

}  // namespace spindle::opcua
