#pragma once
/// A speed sink that speaks enough of S3's REST API (path-style) for the uploader and the curl
/// CLI: an HTTPS server on 127.0.0.1 in the benchmark's process (Boost.Beast over OpenSSL, TLS
/// as the client negotiates it). It is a sink, not a verifier and not a security boundary:
///   - signatures are not checked (SigV4 headers and a presigned URL's X-Amz-* query are
///     accepted as they come);
///   - bodies are streamed to files under `dir` as they arrive (never whole in memory) and not
///     digested: a part's ETag is the hex of its Content-MD5 header when the client sent one
///     (the uploader does), otherwise made up from the part number and size (curl sends none);
///   - CompleteMultipartUpload checks that every listed part exists with the ETag given and
///     records the object as the list of its part files (metadata only, as S3 does: no second
///     write of the data, unlike s3rver, which copies every part into the object).
/// Requests: PUT object (PutObject or a presigned PUT), PUT ?partNumber&uploadId (UploadPart),
/// POST ?uploads (CreateMultipartUpload), POST ?uploadId (Complete), DELETE ?uploadId (Abort,
/// 204), GET ?uploadId (ListParts: 405, which the uploader takes as "not implemented").
///
/// Threads: one accepting, one per connection (blocking reads and writes); all methods are
/// thread-safe. The destructor closes every connection and joins every thread.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace spindle::bench {

class S3Sink {
 public:
  /// Listens on a free 127.0.0.1 port with the PEM certificate and key given; bodies go under
  /// `dir` (created). Throws std::runtime_error when the certificate or the port fail.
  S3Sink(std::filesystem::path dir, const std::string& certFile, const std::string& keyFile);
  ~S3Sink();
  S3Sink(const S3Sink&) = delete;
  S3Sink& operator=(const S3Sink&) = delete;

  std::uint16_t port() const;
  /// "https://127.0.0.1:<port>".
  std::string endpoint() const;

  /// The stored size of an object (PutObject or a completed multipart upload); nullopt when
  /// there is none by that bucket and key.
  std::optional<std::uint64_t> objectSize(const std::string& bucket, const std::string& key);
  /// Forgets every object and upload and removes their files (between rounds: keeps the disk
  /// from filling up).
  void clear();

  struct Part {
    std::filesystem::path file;
    std::string etag;  ///< quoted, as sent in the ETag header
    std::uint64_t size = 0;
  };
  struct Request;  // in s3_sink.cpp
  struct Reply {
    int status = 200;
    std::string body;  ///< XML, or empty
    std::string etag;  ///< the ETag header, or empty
  };

 private:
  struct Upload {
    std::string object;  ///< "bucket/key"
    std::map<int, Part> parts;
  };

  void acceptLoop();
  void serve(const std::shared_ptr<boost::asio::ip::tcp::socket>& socket);
  Reply stored(const Request& request, Part part);
  Reply initiate(const Request& request);
  Reply complete(const Request& request, const std::string& xml);
  Reply abort(const Request& request);
  std::filesystem::path bodyFile(const Request& request);

  std::filesystem::path m_dir;
  boost::asio::io_context m_io;
  boost::asio::ssl::context m_ssl;
  boost::asio::ip::tcp::acceptor m_acceptor{m_io};
  std::atomic<bool> m_stopping{false};
  std::thread m_acceptThread;

  std::mutex m_mutex;  // guards everything below
  std::vector<std::pair<std::shared_ptr<boost::asio::ip::tcp::socket>, std::thread>> m_connections;
  std::map<std::string, std::vector<Part>> m_objects;  ///< "bucket/key" -> its files in order
  std::map<std::string, Upload> m_uploads;             ///< by UploadId
  std::uint64_t m_nextId = 1;                          ///< UploadIds and file names
};

}  // namespace spindle::bench
