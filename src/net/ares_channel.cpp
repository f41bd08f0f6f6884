#include "net/ares_channel.hpp"

#include <chrono>
#include <mutex>

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>

namespace spindle::net {
namespace {

namespace asio = boost::asio;

void initLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

struct PendingLookup {
  std::function<void(AresAnswer)> done;
  std::chrono::steady_clock::time_point started;
};

void onAddrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  std::unique_ptr<PendingLookup> pending(static_cast<PendingLookup*>(arg));
  AresAnswer answer;
  answer.status = status;
  answer.elapsed = std::chrono::steady_clock::now() - pending->started;
  if (result != nullptr) {
    for (const ares_addrinfo_node* node = result->nodes; node != nullptr; node = node->ai_next) {
      if (node->ai_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(node->ai_addr);
        answer.addresses.emplace_back(asio::ip::address_v4(ntohl(sin->sin_addr.s_addr)));
      } else if (node->ai_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(node->ai_addr);
        asio::ip::address_v6::bytes_type bytes;
        std::copy(std::begin(sin6->sin6_addr.s6_addr), std::end(sin6->sin6_addr.s6_addr),
                  bytes.begin());
        answer.addresses.emplace_back(asio::ip::address_v6(bytes, sin6->sin6_scope_id));
      }
    }
    ares_freeaddrinfo(result);
  }
  if (answer.status == ARES_SUCCESS && answer.addresses.empty()) answer.status = ARES_ENODATA;
  pending->done(std::move(answer));
}

}  // namespace

std::string aresStatusText(int status) { return ares_strerror(status); }

AresChannel::AresChannel(Strand strand) : m_strand(std::move(strand)), m_timer(m_strand) {}

Result<std::shared_ptr<AresChannel>> AresChannel::create(Strand strand, const ServerAddress& server,
                                                         Duration timeout, bool hostsFile) {
  initLibrary();
  std::shared_ptr<AresChannel> self(new AresChannel(std::move(strand)));
  ares_options options{};
  int mask = 0;
  options.sock_state_cb = [](void* data, ares_socket_t fd, int readable, int writable) {
    onSocketState(data, fd, readable, writable);
  };
  options.sock_state_cb_data = self.get();
  mask |= ARES_OPT_SOCK_STATE_CB;
  options.timeout = static_cast<int>(std::max<std::int64_t>(
      1, std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()));
  mask |= ARES_OPT_TIMEOUTMS;
  options.tries = 1;
  mask |= ARES_OPT_TRIES;
  // NOCHECKRESP: a REFUSED or SERVFAIL answer reaches us as such (EREFUSED, ESERVFAIL); without
  // it c-ares treats the one server of this channel as unreachable (ECONNREFUSED).
  options.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_NOCHECKRESP;
  mask |= ARES_OPT_FLAGS;
  char lookupsFiles[] = "fb";
  char lookupsDns[] = "b";
  options.lookups = hostsFile ? lookupsFiles : lookupsDns;
  mask |= ARES_OPT_LOOKUPS;
  options.domains = nullptr;
  options.ndomains = 0;
  mask |= ARES_OPT_DOMAINS;
  ares_channel channel = nullptr;
  if (const int rc = ares_init_options(&channel, &options, mask); rc != ARES_SUCCESS) {
    return Error(ErrorCode::kInternal, std::string("c-ares init failed: ") + ares_strerror(rc));
  }
  self->m_channel = channel;
  const std::string csv = server.toString();
  if (const int rc = ares_set_servers_ports_csv(channel, csv.c_str()); rc != ARES_SUCCESS) {
    return Error(ErrorCode::kInvalidArgument,
                 "c-ares rejected DNS server " + csv + ": " + ares_strerror(rc));
  }
  return self;
}

AresChannel::~AresChannel() {
  if (m_channel != nullptr) ares_destroy(m_channel);  // closes sockets: onSocketState releases
  for (auto& [fd, watch] : m_watches) {
    boost::system::error_code ignored;
    watch.descriptor->cancel(ignored);
    watch.descriptor->release();
  }
}

void AresChannel::lookup(const std::string& host, bool ipv6, std::function<void(AresAnswer)> done) {
  ares_addrinfo_hints hints{};
  hints.ai_family = ipv6 ? AF_UNSPEC : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  auto* pending = new PendingLookup{std::move(done), std::chrono::steady_clock::now()};
  ares_getaddrinfo(m_channel, host.c_str(), nullptr, &hints, &onAddrInfo, pending);
  armTimer();
}

void AresChannel::cancel() {
  ares_cancel(m_channel);
  armTimer();
}

void AresChannel::onSocketState(void* self, int fd, int readable, int writable) {
  static_cast<AresChannel*>(self)->socketState(fd, readable != 0, writable != 0);
}

void AresChannel::socketState(int fd, bool readable, bool writable) {
  if (!readable && !writable) {
    // c-ares is about to close fd: forget it without closing it ourselves.
    if (auto it = m_watches.find(fd); it != m_watches.end()) {
      boost::system::error_code ignored;
      it->second.descriptor->cancel(ignored);
      it->second.descriptor->release();
      m_watches.erase(it);
    }
    return;
  }
  Watch& watch = m_watches[fd];
  if (!watch.descriptor) {
    watch.descriptor = std::make_unique<asio::posix::stream_descriptor>(m_strand, fd);
    watch.id = m_nextWatchId++;
  }
  watch.wantRead = readable;
  watch.wantWrite = writable;
  arm(fd);
}

void AresChannel::arm(int fd) {
  auto it = m_watches.find(fd);
  if (it == m_watches.end()) return;
  Watch& watch = it->second;
  const std::weak_ptr<AresChannel> weak = weak_from_this();
  const std::uint64_t id = watch.id;
  if (watch.wantRead && !watch.readPending) {
    watch.readPending = true;
    watch.descriptor->async_wait(asio::posix::stream_descriptor::wait_read,
                                 [weak, fd, id](const boost::system::error_code& ec) {
                                   if (auto self = weak.lock()) self->onReady(fd, id, false, ec);
                                 });
  }
  if (watch.wantWrite && !watch.writePending) {
    watch.writePending = true;
    watch.descriptor->async_wait(asio::posix::stream_descriptor::wait_write,
                                 [weak, fd, id](const boost::system::error_code& ec) {
                                   if (auto self = weak.lock()) self->onReady(fd, id, true, ec);
                                 });
  }
}

void AresChannel::onReady(int fd, std::uint64_t id, bool write,
                          const boost::system::error_code& ec) {
  auto it = m_watches.find(fd);
  if (it == m_watches.end() || it->second.id != id) return;  // a closed (or reused) socket
  (write ? it->second.writePending : it->second.readPending) = false;
  if (ec) return;
  if (write) {
    ares_process_fd(m_channel, ARES_SOCKET_BAD, fd);
  } else {
    ares_process_fd(m_channel, fd, ARES_SOCKET_BAD);
  }
  // Asio's reactor is edge-triggered and a wait is not speculative: a datagram that lands
  // after c-ares read until EAGAIN and before the wait is queued again raises no new edge.
  // So queue the wait first, then look once more with poll().
  for (int round = 0; round < 16; ++round) {
    arm(fd);  // c-ares may have closed fd meanwhile; arm() then finds nothing
    it = m_watches.find(fd);
    if (it == m_watches.end() || it->second.id != id || !it->second.wantRead) break;
    pollfd probe{fd, POLLIN, 0};
    if (::poll(&probe, 1, 0) <= 0 || (probe.revents & POLLIN) == 0) break;
    ares_process_fd(m_channel, fd, ARES_SOCKET_BAD);
  }
  armTimer();
}

void AresChannel::armTimer() {
  timeval tv{};
  if (ares_timeout(m_channel, nullptr, &tv) == nullptr) {
    m_timer.cancel();
    return;
  }
  m_timer.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
  const std::weak_ptr<AresChannel> weak = weak_from_this();
  m_timer.async_wait([weak](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      ares_process_fd(self->m_channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      self->armTimer();
    }
  });
}

}  // namespace spindle::net
