// The collector against the simulator's Modbus server (sim/modbus_server) on loopback: values of
// every type, coalescing, illegal-address splitting, exceptions as conditions, a silent device,
// stale replies, writes behind allow_write, and one device never stalling another. The same
// behaviours against an independent server (pymodbus): tests/integration/modbus_pymodbus_test.

#include "collectors/modbus_tcp/modbus_tcp_collector.hpp"

#include <future>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "collectors/modbus_tcp/modbus_values.hpp"
#include "collectors/testing/fake_context.hpp"
#include "collectors/testing/wait_until.hpp"
#include "sim/modbus_server.hpp"
#include "transform/script_loader.hpp"

namespace spindle::collectors::modbus_tcp {
namespace {

using namespace std::chrono_literals;
using testing::FakeContext;
using testing::waitUntil;

/// A server on its own io thread.
struct Device {
  explicit Device(std::size_t size = 1000, std::uint16_t port = 0)
      : image(std::make_shared<sim::ModbusImage>(size)) {
    server = std::make_unique<sim::ModbusServer>(io, image, "127.0.0.1", port);
    EXPECT_TRUE(server->start());
    thread = std::thread([this] { io.run(); });
  }
  ~Device() {
    server->stop();
    work.reset();
    io.stop();
    thread.join();
  }
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::shared_ptr<sim::ModbusImage> image;
  std::unique_ptr<sim::ModbusServer> server;
  std::thread thread;
};

std::shared_ptr<const transform::CompiledScript> script(const std::string& text) {
  auto compiled = transform::compileScript(text, "test.yaml");
  EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().describe());
  return compiled ? *compiled : nullptr;
}

ModbusTcpOptions options(std::uint16_t port) {
  ModbusTcpOptions o;
  o.host = "127.0.0.1";
  o.port.value = port;
  o.pollInterval = 20ms;
  o.readTimeout = 200ms;
  o.reconnectMin = 50ms;
  o.reconnectMax = 200ms;
  return o;
}

bool has(FakeContext& ctx, const std::string& key, const model::Value& value) {
  return waitUntil([&] { return ctx.latest(key) == value; }, 5s);
}

void putValue(sim::ModbusImage& image, std::uint16_t address, ValueType type, ByteOrder order,
              model::Value v, int length = 0) {
  ValueFormat f{type, order, 1.0, 0.0, -1, length};
  auto regs = encodeRegisters(v, f);
  ASSERT_TRUE(regs);
  image.setRegisters(4, address, *regs);
}

TEST(ModbusTcpCollector, ReadsEveryTypeAndOrderInFewRequests) {
  Device dev;
  auto& img = *dev.image;
  putValue(img, 0, ValueType::kInt16, ByteOrder::kABCD, std::int64_t{-123});
  putValue(img, 1, ValueType::kUint16, ByteOrder::kABCD, std::int64_t{65000});
  putValue(img, 2, ValueType::kInt32, ByteOrder::kCDAB, std::int64_t{-100000});
  putValue(img, 4, ValueType::kUint32, ByteOrder::kBADC, std::int64_t{4000000000});
  putValue(img, 6, ValueType::kFloat32, ByteOrder::kDCBA, 123456.0);
  putValue(img, 8, ValueType::kInt64, ByteOrder::kABCD, std::int64_t{-5000000000});
  putValue(img, 12, ValueType::kUint64, ByteOrder::kCDAB, std::int64_t{7000000000});
  putValue(img, 16, ValueType::kFloat64, ByteOrder::kBADC, -0.25);
  putValue(img, 20, ValueType::kString, ByteOrder::kABCD, std::string("O1234"), 4);
  img.setRegisters(4, 24, {0x0005});
  img.setRegisters(3, 0, {650});
  img.setBit(0, 3, true);
  img.setBit(1, 7, true);
  FakeContext ctx;
  ctx.setScript(script(R"(version: 2
registers:
  a: {address: 0, type: int16}
  b: {ref: 40002}
  c: {address: 2, type: int32, order: CDAB}
  d: {address: 4, type: uint32, order: BADC}
  e: {address: 6, type: float32, order: DCBA}
  f: {address: 8, type: int64}
  g: {address: 12, type: uint64, order: CDAB}
  h: {address: 16, type: float64, order: BADC}
  s: {address: 20, type: string, length: 4}
  bit2: {address: 24, bit: 2}
  flag: {address: 24, type: bool}
  temp: {ref: 30001, type: int16, scale: 0.1, offset: -40}
coils:
  run: {ref: 00004}
  door: {ref: 10008}
data-items: [a, b, c, d, e, f, g, h, s, bit2, flag, temp, run, door]
)"));
  ModbusTcpCollector collector(options(dev.server->port()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(has(ctx, "a", std::int64_t{-123}));
  EXPECT_TRUE(has(ctx, "b", std::int64_t{65000}));
  EXPECT_TRUE(has(ctx, "c", std::int64_t{-100000}));
  EXPECT_TRUE(has(ctx, "d", std::int64_t{4000000000}));
  EXPECT_TRUE(has(ctx, "e", 123456.0));
  EXPECT_TRUE(has(ctx, "f", std::int64_t{-5000000000}));
  EXPECT_TRUE(has(ctx, "g", std::int64_t{7000000000}));
  EXPECT_TRUE(has(ctx, "h", -0.25));
  EXPECT_TRUE(has(ctx, "s", std::string("O1234")));
  EXPECT_TRUE(has(ctx, "bit2", true));
  EXPECT_TRUE(has(ctx, "flag", true));
  EXPECT_TRUE(waitUntil([&] {
    auto v = ctx.latest("temp");
    return v && std::holds_alternative<double>(*v) && std::abs(std::get<double>(*v) - 25.0) < 1e-9;
  }));
  EXPECT_TRUE(has(ctx, "run", true));
  EXPECT_TRUE(has(ctx, "door", true));
  // One request per table per poll: holding 0..24, input 0, coil 3, discrete input 7.
  const auto before = dev.server->totalRequests();
  std::this_thread::sleep_for(200ms);
  const auto polls = (dev.server->totalRequests() - before) / 4;
  EXPECT_GE(polls, 2u);
  // (Read while polling: a poll under way may have sent some of its four requests.)
  for (std::uint8_t f : {1, 2, 4}) {
    EXPECT_NEAR(static_cast<double>(dev.server->requests(3)),
                static_cast<double>(dev.server->requests(f)), 1.0)
        << "function " << int(f);
  }
  // Changes only: a value that does not change is reported once per connection.
  const auto obs = ctx.observations();
  std::size_t aCount = 0;
  for (const auto& o : obs) aCount += ctx.catalog().item(o.item).key == "a";
  EXPECT_EQ(aCount, 1u);
  img.setRegisters(4, 0, {7});
  EXPECT_TRUE(has(ctx, "a", std::int64_t{7}));
  collector.stop();
}

TEST(ModbusTcpCollector, AMachineWithoutRegistersOrCoilsIsAClearError) {
  FakeContext ctx;
  ModbusTcpCollector none(options(1));
  auto status = none.start(ctx);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().describe().find("has no script"), std::string::npos);
  FakeContext keysOnly;
  keysOnly.setScript(script("version: 2\nkeys: [a]\ndata-items: [a]\n"));
  ModbusTcpCollector empty(options(1));
  status = empty.start(keysOnly);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().describe().find("names no registers or coils"), std::string::npos);
  FakeContext badGroup;
  badGroup.setScript(
      script("version: 2\nregisters:\n  a: {address: 1, poll-group: fast}\n"
             "data-items: [a]\n"));
  ModbusTcpCollector grouped(options(1));
  status = grouped.start(badGroup);
  ASSERT_FALSE(status);
  EXPECT_NE(status.error().describe().find("poll group 'fast'"), std::string::npos);
}

TEST(ModbusTcpCollector, AnIllegalAddressIsFoundOnceAndTheRestKeepsBeingRead) {
  Device dev;
  dev.image->setRegisters(4, 3, {30, 40, 50, 60});
  dev.image->addIllegalRange(4, 5, 5);
  FakeContext ctx;
  ctx.setScript(script(R"(version: 2
registers:
  r3: 3
  r4: 4
  r5: 5
  r6: 6
data-items: [r3, r4, r5, r6]
)"));
  ModbusTcpCollector collector(options(dev.server->port()));
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(has(ctx, "r3", std::int64_t{30}));
  EXPECT_TRUE(has(ctx, "r4", std::int64_t{40}));
  EXPECT_TRUE(has(ctx, "r6", std::int64_t{60}));
  EXPECT_TRUE(has(ctx, "r5", model::Unavailable{}));
  EXPECT_EQ(collector.stats().badAddresses, 1u);
  // The condition names the exception and its meaning.
  auto cond = ctx.latest("modbus");
  ASSERT_TRUE(cond);
  const auto& c = *std::get<std::shared_ptr<const model::Condition>>(*cond);
  EXPECT_EQ(c.level, model::Level::kFault);
  EXPECT_EQ(c.nativeCode, "2");
  EXPECT_NE(c.text.find("illegal data address"), std::string::npos);
  // Found once: from now on no request touches address 5, and values keep flowing.
  const auto exceptions = collector.stats().exceptions;
  dev.image->setRegisters(4, 6, {61});
  EXPECT_TRUE(has(ctx, "r6", std::int64_t{61}));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(collector.stats().exceptions, exceptions);
  collector.stop();
}

TEST(ModbusTcpCollector, ASilentDeviceTimesOutAndIsDroppedThenReadAgain) {
  Device dev;
  dev.image->setRegisters(4, 0, {11});
  dev.server->setSilent(true);
  FakeContext ctx;
  ctx.setScript(script("version: 2\nregisters:\n  a: 0\ndata-items: [a]\n"));
  auto o = options(dev.server->port());
  o.readTimeout = 50ms;
  o.maxTimeouts = 2;
  ModbusTcpCollector collector(o);
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(waitUntil([&] { return ctx.stateCount(ConnectionState::kBackoff) >= 2; }));
  EXPECT_GE(collector.stats().timeouts, 2u);
  EXPECT_FALSE(ctx.latest("a").has_value() && ctx.latest("a") != model::Value{});
  dev.server->setSilent(false);
  EXPECT_TRUE(has(ctx, "a", std::int64_t{11}));
  collector.stop();
}

TEST(ModbusTcpCollector, AStaleReplyAfterATimeoutIsNeverTakenForTheNextAnswer) {
  Device dev;
  dev.image->setRegisters(4, 0, {1});
  dev.image->setRegisters(4, 200, {2, 2});
  dev.server->setReplyDelay(150ms);
  FakeContext ctx;
  // Two requests of different sizes: a stale answer to one cannot pass for the other.
  ctx.setScript(
      script("version: 2\nregisters:\n  a: 0\n  b: {address: 200, type: uint32}\n"
             "data-items: [a, b]\n"));
  auto o = options(dev.server->port());
  o.readTimeout = 100ms;
  o.maxTimeouts = 1000;
  ModbusTcpCollector collector(o);
  ASSERT_TRUE(collector.start(ctx));
  EXPECT_TRUE(waitUntil([&] { return collector.stats().staleReplies >= 3; }));
  EXPECT_EQ(collector.stats().answers, 0u);
  dev.server->setReplyDelay(0ms);
  EXPECT_TRUE(has(ctx, "a", std::int64_t{1}));
  EXPECT_TRUE(has(ctx, "b", std::int64_t{0x00020002}));
  for (const auto& obs : ctx.observations()) {
    const auto& key = ctx.catalog().item(obs.item).key;
    if (key == "a") {
      EXPECT_TRUE(obs.value == model::Value(std::int64_t{1}) || model::isUnavailable(obs.value));
    }
  }
  collector.stop();
}

TEST(ModbusTcpCollector, WritesOnlyWithAllowWrite) {
  Device dev;
  const std::string text = R"(version: 2
registers:
  setpoint: {address: 10, type: int16}
  target: {address: 12, type: float32, order: CDAB}
  meter: {ref: 30001}
coils:
  lamp: 5
data-items: [setpoint, target, meter, lamp]
)";
  auto write = [](ModbusTcpCollector& c, const std::string& key, model::Value v) {
    std::promise<Status> done;
    c.write(key, std::move(v), [&](Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  };
  {
    FakeContext ctx;
    ctx.setScript(script(text));
    ModbusTcpCollector collector(options(dev.server->port()));
    ASSERT_TRUE(collector.start(ctx));
    auto refused = write(collector, "setpoint", std::int64_t{5});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message().find("allow_write"), std::string::npos);
    collector.stop();
  }
  EXPECT_EQ(dev.server->requests(6), 0u);
  FakeContext ctx;
  ctx.setScript(script(text));
  auto o = options(dev.server->port());
  o.allowWrite = true;
  ModbusTcpCollector collector(o);
  ASSERT_TRUE(collector.start(ctx));
  ASSERT_TRUE(waitUntil([&] { return ctx.latest("setpoint").has_value(); }));
  EXPECT_TRUE(write(collector, "setpoint", std::int64_t{-7}));
  EXPECT_TRUE(write(collector, "target", 123456.0));
  EXPECT_TRUE(write(collector, "lamp", true));
  EXPECT_FALSE(write(collector, "meter", std::int64_t{1}));  // input registers are read-only
  EXPECT_FALSE(write(collector, "nope", std::int64_t{1}));
  EXPECT_EQ(dev.image->reg(4, 10), 0xFFF9);
  EXPECT_EQ(dev.image->reg(4, 12), 0x2000);  // CDAB: low word first
  EXPECT_EQ(dev.image->reg(4, 13), 0x47F1);
  EXPECT_TRUE(dev.image->bit(0, 5));
  EXPECT_EQ(dev.server->requests(6), 1u);
  EXPECT_EQ(dev.server->requests(16), 1u);
  EXPECT_EQ(dev.server->requests(5), 1u);
  EXPECT_TRUE(has(ctx, "setpoint", std::int64_t{-7}));
  collector.stop();
}

// A script's writes say what the device should hold: a value asked while the device is away is
// written when it is back, and every value is written again after a reconnect (a restarted
// device has lost it).
TEST(ModbusTcpCollector, WantedValuesWaitForTheDeviceAndAreWrittenAgainAfterAReconnect) {
  const std::uint16_t port = [] {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor a(
        io, {boost::asio::ip::make_address("127.0.0.1"), 0});  // closed again below
    return a.local_endpoint().port();
  }();
  FakeContext ctx;
  ctx.setScript(
      script("version: 2\nregisters:\n  setpoint: {address: 10}\ncoils:\n  lamp: 5\n"
             "data-items: [setpoint, lamp]\n"));
  auto o = options(port);
  o.allowWrite = true;
  ModbusTcpCollector collector(o);
  ASSERT_TRUE(collector.start(ctx));
  std::promise<Status> first;
  std::promise<Status> second;
  auto answer = [](std::promise<Status>& p) {
    auto f = p.get_future();
    if (f.wait_for(5s) != std::future_status::ready) {
      return Status(Error(ErrorCode::kTimeout, "no answer in 5 s"));
    }
    return f.get();
  };
  collector.write("setpoint", std::int64_t{4}, [&](Status s) { first.set_value(std::move(s)); });
  collector.write("setpoint", std::int64_t{5}, [&](Status s) { second.set_value(std::move(s)); });
  // Only the latest value is kept: the first is answered at once.
  auto replaced = answer(first);
  ASSERT_FALSE(replaced);
  EXPECT_NE(replaced.error().message().find("replaced by a newer value"), std::string::npos);
  std::this_thread::sleep_for(100ms);
  Device dev(1000, port);  // the device comes up
  EXPECT_TRUE(answer(second));
  EXPECT_EQ(dev.image->reg(4, 10), 5);
  EXPECT_EQ(dev.server->requests(6), 1u);

  std::promise<Status> lamp;
  collector.write("lamp", true, [&](Status s) { lamp.set_value(std::move(s)); });
  EXPECT_TRUE(answer(lamp));
  // The device restarts with its registers cleared: both values are written again.
  dev.image->setRegisters(4, 10, {0});
  dev.image->setBit(0, 5, false);
  dev.server->dropClients();
  EXPECT_TRUE(waitUntil([&] { return dev.image->reg(4, 10) == 5 && dev.image->bit(0, 5); }, 5s));
  EXPECT_EQ(dev.server->requests(6), 2u);
  EXPECT_EQ(dev.server->requests(5), 2u);
  collector.stop();
}

TEST(ModbusTcpCollector, ADeadDeviceNeverSlowsAnother) {
  Device good;
  Device silent;
  silent.server->setSilent(true);
  good.image->setRegisters(4, 0, {1});
  FakeContext goodCtx("good");
  FakeContext deadCtx("dead");
  const auto s = script("version: 2\nregisters:\n  a: 0\ndata-items: [a]\n");
  goodCtx.setScript(s);
  deadCtx.setScript(s);
  auto deadOptions = options(silent.server->port());
  deadOptions.readTimeout = 2s;
  ModbusTcpCollector dead(deadOptions);
  ModbusTcpCollector alive(options(good.server->port()));
  ASSERT_TRUE(dead.start(deadCtx));
  ASSERT_TRUE(alive.start(goodCtx));
  ASSERT_TRUE(has(goodCtx, "a", std::int64_t{1}));
  const auto before = good.server->requests(3);
  std::this_thread::sleep_for(500ms);
  // 20 ms polls: well over 10 in half a second while the other device hangs.
  EXPECT_GE(good.server->requests(3) - before, 10u);
  for (std::uint16_t v = 2; v < 5; ++v) {
    good.image->setRegisters(4, 0, {v});
    EXPECT_TRUE(has(goodCtx, "a", std::int64_t{v}));
  }
  dead.stop();
  alive.stop();
}

}  // namespace
}  // namespace spindle::collectors::modbus_tcp
