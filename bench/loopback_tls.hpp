#pragma once
// A self-signed certificate for 127.0.0.1, made with the openssl CLI, for the benchmarks'
// loopback HTTPS servers (https_bench's, s3_upload_bench's sink and s3rver). The client trusts
// the certificate itself as its CA.

#include <cstdlib>
#include <string>

namespace spindle::bench {

/// Writes `certFile` and `keyFile` (EC P-256, a day, SAN IP:127.0.0.1); false when openssl fails.
inline bool makeLoopbackCertificate(const std::string& certFile, const std::string& keyFile) {
  const std::string command =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
      keyFile + "' -out '" + certFile + "' > /dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

}  // namespace spindle::bench
