#pragma once
/// The management page's password storage: scrypt (RFC 7914, OpenSSL 3) with a random salt,
/// kept as one printable line `scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>`.
/// Pure: no files, no logging; the only outside effect is drawing the salt from OpenSSL's RNG.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle::web::management {

/// scrypt's cost. The defaults cost about 32 MiB and a fraction of a second per login on a small
/// edge box: slow for a guesser, bearable for a person.
struct ScryptParams {
  unsigned log2N = 15;         ///< CPU and memory cost N = 2^log2N
  unsigned r = 8;              ///< block size
  unsigned p = 1;              ///< parallelism (computed one after another by OpenSSL)
  std::size_t keyLength = 32;  ///< bytes of derived key stored
};

/// Bounds accepted for a stored line (and for hashPassword), so a tampered password file cannot
/// make one login take minutes or gigabytes.
constexpr unsigned kMinLog2N = 10;
constexpr unsigned kMaxLog2N = 20;
constexpr unsigned kMinR = 1;
constexpr unsigned kMaxR = 16;
constexpr unsigned kMinP = 1;
constexpr unsigned kMaxP = 4;
/// The per-parameter bounds alone still allow 128 * r * N = 2 GiB (log2N 20, r 16); this caps
/// the memory one verification may take.
constexpr std::uint64_t kMaxScryptMemoryBytes = std::uint64_t{256} << 20;
constexpr std::size_t kMinKeyLength = 16;
constexpr std::size_t kMaxKeyLength = 64;
constexpr std::size_t kSaltLength = 16;  ///< bytes of salt hashPassword draws
constexpr std::size_t kMinSaltLength = 8;
constexpr std::size_t kMaxSaltLength = 64;

/// Raw scrypt: `length` bytes derived from password and salt with cost N (a power of two >= 2),
/// r and p. No bounds beyond OpenSSL's own (it is also how the RFC 7914 vectors are checked);
/// memory for the call is allowed up to what the parameters need. kInvalidArgument when N is not
/// a power of two or OpenSSL refuses the parameters, with OpenSSL's reason.
Result<std::string> scryptKey(std::string_view password, std::string_view salt, std::uint64_t n,
                              std::uint64_t r, std::uint64_t p, std::size_t length);

/// Hashes a password with a fresh 16-byte random salt into the one-line form above.
/// kInvalidArgument when params are outside the bounds above; kInternal if the RNG fails.
/// The password policy is not checked here (see passwordProblem).
Result<std::string> hashPassword(std::string_view password, const ScryptParams& params = {});

/// A stored line in the form above that no password matches (a random salt and a random hash,
/// not derived from anything), yet whose verification costs exactly a real one's: unknown users
/// are checked against it. Made without running scrypt (a default-cost hash needs 32 MiB and a
/// sixth of a second, which every start of the edge would pay). Same errors as hashPassword.
Result<std::string> unmatchableHash(const ScryptParams& params = {});

/// True when `password` matches the stored line, false when it does not. A malformed line, or
/// one whose parameters are outside the bounds, is a kInvalidArgument error naming the part at
/// fault (never a crash, never an unbounded computation). The comparison is constant time.
Result<bool> verifyPassword(std::string_view password, std::string_view encoded);

/// The password policy: "" when acceptable, else why not, in words for the person choosing it.
/// Length is counted in characters (UTF-8 code points): at least 10, at most 256.
constexpr std::size_t kMinPasswordChars = 10;
constexpr std::size_t kMaxPasswordChars = 256;
std::string passwordProblem(std::string_view password);

}  // namespace spindle::web::management
