#include "sim/mitsubishi_sim.hpp"

namespace spindle::sim {

namespace mc = collectors::mitsubishi;

namespace {
/// What a client may send in one message: the requests the NC serves are < 200 bytes.
constexpr std::size_t kMaxRequestBody = 8192;
}  // namespace

class MitsubishiServer::Connection : public ControlConnection {
 public:
  explicit Connection(std::shared_ptr<Shared> shared)
      : m_shared(std::move(shared)), m_reader(kMaxRequestBody) {}

  bool feed(std::span<const std::uint8_t> bytes, bool silent, std::vector<Outgoing>& out) override {
    // Broken framing: a control drops the session.
    return feedFrames(m_reader, bytes,
                      [&](const mc::Message& m) { return handle(m, silent, out); });
  }

 private:
  /// False: the connection ends (CloseConnection).
  bool handle(const mc::Message& m, bool silent, std::vector<Outgoing>& out) {
    if (m.type == mc::message_type::kCloseConnection) return false;
    if (m.type != mc::message_type::kRequest) {
      out.push_back(messageError(m));
      return true;
    }
    auto request = mc::decodeRequest(m);
    if (!request) {
      out.push_back(messageError(m));
      return true;
    }
    ++m_shared->requests;
    if (silent || !request->responseExpected) return true;
    const bool le = m_shared->bigEndian ? false : m.littleEndian;
    mc::Reply reply;
    {
      std::lock_guard lock(m_shared->mutex);
      reply = m_shared->control->answer(*request, le);
    }
    if (reply.status != mc::reply_status::kNoException) ++m_shared->exceptions;
    Outgoing o{mc::encodeReply(reply), false, true};
    o.cutTo = o.bytes.size() / 2;
    out.push_back(std::move(o));
    return true;
  }

  /// A MessageError, then the connection closes.
  static Outgoing messageError(const mc::Message& m) {
    return {mc::encodeMessage({m.littleEndian, mc::message_type::kMessageError, {}}), true};
  }

  std::shared_ptr<Shared> m_shared;
  mc::MessageReader m_reader;
};

MitsubishiServer::MitsubishiServer(boost::asio::io_context& io,
                                   std::shared_ptr<MitsubishiControl> control,
                                   std::string bindAddress, std::uint16_t port)
    : MitsubishiServer(io, std::make_shared<Shared>(), std::move(bindAddress), port) {
  m_shared->control = std::move(control);
}

MitsubishiServer::MitsubishiServer(boost::asio::io_context& io, std::shared_ptr<Shared> shared,
                                   std::string bindAddress, std::uint16_t port)
    : ControlServer(io, std::move(bindAddress), port,
                    [shared] { return std::make_unique<Connection>(shared); }),
      m_shared(std::move(shared)) {
  setLowPortHint("ports below 1024 need root: run as root or pick --base-port 1683");
}

void MitsubishiServer::withControl(const std::function<void(MitsubishiControl&)>& f) {
  std::lock_guard lock(m_shared->mutex);
  f(*m_shared->control);
}

void MitsubishiServer::step(std::chrono::milliseconds dt) {
  withControl([&](MitsubishiControl& c) { c.step(dt); });
}

MitsubishiSim::MitsubishiSim(boost::asio::io_context& io, MitsubishiSimOptions options)
    : ControlHost(io, options, "mitsubishi-"), m_options(std::move(options)) {}

Status MitsubishiSim::check() const {
  if (m_options.partSystems < 1 || m_options.partSystems > 4) {
    return Error(ErrorCode::kInvalidArgument, "part systems must be 1..4");
  }
  return okStatus();
}

std::unique_ptr<ControlServer> MitsubishiSim::makeServer(std::size_t index,
                                                         const MachineProfile& profile,
                                                         std::uint16_t port) {
  const auto& o = m_options;
  const auto type = o.types.empty() ? mc::SystemType::kM700M : o.types[index % o.types.size()];
  auto control = std::make_shared<MitsubishiControl>(profile, type, o.partSystems);
  auto server = std::make_unique<MitsubishiServer>(io(), control, o.bindAddress, port);
  server->setBigEndian(o.bigEndian);
  return server;
}

}  // namespace spindle::sim
