#include "sim/modbus_sim.hpp"

#include <bit>
#include <charconv>

#include "collectors/modbus_tcp/modbus_values.hpp"

namespace spindle::sim {
namespace {

namespace mb = collectors::modbus_tcp;

double number(const std::string& text) {
  double v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::uint16_t code(const std::string& text, std::initializer_list<const char*> names) {
  std::uint16_t i = 0;
  for (const char* n : names) {
    if (text == n) return i;
    ++i;
  }
  return i;
}

void put(ModbusImage& image, std::uint16_t address, mb::ValueType type, mb::ByteOrder order,
         const model::Value& value, int length = 0) {
  mb::ValueFormat f;
  f.type = type;
  f.order = order;
  f.length = length;
  if (auto regs = mb::encodeRegisters(value, f)) image.setRegisters(4, address, *regs);
}

}  // namespace

void fillModbusImage(ModbusImage& image, const std::vector<Update>& snap) {
  auto text = [&](std::string_view key) -> const std::string& {
    static const std::string kNone;
    for (const auto& u : snap) {
      if (u.key == key) return u.text;
    }
    return kNone;
  };
  const std::string& execution = text("execution");
  const bool estop = text("estop") == "TRIGGERED";
  const bool fault = text("system").rfind("FAULT", 0) == 0;
  const bool active = execution == "ACTIVE";
  const bool stopped = estop || fault || execution == "STOPPED";
  const bool inCycle = active || execution == "FEED_HOLD" || execution == "INTERRUPTED";
  // Stack light and cycle signal: discrete inputs 0-3.
  image.setBit(1, 0, active && !stopped);
  image.setBit(1, 1, !active && !stopped);
  image.setBit(1, 2, stopped);
  image.setBit(1, 3, inCycle);
  image.setBit(0, 0, !estop);
  image.setBit(0, 1, active);
  const auto parts = static_cast<std::int64_t>(number(text("partcount")));
  const double speed = number(text("Sspeed"));
  const double load = number(text("Sload"));
  image.setRegisters(4, 0,
                     {static_cast<std::uint16_t>(parts & 0xFFFF),
                      static_cast<std::uint16_t>(static_cast<std::int16_t>(speed)),
                      static_cast<std::uint16_t>(load * 10),
                      code(execution, {"READY", "ACTIVE", "FEED_HOLD", "INTERRUPTED",
                                       "PROGRAM_COMPLETED", "STOPPED"}),
                      code(text("mode"), {"MANUAL", "MANUAL_DATA_INPUT", "AUTOMATIC"}),
                      static_cast<std::uint16_t>(number(text("Fovr"))),
                      static_cast<std::uint16_t>(number(text("tool"))),
                      static_cast<std::uint16_t>(number(text("line")))});
  using mb::ByteOrder;
  using mb::ValueType;
  put(image, 10, ValueType::kFloat32, ByteOrder::kABCD, number(text("Xact")));
  put(image, 12, ValueType::kFloat32, ByteOrder::kCDAB, number(text("Yact")));
  put(image, 14, ValueType::kFloat32, ByteOrder::kBADC, number(text("Zact")));
  put(image, 16, ValueType::kFloat32, ByteOrder::kDCBA, number(text("Fact")));
  put(image, 20, ValueType::kUint32, ByteOrder::kABCD, parts);
  put(image, 22, ValueType::kUint32, ByteOrder::kCDAB, parts);
  put(image, 24, ValueType::kInt32, ByteOrder::kBADC, -parts);
  put(image, 26, ValueType::kInt32, ByteOrder::kDCBA, -parts);
  put(image, 28, ValueType::kFloat64, ByteOrder::kABCD, speed);
  put(image, 32, ValueType::kFloat64, ByteOrder::kCDAB, load);
  put(image, 36, ValueType::kInt64, ByteOrder::kBADC, -parts);
  put(image, 40, ValueType::kUint64, ByteOrder::kDCBA, parts);
  put(image, 44, ValueType::kInt16, ByteOrder::kABCD, static_cast<std::int64_t>(speed) - 20000);
  put(image, 50, ValueType::kString, ByteOrder::kABCD, text("program"), 8);
  // Input registers: spindle speed and load again, as a meter would give them.
  image.setRegisters(3, 0,
                     {static_cast<std::uint16_t>(speed), static_cast<std::uint16_t>(load * 10)});
}

namespace {
/// A machine's device: its model written into the image whenever a step changed something.
class ModbusMachine : public ModbusServer {
 public:
  ModbusMachine(boost::asio::io_context& io, const MachineProfile& profile,
                std::shared_ptr<ModbusImage> image, std::string bindAddress, std::uint16_t port)
      : ModbusServer(io, image, std::move(bindAddress), port),
        m_model(profile),
        m_image(std::move(image)) {
    fillModbusImage(*m_image, m_model.snapshot());
  }

  void step(std::chrono::milliseconds dt) override {
    if (!m_model.step(dt).empty()) fillModbusImage(*m_image, m_model.snapshot());
  }

 private:
  MachineModel m_model;
  std::shared_ptr<ModbusImage> m_image;
};
}  // namespace

ModbusSim::ModbusSim(boost::asio::io_context& io, ModbusSimOptions options)
    : ControlHost(io, options, "press-"), m_options(std::move(options)) {}

std::unique_ptr<ControlServer> ModbusSim::makeServer(std::size_t, const MachineProfile& profile,
                                                     std::uint16_t port) {
  auto image = std::make_shared<ModbusImage>(1000);
  image->addIllegalRange(4, kIllegalFrom, kIllegalTo);
  return std::make_unique<ModbusMachine>(io(), profile, std::move(image), m_options.bindAddress,
                                         port);
}

}  // namespace spindle::sim
