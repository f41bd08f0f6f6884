#pragma once
/// One c-ares channel that asks exactly one DNS server, driven by Boost.Asio: c-ares's sockets
/// are watched with stream_descriptors and its timeouts with a steady_timer, all on one strand.
/// The resolver chain owns one per server; nothing else needs it.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "base/error.hpp"
#include "base/units.hpp"
#include "net/server_address.hpp"

struct ares_channeldata;

namespace spindle::net {

/// What one lookup on one server gave.
struct AresAnswer {
  int status = 0;  ///< ARES_SUCCESS or an ARES_E* code
  std::vector<boost::asio::ip::address> addresses;
  Duration elapsed{0};
};

/// c-ares's text for a status code ("Timeout while contacting DNS servers").
std::string aresStatusText(int status);

class AresChannel : public std::enable_shared_from_this<AresChannel> {
 public:
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;

  /// A channel asking only `server`, giving up on it after `timeout` (one try). With
  /// `hostsFile`, names in /etc/hosts are answered from there first. No I/O yet.
  static Result<std::shared_ptr<AresChannel>> create(Strand strand, const ServerAddress& server,
                                                     Duration timeout, bool hostsFile);
  ~AresChannel();
  AresChannel(const AresChannel&) = delete;
  AresChannel& operator=(const AresChannel&) = delete;

  /// Looks `host` up (A, plus AAAA when `ipv6`). Call on the strand. `done` runs exactly once,
  /// on the strand, from inside c-ares's processing: it must not destroy this channel.
  void lookup(const std::string& host, bool ipv6, std::function<void(AresAnswer)> done);

  /// Ends every pending lookup with ARES_ECANCELLED. Call on the strand.
  void cancel();

 private:
  struct Watch {
    std::unique_ptr<boost::asio::posix::stream_descriptor> descriptor;
    std::uint64_t id = 0;
    bool wantRead = false;
    bool wantWrite = false;
    bool readPending = false;
    bool writePending = false;
  };

  explicit AresChannel(Strand strand);
  static void onSocketState(void* self, int fd, int readable, int writable);
  void socketState(int fd, bool readable, bool writable);
  void arm(int fd);
  void onReady(int fd, std::uint64_t id, bool write, const boost::system::error_code& ec);
  void armTimer();

  Strand m_strand;
  ares_channeldata* m_channel = nullptr;
  std::map<int, Watch> m_watches;
  std::uint64_t m_nextWatchId = 1;
  boost::asio::steady_timer m_timer;
};

}  // namespace spindle::net
