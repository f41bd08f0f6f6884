#include "sim/lsv2_sim.hpp"

#include <algorithm>

namespace spindle::sim {

namespace lv = collectors::lsv2;

namespace {
void raise(std::atomic<std::size_t>& at, std::size_t v) {
  std::size_t seen = at.load();
  while (v > seen && !at.compare_exchange_weak(seen, v)) {
  }
}
}  // namespace

class Lsv2Server::Connection : public ControlConnection {
 public:
  explicit Connection(std::shared_ptr<Shared> shared) : m_shared(std::move(shared)) {}

  bool feed(std::span<const std::uint8_t> bytes, bool silent, std::vector<Outgoing>& out) override {
    // Broken framing: a control drops the connection.
    return feedFrames(m_reader, bytes,
                      [&](const lv::Telegram& t) { return handle(t, silent, out); });
  }

 private:
  /// False: the answer cannot be encoded, the connection ends.
  bool handle(const lv::Telegram& t, bool silent, std::vector<Outgoing>& out) {
    raise(m_shared->largestRequest, lv::kHeaderSize + t.payload.size());
    if (t.is(lv::code::kLogout)) ++m_shared->logouts;
    ++m_shared->requests;
    if (silent) return true;
    lv::Telegram answer;
    {
      std::lock_guard lock(m_shared->mutex);
      const auto before = m_session.oversized;
      answer = m_shared->control->answer(m_session, t);
      m_shared->oversized += m_session.oversized - before;
    }
    raise(m_shared->largestBuffer, m_session.buffer);
    auto bytes = lv::encodeTelegram(answer);
    if (!bytes) return false;
    Outgoing reply{std::move(bytes).value(), false, true};
    reply.cutTo = std::max<std::size_t>(3, reply.bytes.size() / 2);
    out.push_back(std::move(reply));
    return true;
  }

  std::shared_ptr<Shared> m_shared;
  lv::TelegramReader m_reader;
  Lsv2Control::Session m_session;
};

Lsv2Server::Lsv2Server(boost::asio::io_context& io, std::shared_ptr<Lsv2Control> control,
                       std::string bindAddress, std::uint16_t port)
    : Lsv2Server(io, std::make_shared<Shared>(), std::move(bindAddress), port) {
  m_shared->control = std::move(control);
}

Lsv2Server::Lsv2Server(boost::asio::io_context& io, std::shared_ptr<Shared> shared,
                       std::string bindAddress, std::uint16_t port)
    : ControlServer(io, std::move(bindAddress), port,
                    [shared] { return std::make_unique<Connection>(shared); }),
      m_shared(std::move(shared)) {}

void Lsv2Server::withControl(const std::function<void(Lsv2Control&)>& f) {
  std::lock_guard lock(m_shared->mutex);
  f(*m_shared->control);
}

void Lsv2Server::step(std::chrono::milliseconds dt) {
  withControl([&](Lsv2Control& c) { c.step(dt); });
}

Lsv2Sim::Lsv2Sim(boost::asio::io_context& io, Lsv2SimOptions options)
    : ControlHost(io, options, "heidenhain-"), m_options(std::move(options)) {}

std::unique_ptr<ControlServer> Lsv2Sim::makeServer(std::size_t index, const MachineProfile& profile,
                                                   std::uint16_t port) {
  const auto& o = m_options;
  const Lsv2Identity id =
      o.controls.empty() ? Lsv2Identity::kItnc530 : o.controls[index % o.controls.size()];
  auto control = std::make_shared<Lsv2Control>(profile, id, o.dncOption);
  return std::make_unique<Lsv2Server>(io(), control, o.bindAddress, port);
}

}  // namespace spindle::sim
