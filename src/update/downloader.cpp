#include "update/downloader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include "update/refusal.hpp"
#include "update/signing.hpp"

namespace spindle::update {
namespace {

struct Transfer {
  int fd = -1;
  std::uint64_t have = 0;  ///< bytes in the file
  std::uint64_t limit = 0;
  bool tooMany = false;
  bool writeFailed = false;
  Sha256 hash;
  const std::atomic<bool>* cancel = nullptr;
};

std::size_t onData(char* data, std::size_t, std::size_t n, void* self) {
  auto& t = *static_cast<Transfer*>(self);
  if (t.have + n > t.limit) {
    t.tooMany = true;
    return 0;  // aborts the transfer
  }
  std::size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(t.fd, data + done, n - done);
    if (w <= 0) {
      t.writeFailed = true;
      return 0;
    }
    done += static_cast<std::size_t>(w);
  }
  t.hash.update(data, n);
  t.have += n;
  return n;
}

int onProgress(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto& t = *static_cast<Transfer*>(self);
  return t.cancel != nullptr && t.cancel->load() ? 1 : 0;
}

// Hashes what an earlier attempt left, so the digest covers the whole file.
bool rehash(Transfer& t) {
  ::lseek(t.fd, 0, SEEK_SET);
  char buf[1 << 16];
  std::uint64_t total = 0;
  while (true) {
    const ssize_t n = ::read(t.fd, buf, sizeof buf);
    if (n < 0) return false;
    if (n == 0) break;
    t.hash.update(buf, static_cast<std::size_t>(n));
    total += static_cast<std::uint64_t>(n);
  }
  t.have = total;
  return true;
}

CURLcode fetch(const DownloadRequest& r, Transfer& t, std::string& error) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  char message[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!r.caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, r.caFile.c_str());
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
  curl_easy_setopt(
      curl, CURLOPT_TIMEOUT_MS,
      static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(r.timeout).count()));
  // A stalled transfer (under 1 byte/s for a minute) ends; the next attempt resumes it.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "spindle-update");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, message);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, onData);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &t);
  if (t.have > 0) {
    curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(t.have));
  }
  const CURLcode code = curl_easy_perform(curl);
  error = message[0] != '\0' ? message : curl_easy_strerror(code);
  curl_easy_cleanup(curl);
  return code;
}

}  // namespace

Result<std::string> download(const DownloadRequest& r) {
  std::error_code ec;
  std::filesystem::create_directories(r.dir, ec);
  const std::string part = r.dir + "/" + r.sha256 + ".part";
  auto fail = [&](Reason reason, const std::string& detail, bool discard) -> Error {
    if (discard) ::unlink(part.c_str());
    return refuse(reason, detail);
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    Transfer t;
    t.limit = r.size;
    t.cancel = r.cancel;
    t.fd = ::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (t.fd < 0)
      return refuse(Reason::kInstall, "cannot open " + part + ": " + std::strerror(errno));
    if (!rehash(t)) {
      ::close(t.fd);
      return refuse(Reason::kInstall, "cannot read " + part);
    }
    CURLcode code = CURLE_OK;
    std::string error;
    if (t.have < r.size) {
      ::lseek(t.fd, 0, SEEK_END);
      code = fetch(r, t, error);
    }
    ::fsync(t.fd);
    ::close(t.fd);
    if (code == CURLE_RANGE_ERROR && attempt == 0) {
      ::unlink(part.c_str());  // the server does not resume: start over once
      continue;
    }
    if (t.writeFailed) return fail(Reason::kInstall, "writing " + part + " failed", true);
    if (t.tooMany) {
      return fail(Reason::kHashMismatch,
                  "the server sent more than the manifest's " + std::to_string(r.size) + " bytes",
                  true);
    }
    if (code != CURLE_OK) {
      return fail(Reason::kDownload,
                  r.url + ": " + error + " (" + std::to_string(t.have) + " of " +
                      std::to_string(r.size) + " bytes so far)",
                  false);
    }
    if (t.have < r.size) {
      return fail(Reason::kTruncated,
                  r.url + " ended after " + std::to_string(t.have) + " of the manifest's " +
                      std::to_string(r.size) + " bytes",
                  true);
    }
    const std::string got = t.hash.hex();
    if (got != r.sha256) {
      return fail(Reason::kHashMismatch,
                  "the artifact's SHA-256 is " + got + ", the manifest says " + r.sha256, true);
    }
    return part;
  }
  return fail(Reason::kDownload, r.url + ": the server ignored the range request twice", true);
}

}  // namespace spindle::update
