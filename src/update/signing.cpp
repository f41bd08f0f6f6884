#include "update/signing.hpp"

#include <fstream>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace spindle::update {
namespace {

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

std::string toHex(const unsigned char* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string keyIdOf(const std::string& raw) {
  Sha256 h;
  h.update(raw.data(), raw.size());
  return h.hex().substr(0, 16);
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Result<PublicKey> fromPkey(EVP_PKEY* pkey) {
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) return invalid("not an Ed25519 key");
  unsigned char raw[32];
  std::size_t len = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(pkey, raw, &len) != 1 || len != 32) {
    return invalid("cannot read the public key");
  }
  PublicKey key;
  key.raw.assign(reinterpret_cast<const char*>(raw), len);
  key.id = keyIdOf(key.raw);
  return key;
}

std::string readText(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

struct Sha256::State {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {
  EVP_DigestInit_ex(m_state->ctx, EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t size) {
  EVP_DigestUpdate(m_state->ctx, data, size);
}

std::string Sha256::hex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_state->ctx, out, &len);
  return toHex(out, len);
}

Result<std::string> sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot open " + path);
  Sha256 h;
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    h.update(buf, static_cast<std::size_t>(in.gcount()));
  }
  return h.hex();
}

Result<PublicKey> parsePublicKey(std::string_view text) {
  if (text.find("-----BEGIN") != std::string_view::npos) {
    BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    Pkey pkey(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    if (!pkey) return invalid("not a PEM public key");
    return fromPkey(pkey.get());
  }
  auto raw = base64Decode(text);
  if (!raw || raw->size() != 32) {
    return invalid("not a public key (PEM, or the base64 of 32 raw Ed25519 bytes)");
  }
  Pkey pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                        reinterpret_cast<const unsigned char*>(raw->data()), 32));
  if (!pkey) return invalid("not an Ed25519 public key");
  return fromPkey(pkey.get());
}

Result<PublicKey> loadPublicKey(const std::string& spec) {
  // A base64 key may hold '/': a spec that parses as a key is one, whatever it contains.
  if (auto key = parsePublicKey(spec); key) return key;
  const bool looksLikeFile = spec.find('/') != std::string::npos &&
                             spec.find("-----BEGIN") == std::string::npos &&
                             spec.find('\n') == std::string::npos;
  if (!looksLikeFile) return parsePublicKey(spec);
  bool ok = false;
  const std::string text = readText(spec, ok);
  if (!ok) return Error(ErrorCode::kIo, "cannot read the key file " + spec);
  auto key = parsePublicKey(text);
  if (!key) return std::move(key).error().with(spec);
  return key;
}

Result<PrivateKey> PrivateKey::load(const std::string& path) {
  bool ok = false;
  const std::string text = readText(path, ok);
  if (!ok) return Error(ErrorCode::kIo, "cannot read the private key " + path);
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (pkey == nullptr) return invalid("not a PEM private key: " + path);
  if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(pkey);
    return invalid("not an Ed25519 private key: " + path);
  }
  return PrivateKey(pkey);
}

PrivateKey::~PrivateKey() { EVP_PKEY_free(static_cast<EVP_PKEY*>(m_pkey)); }
PrivateKey::PrivateKey(PrivateKey&& other) noexcept : m_pkey(other.m_pkey) {
  other.m_pkey = nullptr;
}

PublicKey PrivateKey::publicKey() const {
  auto key = fromPkey(static_cast<EVP_PKEY*>(m_pkey));
  return key ? *key : PublicKey{};
}

Result<std::string> PrivateKey::sign(std::string_view message) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string sig(64, '\0');
  std::size_t len = sig.size();
  const bool ok =
      EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, static_cast<EVP_PKEY*>(m_pkey)) == 1 &&
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return Error(ErrorCode::kInternal, "signing failed");
  sig.resize(len);
  return sig;
}

bool verifySignature(const PublicKey& key, std::string_view message, std::string_view signature) {
  Pkey pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                        reinterpret_cast<const unsigned char*>(key.raw.data()),
                                        key.raw.size()));
  if (!pkey || signature.size() != 64) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pkey.get()) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

KeyPair generateKeyPair() {
  Pkey pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  KeyPair out;
  auto pem = [&](bool priv) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (priv) {
      PEM_write_bio_PrivateKey(bio, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      PEM_write_bio_PUBKEY(bio, pkey.get());
    }
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio, &data);
    std::string text(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return text;
  };
  out.privatePem = pem(true);
  out.publicPem = pem(false);
  auto key = fromPkey(pkey.get());
  if (key) out.publicKey = *key;
  return out;
}

}  // namespace spindle::update
