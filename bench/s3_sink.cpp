#include "s3_sink.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <pugixml.hpp>
#include <sys/socket.h>

#include "base/base64.hpp"
#include "base/xml_text.hpp"
#include "upload/s3_digest.hpp"

namespace spindle::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

constexpr std::uint64_t kMaxBody = 5ull << 30;  // S3's limit for one PUT
constexpr std::uint64_t kMaxXml = 1u << 20;     // a CompleteMultipartUpload list
constexpr const char* kXmlns = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

std::string percentDecoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char value = 0;
    const char* hex = text.data() + i + 1;
    if (text[i] == '%' && i + 2 < text.size() &&
        std::from_chars(hex, hex + 2, value, 16).ptr == hex + 2) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

/// A request body streamed to a file in 1 MiB writes. (Beast's file_body writes every TLS
/// record, 16 KiB, with a write() of its own: those calls were most of the sink's CPU.)
struct SpoolBody {
  static constexpr std::size_t kSpool = 1u << 20;
  struct value_type {
    beast::file file;  ///< opened for writing before the body is read
    std::vector<char> pending;
  };
  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& body) : m_body(body) {}
    void init(const boost::optional<std::uint64_t>&, beast::error_code& ec) {
      m_body.pending.reserve(kSpool);
      ec = {};
    }
    template <class Buffers>
    std::size_t put(const Buffers& buffers, beast::error_code& ec) {
      std::size_t taken = 0;
      ec = {};
      for (const asio::const_buffer b : beast::buffers_range_ref(buffers)) {
        const char* data = static_cast<const char*>(b.data());
        m_body.pending.insert(m_body.pending.end(), data, data + b.size());
        taken += b.size();
        if (m_body.pending.size() >= kSpool) flush(ec);
        if (ec) break;
      }
      return taken;
    }
    void finish(beast::error_code& ec) { flush(ec); }

   private:
    void flush(beast::error_code& ec) {
      std::size_t done = 0;
      while (done < m_body.pending.size() && !ec) {
        done += m_body.file.write(m_body.pending.data() + done, m_body.pending.size() - done, ec);
      }
      m_body.pending.clear();
    }
    value_type& m_body;
  };
};

std::string unquoted(std::string etag) {
  std::erase(etag, '"');
  return etag;
}

std::string escaped(std::string_view text) {
  std::string out;
  appendXmlEscaped(out, text);
  return out;
}

S3Sink::Reply error(int status, const std::string& code, const std::string& message) {
  return {status,
          "<Error><Code>" + code + "</Code><Message>" + escaped(message) + "</Message></Error>",
          ""};
}

// The hex of a Content-MD5 header; otherwise a stand-in from the part number and size.
std::string etagFor(const std::string& contentMd5, int number, std::uint64_t size) {
  if (auto md5 = base64Decode(contentMd5); md5 && md5->size() == 16) {
    return "\"" + upload::toHex(*md5) + "\"";
  }
  char made[40];
  std::snprintf(made, sizeof made, "\"%016llx%016llx\"", static_cast<unsigned long long>(number),
                static_cast<unsigned long long>(size));
  return made;
}

}  // namespace

struct S3Sink::Request {
  std::string method;
  std::string bucket;
  std::string key;
  std::map<std::string, std::string> query;  ///< X-Amz-* of a presigned URL included, unchecked
  std::string contentMd5;

  std::string object() const { return bucket + "/" + key; }
  bool has(const char* name) const { return query.count(name) != 0; }
  std::string at(const char* name) const { return has(name) ? query.at(name) : ""; }

  static Request from(const http::request_header<>& header) {
    Request r;
    r.method = std::string(header.method_string());
    const std::string_view target(header.target().data(), header.target().size());
    const std::size_t mark = target.find('?');
    const std::string path = percentDecoded(target.substr(0, mark));
    const std::size_t slash = path.find('/', 1);
    r.bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
    if (slash != std::string::npos) r.key = path.substr(slash + 1);
    std::string_view query = mark == std::string_view::npos ? "" : target.substr(mark + 1);
    while (!query.empty()) {
      const std::string_view pair = query.substr(0, query.find('&'));
      const std::size_t equals = pair.find('=');
      r.query[percentDecoded(pair.substr(0, equals))] =
          equals == std::string_view::npos ? "" : percentDecoded(pair.substr(equals + 1));
      query.remove_prefix(std::min(query.size(), pair.size() + 1));
    }
    r.contentMd5 = std::string(header["Content-MD5"]);
    return r;
  }
};

S3Sink::S3Sink(fs::path dir, const std::string& certFile, const std::string& keyFile)
    : m_dir(std::move(dir)), m_ssl(asio::ssl::context::tls_server) {
  fs::create_directories(m_dir);
  m_ssl.use_certificate_chain_file(certFile);
  m_ssl.use_private_key_file(keyFile, asio::ssl::context::pem);
  m_acceptor.open(tcp::v4());
  m_acceptor.bind({asio::ip::make_address("127.0.0.1"), 0});
  m_acceptor.listen();
  m_acceptThread = std::thread([this] { acceptLoop(); });
}

S3Sink::~S3Sink() {
  m_stopping = true;
  beast::error_code ec;
  tcp::socket wake(m_io);  // a blocked accept() returns for this connection
  wake.connect({asio::ip::make_address("127.0.0.1"), port()}, ec);
  m_acceptThread.join();
  m_acceptor.close(ec);
  decltype(m_connections) connections;
  {
    std::lock_guard lock(m_mutex);
    connections.swap(m_connections);
  }
  // Idle keep-alive connections block in read(): shutting the socket down ends that read.
  for (auto& [socket, thread] : connections) ::shutdown(socket->native_handle(), SHUT_RDWR);
  for (auto& [socket, thread] : connections) thread.join();
}

std::uint16_t S3Sink::port() const { return m_acceptor.local_endpoint().port(); }

std::string S3Sink::endpoint() const { return "https://127.0.0.1:" + std::to_string(port()); }

std::optional<std::uint64_t> S3Sink::objectSize(const std::string& bucket, const std::string& key) {
  std::lock_guard lock(m_mutex);
  const auto it = m_objects.find(bucket + "/" + key);
  if (it == m_objects.end()) return std::nullopt;
  std::uint64_t size = 0;
  for (const Part& part : it->second) size += part.size;
  return size;
}

void S3Sink::clear() {
  std::lock_guard lock(m_mutex);
  std::error_code ec;
  for (const auto& [name, parts] : m_objects) {
    for (const Part& part : parts) fs::remove(part.file, ec);
  }
  for (const auto& [id, upload] : m_uploads) {
    for (const auto& [number, part] : upload.parts) fs::remove(part.file, ec);
  }
  m_objects.clear();
  m_uploads.clear();
}

void S3Sink::acceptLoop() {
  while (!m_stopping) {
    beast::error_code ec;
    auto socket = std::make_shared<tcp::socket>(m_acceptor.accept(ec));
    if (ec || m_stopping) return;
    std::lock_guard lock(m_mutex);
    m_connections.emplace_back(socket, std::thread([this, socket] { serve(socket); }));
  }
}

void S3Sink::serve(const std::shared_ptr<tcp::socket>& socket) {
  beast::ssl_stream<tcp::socket&> stream(*socket, m_ssl);
  beast::error_code ec;
  stream.handshake(asio::ssl::stream_base::server, ec);
  beast::flat_buffer buffer;
  while (!ec && !m_stopping) {
    http::request_parser<http::empty_body> header;
    header.body_limit(kMaxBody);
    http::read_header(stream, buffer, header, ec);
    if (ec) break;
    const Request request = Request::from(header.get());
    const unsigned version = header.get().version();
    const bool keepAlive = header.get().keep_alive();
    if (beast::iequals(header.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go{http::status::continue_, version};
      http::write(stream, go, ec);
    }
    Reply reply;
    if (request.method == "PUT") {
      // The body goes to its file as it arrives, never whole in memory.
      Part part{bodyFile(request), "", 0};
      {
        http::request_parser<SpoolBody> parser(std::move(header));
        parser.body_limit(kMaxBody);
        parser.get().body().file.open(part.file.c_str(), beast::file_mode::write, ec);
        if (!ec) http::read(stream, buffer, parser, ec);
      }
      if (ec) {
        std::error_code ignored;
        fs::remove(part.file, ignored);  // a body cut short is not kept
        break;
      }
      part.size = fs::file_size(part.file);
      reply = stored(request, std::move(part));
    } else {
      http::request_parser<http::string_body> parser(std::move(header));
      parser.body_limit(kMaxXml);
      http::read(stream, buffer, parser, ec);
      if (ec) break;
      if (request.method == "POST" && request.has("uploads")) {
        reply = initiate(request);
      } else if (request.method == "POST" && request.has("uploadId")) {
        reply = complete(request, parser.get().body());
      } else if (request.method == "DELETE" && request.has("uploadId")) {
        reply = abort(request);
      } else if (request.method == "GET" && request.has("uploadId")) {
        reply = error(405, "MethodNotAllowed", "the sink does not list parts");
      } else {
        reply = error(400, "InvalidRequest", "the sink does not know " + request.method);
      }
    }
    http::response<http::string_body> rs{static_cast<http::status>(reply.status), version};
    if (!reply.etag.empty()) rs.set(http::field::etag, reply.etag);
    if (!reply.body.empty()) rs.set(http::field::content_type, "application/xml");
    rs.body() = std::move(reply.body);
    rs.keep_alive(keepAlive);
    rs.prepare_payload();
    http::write(stream, rs, ec);
    if (!keepAlive) break;
  }
  // No TLS close_notify exchange: the client has its whole answer, or is gone.
  socket->close(ec);
}

fs::path S3Sink::bodyFile(const Request& request) {
  std::lock_guard lock(m_mutex);
  const std::uint64_t id = m_nextId++;
  return m_dir / (request.has("uploadId")
                      ? "part-" + request.at("uploadId") + "-" + std::to_string(id) + ".bin"
                      : "object-" + std::to_string(id) + ".bin");
}

S3Sink::Reply S3Sink::stored(const Request& request, Part part) {
  std::lock_guard lock(m_mutex);
  std::error_code ec;
  if (!request.has("uploadId")) {
    part.etag = etagFor(request.contentMd5, 0, part.size);
    auto& object = m_objects[request.object()];
    for (const Part& old : object) fs::remove(old.file, ec);
    object = {part};
    return {200, "", part.etag};
  }
  const int number = std::atoi(request.at("partNumber").c_str());
  const auto upload = m_uploads.find(request.at("uploadId"));
  if (upload == m_uploads.end() || upload->second.object != request.object() || number < 1 ||
      number > 10000) {
    fs::remove(part.file, ec);
    return upload == m_uploads.end() ? error(404, "NoSuchUpload", "no such upload")
                                     : error(400, "InvalidArgument", "bad part number or key");
  }
  part.etag = etagFor(request.contentMd5, number, part.size);
  auto& slot = upload->second.parts[number];
  if (!slot.file.empty()) fs::remove(slot.file, ec);  // a part sent again replaces the first
  slot = part;
  return {200, "", part.etag};
}

S3Sink::Reply S3Sink::initiate(const Request& request) {
  std::lock_guard lock(m_mutex);
  const std::string id = "sink-upload-" + std::to_string(m_nextId++);
  m_uploads[id].object = request.object();
  return {200,
          std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult") +
              kXmlns + "><Bucket>" + escaped(request.bucket) + "</Bucket><Key>" +
              escaped(request.key) + "</Key><UploadId>" + id +
              "</UploadId></InitiateMultipartUploadResult>",
          ""};
}

S3Sink::Reply S3Sink::complete(const Request& request, const std::string& xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) {
    return error(400, "MalformedXML", "the CompleteMultipartUpload body is not XML");
  }
  std::lock_guard lock(m_mutex);
  const auto upload = m_uploads.find(request.at("uploadId"));
  if (upload == m_uploads.end() || upload->second.object != request.object()) {
    return error(404, "NoSuchUpload", "no such upload");
  }
  std::vector<Part> object;
  std::string etags;
  int last = 0;
  for (const pugi::xml_node listed : doc.child("CompleteMultipartUpload").children("Part")) {
    const int number = listed.child("PartNumber").text().as_int(0);
    if (number <= last) return error(400, "InvalidPartOrder", "parts must ascend");
    last = number;
    const auto part = upload->second.parts.find(number);
    const std::string etag = unquoted(listed.child("ETag").text().as_string());
    if (part == upload->second.parts.end() || unquoted(part->second.etag) != etag) {
      return error(400, "InvalidPart",
                   "part " + std::to_string(number) + " with ETag " + etag + " was not uploaded");
    }
    object.push_back(part->second);
    etags += etag;
  }
  if (object.empty()) return error(400, "MalformedXML", "the list of parts is empty");
  std::error_code ec;
  // Parts uploaded but not listed are dropped, as S3 drops them; listed ones become the object.
  for (const auto& [number, part] : upload->second.parts) {
    if (std::none_of(object.begin(), object.end(),
                     [&](const Part& p) { return p.file == part.file; })) {
      fs::remove(part.file, ec);
    }
  }
  auto& slot = m_objects[request.object()];
  for (const Part& old : slot) fs::remove(old.file, ec);
  slot = std::move(object);
  m_uploads.erase(upload);
  // Not S3's formula (the MD5 of the parts' binary MD5s), but as stable: a sink's ETag.
  const std::string etag = "\"" + upload::toHex(base64Decode(upload::md5Base64(etags)).value()) +
                           "-" + std::to_string(slot.size()) + "\"";
  return {200,
          std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult") +
              kXmlns + "><Location>" + escaped(endpoint() + "/" + request.object()) +
              "</Location><Bucket>" + escaped(request.bucket) + "</Bucket><Key>" +
              escaped(request.key) + "</Key><ETag>" + escaped(etag) +
              "</ETag></CompleteMultipartUploadResult>",
          ""};
}

S3Sink::Reply S3Sink::abort(const Request& request) {
  std::lock_guard lock(m_mutex);
  const auto upload = m_uploads.find(request.at("uploadId"));
  if (upload == m_uploads.end()) return error(404, "NoSuchUpload", "no such upload");
  std::error_code ec;
  for (const auto& [number, part] : upload->second.parts) fs::remove(part.file, ec);
  m_uploads.erase(upload);
  return {204, "", ""};
}

}  // namespace spindle::bench
