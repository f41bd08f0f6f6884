#include "opcua/crypto.hpp"

#include <algorithm>
#include <limits>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace spindle::opcua {

void OpensslFree::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
void OpensslFree::operator()(X509* p) const { X509_free(p); }
void OpensslFree::operator()(X509_CRL* p) const { X509_CRL_free(p); }
void OpensslFree::operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
void OpensslFree::operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
void OpensslFree::operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
void OpensslFree::operator()(BIO* p) const { BIO_free(p); }

Error opensslError(ErrorCode code, std::string_view what) {
  std::string message(what);
  bool first = true;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    message += first ? ": " : "; ";
    message += buf;
    first = false;
  }
  ERR_clear_error();
  return Error(code, std::move(message));
}

PkeyPtr shareKey(EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_up_ref(key) != 1) return nullptr;
  return PkeyPtr(key);
}

Result<Bytes> randomBytes(std::size_t length) {
  Bytes out(length);
  if (length > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      RAND_bytes(out.data(), static_cast<int>(length)) != 1) {
    return opensslError(ErrorCode::kInternal, "generating random bytes");
  }
  return out;
}

Result<Bytes> hmacSha256(ByteView key, ByteView data) {
  Bytes out(32);
  unsigned int len = 0;
  if (key.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &len) == nullptr ||
      len != out.size()) {
    return opensslError(ErrorCode::kInternal, "computing HMAC-SHA256");
  }
  return out;
}

Result<Bytes> sha1(ByteView data) {
  Bytes out(20);
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha1(), nullptr) != 1 ||
      len != out.size()) {
    return opensslError(ErrorCode::kInternal, "computing SHA-1");
  }
  return out;
}

Result<Bytes> pSha256(ByteView secret, ByteView seed, std::size_t length) {
  Bytes out;
  out.reserve(length + 32);
  Bytes a(seed.begin(), seed.end());  // A(0)
  Bytes input;
  while (out.size() < length) {
    auto next = hmacSha256(secret, a);  // A(i)
    if (!next) return std::move(next).error();
    a = std::move(next.value());
    input.assign(a.begin(), a.end());
    input.insert(input.end(), seed.begin(), seed.end());
    auto block = hmacSha256(secret, input);
    if (!block) return std::move(block).error();
    out.insert(out.end(), block->begin(), block->end());
  }
  out.resize(length);
  return out;
}

namespace {

Result<DerivedKeys> deriveKeys(const SecurityPolicy& policy, ByteView secret, ByteView seed) {
  const std::size_t total =
      policy.signingKeyLength + policy.encryptingKeyLength + policy.encryptionBlockSize;
  auto material = pSha256(secret, seed, total);
  if (!material) return std::move(material).error();
  const Bytes& m = material.value();
  const auto at = [&](std::size_t from, std::size_t n) {
    return Bytes(m.begin() + static_cast<std::ptrdiff_t>(from),
                 m.begin() + static_cast<std::ptrdiff_t>(from + n));
  };
  DerivedKeys keys;
  keys.signingKey = at(0, policy.signingKeyLength);
  keys.encryptingKey = at(policy.signingKeyLength, policy.encryptingKeyLength);
  keys.iv = at(policy.signingKeyLength + policy.encryptingKeyLength, policy.encryptionBlockSize);
  return keys;
}

}  // namespace

Result<ChannelKeys> deriveChannelKeys(const SecurityPolicy& policy, ByteView clientNonce,
                                      ByteView serverNonce) {
  if (policy.isNone()) {
    return Error(ErrorCode::kInvalidArgument, "SecurityPolicy None derives no keys");
  }
  if (clientNonce.size() < policy.nonceLength || serverNonce.size() < policy.nonceLength) {
    return Error(ErrorCode::kProtocol,
                 "nonce too short: client " + std::to_string(clientNonce.size()) +
                     " bytes, server " + std::to_string(serverNonce.size()) + " bytes, " +
                     std::string(policy.name) + " needs " + std::to_string(policy.nonceLength));
  }
  auto client = deriveKeys(policy, serverNonce, clientNonce);
  if (!client) return std::move(client).error();
  auto server = deriveKeys(policy, clientNonce, serverNonce);
  if (!server) return std::move(server).error();
  return ChannelKeys{std::move(client.value()), std::move(server.value())};
}

namespace {

Result<Bytes> aesCbc(bool encrypt, ByteView key, ByteView iv, ByteView data) {
  const EVP_CIPHER* cipher = nullptr;
  if (key.size() == 32) {
    cipher = EVP_aes_256_cbc();
  } else if (key.size() == 16) {
    cipher = EVP_aes_128_cbc();
  } else {
    return Error(ErrorCode::kInvalidArgument,
                 "AES key of " + std::to_string(key.size()) + " bytes (need 16 or 32)");
  }
  if (iv.size() != 16) {
    return Error(ErrorCode::kInvalidArgument, "AES IV of " + std::to_string(iv.size()) + " bytes");
  }
  if (data.size() % 16 != 0 ||
      data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return Error(ErrorCode::kInvalidArgument, "AES-CBC input of " + std::to_string(data.size()) +
                                                  " bytes is not a whole number of 16-byte blocks");
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  Bytes out(data.size() + 16);
  int len = 0;
  int tail = 0;
  if (!ctx ||
      EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), iv.data(), encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), out.data(), &len, data.data(), static_cast<int>(data.size())) !=
          1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + len, &tail) != 1) {
    return opensslError(ErrorCode::kInternal,
                        encrypt ? "AES-CBC encryption" : "AES-CBC decryption");
  }
  out.resize(static_cast<std::size_t>(len + tail));
  return out;
}

const EVP_MD* oaepDigest(AsymmetricEncryption scheme) {
  return scheme == AsymmetricEncryption::kRsaOaepSha256 ? EVP_sha256() : EVP_sha1();
}

// Sets the padding parameters of an RSA signature context.
bool setSignaturePadding(EVP_PKEY_CTX* pctx, AsymmetricSignature scheme) {
  if (scheme == AsymmetricSignature::kRsaPssSha256) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
  }
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
}

// Sets OAEP on an encryption or decryption context.
bool setOaep(EVP_PKEY_CTX* pctx, AsymmetricEncryption scheme) {
  const EVP_MD* md = oaepDigest(scheme);
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_oaep_md(pctx, md) == 1 && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
}

}  // namespace

Result<Bytes> aesCbcEncrypt(ByteView key, ByteView iv, ByteView data) {
  return aesCbc(true, key, iv, data);
}

Result<Bytes> aesCbcDecrypt(ByteView key, ByteView iv, ByteView data) {
  return aesCbc(false, key, iv, data);
}

std::size_t rsaKeyBytes(const EVP_PKEY* key) {
  if (key == nullptr) return 0;
  const int size = EVP_PKEY_get_size(key);
  return size > 0 ? static_cast<std::size_t>(size) : 0;
}

std::size_t rsaKeyBits(const EVP_PKEY* key) {
  if (key == nullptr) return 0;
  const int bits = EVP_PKEY_get_bits(key);
  return bits > 0 ? static_cast<std::size_t>(bits) : 0;
}

Result<Bytes> rsaSign(EVP_PKEY* key, AsymmetricSignature scheme, ByteView data) {
  if (key == nullptr || scheme == AsymmetricSignature::kNone) {
    return Error(ErrorCode::kInvalidArgument, "RSA signature without a key or scheme");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1 ||
      !setSignaturePadding(pctx, scheme) ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return opensslError(ErrorCode::kInternal, "RSA signing");
  }
  Bytes out(len);
  if (EVP_DigestSign(ctx.get(), out.data(), &len, data.data(), data.size()) != 1) {
    return opensslError(ErrorCode::kInternal, "RSA signing");
  }
  out.resize(len);
  return out;
}

Status rsaVerify(EVP_PKEY* key, AsymmetricSignature scheme, ByteView data, ByteView signature) {
  if (key == nullptr || scheme == AsymmetricSignature::kNone) {
    return Error(ErrorCode::kInvalidArgument, "RSA verification without a key or scheme");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, key) != 1 ||
      !setSignaturePadding(pctx, scheme)) {
    return opensslError(ErrorCode::kInternal, "RSA verification setup");
  }
  const int rc =
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size());
  if (rc != 1) return opensslError(ErrorCode::kProtocol, "RSA signature does not verify");
  return okStatus();
}

Result<Bytes> rsaEncrypt(EVP_PKEY* key, AsymmetricEncryption scheme, ByteView plain) {
  const std::size_t keyBytes = rsaKeyBytes(key);
  const std::size_t overhead = oaepOverhead(scheme);
  if (scheme == AsymmetricEncryption::kNone || keyBytes <= overhead) {
    return Error(ErrorCode::kInvalidArgument, "RSA-OAEP without a usable key or scheme");
  }
  const std::size_t block = keyBytes - overhead;
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!pctx || EVP_PKEY_encrypt_init(pctx.get()) != 1 || !setOaep(pctx.get(), scheme)) {
    return opensslError(ErrorCode::kInternal, "RSA-OAEP encryption setup");
  }
  Bytes out;
  out.reserve((plain.size() + block - 1) / block * keyBytes);
  for (std::size_t at = 0; at < plain.size(); at += block) {
    const std::size_t n = std::min(block, plain.size() - at);
    const std::size_t start = out.size();
    out.resize(start + keyBytes);
    std::size_t len = keyBytes;
    if (EVP_PKEY_encrypt(pctx.get(), out.data() + start, &len, plain.data() + at, n) != 1 ||
        len != keyBytes) {
      return opensslError(ErrorCode::kInternal, "RSA-OAEP encryption");
    }
  }
  return out;
}

Result<Bytes> rsaDecrypt(EVP_PKEY* key, AsymmetricEncryption scheme, ByteView cipher) {
  const std::size_t keyBytes = rsaKeyBytes(key);
  if (scheme == AsymmetricEncryption::kNone || keyBytes == 0) {
    return Error(ErrorCode::kInvalidArgument, "RSA-OAEP without a key or scheme");
  }
  if (cipher.size() % keyBytes != 0) {
    return Error(ErrorCode::kProtocol, "RSA ciphertext of " + std::to_string(cipher.size()) +
                                           " bytes is not a multiple of the " +
                                           std::to_string(keyBytes) + "-byte key");
  }
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!pctx || EVP_PKEY_decrypt_init(pctx.get()) != 1 || !setOaep(pctx.get(), scheme)) {
    return opensslError(ErrorCode::kInternal, "RSA-OAEP decryption setup");
  }
  Bytes out;
  out.reserve(cipher.size());
  for (std::size_t at = 0; at < cipher.size(); at += keyBytes) {
    const std::size_t start = out.size();
    out.resize(start + keyBytes);
    std::size_t len = keyBytes;
    if (EVP_PKEY_decrypt(pctx.get(), out.data() + start, &len, cipher.data() + at, keyBytes) != 1) {
      return opensslError(ErrorCode::kProtocol, "RSA-OAEP block at ciphertext offset " +
                                                    std::to_string(at) + " does not decrypt");
    }
    out.resize(start + len);
  }
  return out;
}

Result<PkeyPtr> generateRsaKey(unsigned bits) {
  PkeyPtr key(EVP_RSA_gen(bits));
  if (!key) return opensslError(ErrorCode::kInternal, "generating an RSA key");
  return key;
}

Result<X509Ptr> parseCertificateDer(ByteView der) {
  if (der.empty() || der.size() > static_cast<std::size_t>(std::numeric_limits<long>::max())) {
    return Error(ErrorCode::kProtocol, "empty certificate");
  }
  const unsigned char* p = der.data();
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return opensslError(ErrorCode::kProtocol, "certificate is not valid DER X.509");
  if (p != der.data() + der.size()) {
    return Error(ErrorCode::kProtocol,
                 "certificate has " + std::to_string(der.data() + der.size() - p) +
                     " trailing bytes after offset " + std::to_string(p - der.data()));
  }
  return cert;
}

Result<std::vector<X509Ptr>> parseCertificateChain(ByteView der) {
  std::vector<X509Ptr> chain;
  const unsigned char* p = der.data();
  const unsigned char* end = der.data() + der.size();
  if (der.empty()) return Error(ErrorCode::kProtocol, "empty certificate");
  while (p < end) {
    const long offset = p - der.data();
    X509Ptr cert(d2i_X509(nullptr, &p, end - p));
    if (!cert) {
      return opensslError(ErrorCode::kProtocol,
                          "certificate at offset " + std::to_string(offset) + " is not valid DER");
    }
    chain.push_back(std::move(cert));
  }
  return chain;
}

Result<Bytes> certificateDer(X509* cert) {
  const int len = cert ? i2d_X509(cert, nullptr) : -1;
  if (len <= 0) return opensslError(ErrorCode::kInternal, "encoding a certificate");
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  if (i2d_X509(cert, &p) != len)
    return opensslError(ErrorCode::kInternal, "encoding a certificate");
  return out;
}

Result<PkeyPtr> certificatePublicKey(X509* cert) {
  PkeyPtr key(cert ? X509_get_pubkey(cert) : nullptr);
  if (!key) return opensslError(ErrorCode::kProtocol, "certificate has no usable public key");
  if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    return Error(ErrorCode::kProtocol, "certificate key is not RSA");
  }
  return key;
}

Result<Bytes> certificateThumbprint(ByteView der) { return sha1(der); }

Result<PkeyPtr> parsePrivateKeyPem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return opensslError(ErrorCode::kInternal, "reading a private key");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return opensslError(ErrorCode::kInvalidArgument, "not a PEM private key");
  return key;
}

Result<std::string> privateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return opensslError(ErrorCode::kInternal, "encoding a private key");
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string toHex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

}  // namespace spindle::opcua
