#include "web/management/password_hash.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "base/base64.hpp"
#include "web/management/openssl_errors.hpp"

namespace spindle::web::management {
namespace {

constexpr std::string_view kScheme = "scrypt";
constexpr std::size_t kFieldCount = 6;

Error malformed(std::string message) {
  return Error(ErrorCode::kInvalidArgument, "malformed password hash: " + std::move(message));
}

// Memory scrypt needs for V (128 * r * N) plus B (128 * r * p), as OpenSSL counts it, with
// headroom for its rounding. Saturates instead of wrapping; callers bound the inputs first.
std::uint64_t scryptMemory(std::uint64_t n, std::uint64_t r, std::uint64_t p) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  if (r == 0 || n + 2 > kMax / 128 / r || p > kMax / 128 / r) return kMax;
  const std::uint64_t v = 128 * r * (n + 2);
  const std::uint64_t b = 128 * r * p;
  if (v > kMax - b - (1u << 20)) return kMax;
  return v + b + (1u << 20);
}

Status checkParams(unsigned log2N, unsigned r, unsigned p) {
  const auto outside = [](const char* name, unsigned value, unsigned lo, unsigned hi) {
    return Error(ErrorCode::kInvalidArgument, std::string("scrypt ") + name + " " +
                                                  std::to_string(value) + " is outside " +
                                                  std::to_string(lo) + ".." + std::to_string(hi));
  };
  if (log2N < kMinLog2N || log2N > kMaxLog2N) return outside("log2 N", log2N, kMinLog2N, kMaxLog2N);
  if (r < kMinR || r > kMaxR) return outside("r", r, kMinR, kMaxR);
  if (p < kMinP || p > kMaxP) return outside("p", p, kMinP, kMaxP);
  const std::uint64_t memory = std::uint64_t{128} * r << log2N;
  if (memory > kMaxScryptMemoryBytes) {
    return Error(ErrorCode::kInvalidArgument,
                 "scrypt log2 N " + std::to_string(log2N) + " with r " + std::to_string(r) +
                     " needs " + std::to_string(memory >> 20) + " MiB, more than the " +
                     std::to_string(kMaxScryptMemoryBytes >> 20) + " MiB allowed");
  }
  return okStatus();
}

// A small decimal number field: digits only, no sign, no spaces, at most 3 digits.
Result<unsigned> parseNumber(std::string_view field, const char* name) {
  unsigned value = 0;
  const char* end = field.data() + field.size();
  if (field.empty() || field.size() > 3 || field.front() < '0' || field.front() > '9' ||
      std::from_chars(field.data(), end, value).ptr != end) {
    return malformed(std::string(name) + " is not a small decimal number");
  }
  return value;
}

Result<std::string> parseBase64(std::string_view field, const char* name, std::size_t minBytes,
                                std::size_t maxBytes) {
  for (const char c : field) {
    const bool digit = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '+' || c == '/' || c == '=';
    if (!digit) return malformed(std::string(name) + " is not base64");
  }
  // Checked before decoding so a huge field is refused without allocating for it.
  if (field.size() > 4 * ((maxBytes + 2) / 3)) {
    return malformed(std::string(name) + " is longer than " + std::to_string(maxBytes) + " bytes");
  }
  auto bytes = base64Decode(field);
  if (!bytes) return malformed(std::string(name) + " is not base64");
  if (bytes->size() < minBytes || bytes->size() > maxBytes) {
    return malformed(std::string(name) + " is " + std::to_string(bytes->size()) +
                     " bytes, expected " + std::to_string(minBytes) + ".." +
                     std::to_string(maxBytes));
  }
  return std::move(bytes).value();
}

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  // Stops early: a line with too many separators is wrong whatever follows.
  while (fields.size() <= kFieldCount) {
    const std::size_t end = line.find('$', start);
    fields.push_back(line.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return fields;
}

}  // namespace

Result<std::string> scryptKey(std::string_view password, std::string_view salt, std::uint64_t n,
                              std::uint64_t r, std::uint64_t p, std::size_t length) {
  if (n < 2 || (n & (n - 1)) != 0) {
    return Error(ErrorCode::kInvalidArgument,
                 "scrypt N " + std::to_string(n) + " is not a power of two >= 2");
  }
  if (length == 0) return Error(ErrorCode::kInvalidArgument, "scrypt key length 0");
  std::string key(length, '\0');
  ERR_clear_error();
  if (EVP_PBE_scrypt(password.data(), password.size(),
                     reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                     scryptMemory(n, r, p), reinterpret_cast<unsigned char*>(key.data()),
                     key.size()) != 1) {
    return Error(ErrorCode::kInvalidArgument, "scrypt refused N " + std::to_string(n) + ", r " +
                                                  std::to_string(r) + ", p " + std::to_string(p) +
                                                  opensslReasons());
  }
  return key;
}

namespace {

Status checkHashParams(const ScryptParams& params) {
  if (auto status = checkParams(params.log2N, params.r, params.p); !status) return status;
  if (params.keyLength < kMinKeyLength || params.keyLength > kMaxKeyLength) {
    return Error(ErrorCode::kInvalidArgument,
                 "scrypt key length " + std::to_string(params.keyLength) + " is outside " +
                     std::to_string(kMinKeyLength) + ".." + std::to_string(kMaxKeyLength));
  }
  return okStatus();
}

Result<std::string> randomBytes(std::size_t n, const char* what) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Error(ErrorCode::kInternal, std::string("drawing ") + what + opensslReasons());
  }
  return out;
}

std::string hashLine(const ScryptParams& params, const std::string& salt, const std::string& key) {
  std::string line(kScheme);
  for (const unsigned n : {params.log2N, params.r, params.p}) line += '$' + std::to_string(n);
  line += '$' + base64Encode(salt) + '$' + base64Encode(key);
  return line;
}

}  // namespace

Result<std::string> hashPassword(std::string_view password, const ScryptParams& params) {
  if (auto status = checkHashParams(params); !status) {
    return std::move(status).error().with("hashing a password");
  }
  auto salt = randomBytes(kSaltLength, "a password salt");
  if (!salt) return std::move(salt).error();
  auto key = scryptKey(password, *salt, std::uint64_t{1} << params.log2N, params.r, params.p,
                       params.keyLength);
  if (!key) return std::move(key).error();
  std::string line = hashLine(params, *salt, *key);
  OPENSSL_cleanse(key->data(), key->size());
  return line;
}

Result<std::string> unmatchableHash(const ScryptParams& params) {
  if (auto status = checkHashParams(params); !status) {
    return std::move(status).error().with("making an unmatchable password hash");
  }
  // A random key: a password would have to hit it by chance (2^-128 at the least length).
  auto salt = randomBytes(kSaltLength, "a password salt");
  if (!salt) return std::move(salt).error();
  auto key = randomBytes(params.keyLength, "an unmatchable key");
  if (!key) return std::move(key).error();
  return hashLine(params, *salt, *key);
}

Result<bool> verifyPassword(std::string_view password, std::string_view encoded) {
  const auto fields = splitFields(encoded);
  if (fields.size() != kFieldCount) {
    return malformed("expected " + std::to_string(kFieldCount) + " fields separated by '$'" +
                     (fields.size() > kFieldCount ? ", found more"
                                                  : ", found " + std::to_string(fields.size())));
  }
  if (fields[0] != kScheme) return malformed("unknown scheme (expected \"scrypt\")");
  auto log2N = parseNumber(fields[1], "log2 N");
  if (!log2N) return std::move(log2N).error();
  auto r = parseNumber(fields[2], "r");
  if (!r) return std::move(r).error();
  auto p = parseNumber(fields[3], "p");
  if (!p) return std::move(p).error();
  if (auto status = checkParams(*log2N, *r, *p); !status) {
    return std::move(status).error().with("reading a password hash");
  }
  auto salt = parseBase64(fields[4], "salt", kMinSaltLength, kMaxSaltLength);
  if (!salt) return std::move(salt).error();
  auto expected = parseBase64(fields[5], "hash", kMinKeyLength, kMaxKeyLength);
  if (!expected) return std::move(expected).error();
  auto key = scryptKey(password, *salt, std::uint64_t{1} << *log2N, *r, *p, expected->size());
  if (!key) return std::move(key).error();
  const bool same = CRYPTO_memcmp(key->data(), expected->data(), key->size()) == 0;
  OPENSSL_cleanse(key->data(), key->size());
  return same;
}

std::string passwordProblem(std::string_view password) {
  std::size_t chars = 0;
  for (const char c : password) {
    // Counts every byte that starts a UTF-8 sequence, so "é" is one character, not two.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
  }
  if (chars < kMinPasswordChars) {
    return "the password is too short: at least " + std::to_string(kMinPasswordChars) +
           " characters, this one has " + std::to_string(chars);
  }
  if (chars > kMaxPasswordChars) {
    return "the password is too long: at most " + std::to_string(kMaxPasswordChars) +
           " characters, this one has " + std::to_string(chars);
  }
  return "";
}

}  // namespace spindle::web::management
