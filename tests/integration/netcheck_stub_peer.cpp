// Stand-ins for what no Debian package serves on its own, for the netcheck tests and bench.
// Each mode listens on 127.0.0.1 only, prints "ready" once listening, and runs until killed.
//
//   netcheck_stub_peer reset PORT         TCP: reads the client's first bytes (a TLS
//                                         ClientHello), then resets the connection (RST)
//   netcheck_stub_peer udp-blackhole PORT UDP: takes every datagram and never answers
//   netcheck_stub_peer https PORT CERT KEY RESPONSE
//                                         TLS: answers every request with the bytes of the
//                                         file RESPONSE (status line, headers, body)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int listenOn(int type, int port) {
  const int fd = ::socket(AF_INET, type, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("bind");
    std::exit(1);
  }
  if (type == SOCK_STREAM && ::listen(fd, 64) != 0) {
    std::perror("listen");
    std::exit(1);
  }
  std::printf("ready\n");
  std::fflush(stdout);
  return fd;
}

bool readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) > 0;
}

[[noreturn]] void resetAfterHello(int port) {
  const int fd = listenOn(SOCK_STREAM, port);
  for (;;) {
    const int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) continue;
    char buffer[16384];
    if (readable(c, 5000)) (void)::recv(c, buffer, sizeof buffer, 0);
    const linger reset{1, 0};  // close with RST instead of FIN
    ::setsockopt(c, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    ::close(c);
  }
}

[[noreturn]] void blackHole(int port) {
  const int fd = listenOn(SOCK_DGRAM, port);
  for (;;) {
    char buffer[2048];
    (void)::recv(fd, buffer, sizeof buffer, 0);
  }
}

[[noreturn]] void https(int port, const char* cert, const char* key, const char* responseFile) {
  std::ifstream in(responseFile, std::ios::binary);
  std::stringstream body;
  body << in.rdbuf();
  const std::string response = body.str();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
    ERR_print_errors_fp(stderr);
    std::exit(1);
  }
  const int fd = listenOn(SOCK_STREAM, port);
  for (;;) {
    const int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) continue;
    const timeval limit{5, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, c);
    if (SSL_accept(ssl) == 1) {
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
        const int n = SSL_read(ssl, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      if (request.find("\r\n\r\n") != std::string::npos) {
        SSL_write(ssl, response.data(), static_cast<int>(response.size()));
        SSL_shutdown(ssl);
      }
    }
    SSL_free(ssl);
    ::close(c);
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);  // clients close early (a TLS-only check never sends a request)
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "reset" && argc == 3) resetAfterHello(std::atoi(argv[2]));
  if (mode == "udp-blackhole" && argc == 3) blackHole(std::atoi(argv[2]));
  if (mode == "https" && argc == 6) https(std::atoi(argv[2]), argv[3], argv[4], argv[5]);
  std::fprintf(stderr, "usage: %s reset PORT | udp-blackhole PORT | https PORT CERT KEY RESPONSE\n",
               argv[0]);
  return 2;
}
