#include "upload/s3_digest.hpp"

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include "base/base64.hpp"

namespace spindle::upload {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

MdCtx newDigest(const EVP_MD* md) {
  MdCtx ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex(ctx.get(), md, nullptr);
  return ctx;
}

std::string finish(EVP_MD_CTX* ctx) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx, out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string digest(const EVP_MD* md, std::string_view data) {
  auto ctx = newDigest(md);
  EVP_DigestUpdate(ctx.get(), data.data(), data.size());
  return finish(ctx.get());
}

}  // namespace

std::string toHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string sha256Hex(std::string_view data) { return toHex(digest(EVP_sha256(), data)); }

std::string md5Base64(std::string_view data) { return base64Encode(digest(EVP_md5(), data)); }

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

Result<BodyDigest> digestFileRange(const std::string& path, std::uint64_t offset,
                                   std::uint64_t length) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Error(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(errno));
  }
  ::posix_fadvise(fd, static_cast<off_t>(offset), static_cast<off_t>(length),
                  POSIX_FADV_SEQUENTIAL);
  auto sha = newDigest(EVP_sha256());
  auto md5 = newDigest(EVP_md5());
  std::vector<char> buffer(1 << 20);
  std::uint64_t done = 0;
  while (done < length) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
    const ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      const std::string why = got < 0 ? std::strerror(errno) : "the file is shorter";
      ::close(fd);
      return Error(ErrorCode::kIo,
                   "reading " + path + " at " + std::to_string(offset + done) + ": " + why);
    }
    EVP_DigestUpdate(sha.get(), buffer.data(), static_cast<std::size_t>(got));
    EVP_DigestUpdate(md5.get(), buffer.data(), static_cast<std::size_t>(got));
    done += static_cast<std::uint64_t>(got);
  }
  ::close(fd);
  return BodyDigest{toHex(finish(sha.get())), base64Encode(finish(md5.get()))};
}

}  // namespace spindle::upload
