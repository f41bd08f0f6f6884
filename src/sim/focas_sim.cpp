#include "sim/focas_sim.hpp"

namespace spindle::sim {

namespace fc = collectors::focas;

namespace {
/// What a client may send at once: the largest request the collector builds is < 2 KB.
constexpr std::size_t kMaxRequestBody = 8192;
}  // namespace

class FocasServer::Connection : public ControlConnection {
 public:
  explicit Connection(std::shared_ptr<Shared> shared)
      : m_shared(std::move(shared)), m_reader(kMaxRequestBody) {}

  bool feed(std::span<const std::uint8_t> bytes, bool silent, std::vector<Outgoing>& out) override {
    // Broken framing or a protocol violation: a control drops the session.
    return feedFrames(m_reader, bytes, [&](const fc::Frame& f) { return handle(f, silent, out); });
  }

 private:
  /// False: the session ends (protocol violation).
  bool handle(const fc::Frame& f, bool silent, std::vector<Outgoing>& out) {
    const std::uint16_t version = m_shared->control->replyVersion();
    if (f.type == fc::frame_type::kOpenRequest) {
      m_open = true;
      out.push_back({fc::encodeOpenReply(version)});
      return true;
    }
    if (f.type == fc::frame_type::kCloseRequest) {
      out.push_back({fc::encodeCloseReply(version), true});
      return true;
    }
    if (f.type != fc::frame_type::kRequest || !m_open) return false;
    auto calls = fc::decodeRequest(f);
    if (!calls) return false;
    ++m_shared->requests;
    m_shared->calls += calls->size();
    if (silent) return true;
    std::vector<fc::Reply> replies;
    {
      std::lock_guard lock(m_shared->mutex);
      for (const fc::Call& c : *calls) replies.push_back(m_shared->control->answer(c));
    }
    auto bytes = fc::encodeReply(replies, version);
    if (!bytes) return false;
    Outgoing reply{std::move(bytes).value(), false, true};
    // Cut mid sub-packet: the header, the reply head and a part of the data.
    reply.cutTo = fc::kHeaderSize + 2 + fc::kReplyHeadSize / 2 + reply.bytes.size() / 4;
    out.push_back(std::move(reply));
    return true;
  }

  std::shared_ptr<Shared> m_shared;
  fc::FrameReader m_reader;
  bool m_open = false;
};

FocasServer::FocasServer(boost::asio::io_context& io, std::shared_ptr<FocasControl> control,
                         std::string bindAddress, std::uint16_t port, int maxConnections)
    : FocasServer(io, std::make_shared<Shared>(), std::move(bindAddress), port, maxConnections) {
  m_shared->control = std::move(control);
}

FocasServer::FocasServer(boost::asio::io_context& io, std::shared_ptr<Shared> shared,
                         std::string bindAddress, std::uint16_t port, int maxConnections)
    : ControlServer(
          io, std::move(bindAddress), port,
          [shared] { return std::make_unique<Connection>(shared); }, maxConnections),
      m_shared(std::move(shared)) {}

void FocasServer::withControl(const std::function<void(FocasControl&)>& f) {
  std::lock_guard lock(m_shared->mutex);
  f(*m_shared->control);
}

void FocasServer::step(std::chrono::milliseconds dt) {
  withControl([&](FocasControl& c) { c.step(dt); });
}

FocasSim::FocasSim(boost::asio::io_context& io, FocasSimOptions options)
    : ControlHost(io, options, "fanuc-"), m_options(std::move(options)) {}

Status FocasSim::check() const {
  const auto& o = m_options;
  if (o.paths < 1 || o.paths > 4 || o.maxConnections < 1 || o.maxConnections > 20) {
    return Error(ErrorCode::kInvalidArgument, "paths must be 1..4, connections 1..20");
  }
  return okStatus();
}

std::unique_ptr<ControlServer> FocasSim::makeServer(std::size_t index,
                                                    const MachineProfile& profile,
                                                    std::uint16_t port) {
  const auto& o = m_options;
  const FocasSeries series =
      o.series.empty() ? FocasSeries::k30i : o.series[index % o.series.size()];
  auto control = std::make_shared<FocasControl>(profile, series, o.paths);
  return std::make_unique<FocasServer>(io(), control, o.bindAddress, port, o.maxConnections);
}

}  // namespace spindle::sim
