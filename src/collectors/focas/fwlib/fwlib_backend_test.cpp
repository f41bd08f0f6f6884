#include "collectors/focas/fwlib/fwlib_backend.hpp"

#include <future>

#include <gtest/gtest.h>
#include <pthread.h>

#include "collectors/focas/fwlib/fwlib_codes.hpp"
#include "collectors/focas/fwlib/testing/standin_knobs.hpp"
#include "collectors/focas/fwlib/testing/standin_paths.hpp"
#include "collectors/testing/wait_until.hpp"

namespace spindle::collectors::focas::fwlib {
namespace {

using namespace std::chrono_literals;
using collectors::testing::waitUntil;

/// One reply, awaited by the test.
template <typename T>
struct Awaited {
  std::shared_ptr<std::promise<Result<T>>> promise = std::make_shared<std::promise<Result<T>>>();
  std::future<Result<T>> future = promise->get_future();

  FwlibSession::Reply<T> reply() {
    return [p = promise](Result<T> r) { p->set_value(std::move(r)); };
  }
  Result<T> get() {
    if (future.wait_for(10s) != std::future_status::ready) {
      return Error(ErrorCode::kInternal, "no reply within 10 s");
    }
    return future.get();
  }
};

/// Makes the call through `start` and waits for its reply.
template <typename T, typename Start>
Result<T> call(Start start) {
  Awaited<T> awaited;
  Status submitted = start(awaited.reply());
  if (!submitted.ok()) return std::move(submitted).error();
  return awaited.get();
}

class FwlibSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = FwlibLibrary::load(testing::standinLibrary());
    ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
    library = std::move(*loaded);
  }

  std::unique_ptr<FwlibSession> session(const std::string& host, Duration callTimeout = 5s) {
    return std::make_unique<FwlibSession>(
        library, SessionOptions{.host = host, .callTimeout = callTimeout, .stopGrace = 200ms});
  }

  static Result<SystemInfo> connect(FwlibSession& s) {
    return call<SystemInfo>([&](auto r) { return s.connect(std::move(r)); });
  }

  testing::StandinKnobs knobs{testing::standinLibrary()};
  std::shared_ptr<FwlibLibrary> library;
};

TEST_F(FwlibSessionTest, ConnectsAndDecodesSystemAndStatus) {
  auto s = session("127.0.0.1");
  auto info = connect(*s);
  ASSERT_TRUE(info.ok()) << info.error().describe();
  EXPECT_EQ(info->addinfo, 1090);
  EXPECT_EQ(info->maxAxis, 32);
  EXPECT_EQ(info->cncType, "30");
  EXPECT_EQ(info->mtType, "M");
  EXPECT_EQ(info->series, "G421");
  EXPECT_EQ(info->version, "17.0");
  EXPECT_EQ(info->axes, 4);

  auto status = call<CncStatus>([&](auto r) { return s->readStatus(std::move(r)); });
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(status->aut, 1);
  EXPECT_EQ(status->run, 3);
  EXPECT_EQ(status->motion, 1);
  EXPECT_EQ(status->alarm, 2);
  EXPECT_EQ(status->emergency, 0);
  EXPECT_EQ(knobs.openHandles(), 1);
  s->stop();
  EXPECT_EQ(knobs.openHandles(), 0);  // stop frees the handle
}

TEST_F(FwlibSessionTest, DecodesDynamicDataWithEachAxisDecimals) {
  auto s = session("127.0.0.1");
  ASSERT_TRUE(connect(*s).ok());
  auto data = call<DynamicData>([&](auto r) { return s->readDynamic(std::move(r)); });
  ASSERT_TRUE(data.ok()) << data.error().describe();
  EXPECT_EQ(data->alarm, 0x11);
  EXPECT_EQ(data->program, 1234);
  EXPECT_EQ(data->mainProgram, 1000);
  EXPECT_EQ(data->sequence, 70);
  EXPECT_EQ(data->feed, 1500);
  EXPECT_EQ(data->speed, 12000);
  EXPECT_TRUE(data->scaled);
  ASSERT_EQ(data->axes.size(), 4u);
  EXPECT_EQ(data->axes[0].decimals, 3);
  EXPECT_DOUBLE_EQ(data->axes[0].absolute, 123.456);
  EXPECT_DOUBLE_EQ(data->axes[0].machine, -250.0);
  EXPECT_DOUBLE_EQ(data->axes[0].relative, 1.0);
  EXPECT_DOUBLE_EQ(data->axes[0].distanceToGo, -0.005);
  EXPECT_DOUBLE_EQ(data->axes[1].absolute, 246.912);
  EXPECT_EQ(data->axes[3].decimals, 4);
  EXPECT_DOUBLE_EQ(data->axes[3].absolute, 49.3824);
  EXPECT_DOUBLE_EQ(data->axes[3].machine, -25.0003);
  EXPECT_DOUBLE_EQ(data->axes[3].relative, 0.4);
  EXPECT_DOUBLE_EQ(data->axes[3].distanceToGo, -0.002);
}

TEST_F(FwlibSessionTest, WithoutDecimalPlacesValuesStayRawAndSaySo) {
  knobs.set("127.0.0.9", "cnc_getfigure", 1);  // EW_FUNC: the control cannot tell
  auto s = session("127.0.0.9");
  ASSERT_TRUE(connect(*s).ok());
  auto data = call<DynamicData>([&](auto r) { return s->readDynamic(std::move(r)); });
  ASSERT_TRUE(data.ok()) << data.error().describe();
  EXPECT_FALSE(data->scaled);
  ASSERT_EQ(data->axes.size(), 4u);
  EXPECT_EQ(data->axes[0].decimals, 0);
  EXPECT_DOUBLE_EQ(data->axes[0].absolute, 123456.0);
  EXPECT_DOUBLE_EQ(data->axes[3].machine, -250003.0);
  auto offset = call<ToolOffset>([&](auto r) { return s->readToolOffset(3, 3, std::move(r)); });
  ASSERT_TRUE(offset.ok());
  EXPECT_FALSE(offset->scaled);
  EXPECT_DOUBLE_EQ(offset->value, 30305.0);
}

TEST_F(FwlibSessionTest, DecodesSpindleLoadsToolOffsetsMacrosAndParameters) {
  auto s = session("127.0.0.1");
  ASSERT_TRUE(connect(*s).ok());
  using Loads = std::vector<std::int16_t>;
  auto loads = call<Loads>([&](auto r) { return s->readSpindleLoads(3, std::move(r)); });
  ASSERT_TRUE(loads.ok()) << loads.error().describe();
  EXPECT_EQ(*loads, (Loads{42, 7, 0}));
  const Status tooMany = s->readSpindleLoads(9, [](Result<Loads>) { FAIL(); });
  EXPECT_EQ(tooMany.error().code(), ErrorCode::kInvalidArgument);

  auto geometry = call<ToolOffset>([&](auto r) { return s->readToolOffset(12, 1, std::move(r)); });
  ASSERT_TRUE(geometry.ok()) << geometry.error().describe();
  EXPECT_TRUE(geometry->scaled);
  EXPECT_EQ(geometry->decimals, 3);
  EXPECT_DOUBLE_EQ(geometry->value, 120.105);
  auto wear = call<ToolOffset>([&](auto r) { return s->readToolOffset(12, 0, std::move(r)); });
  ASSERT_TRUE(wear.ok());
  EXPECT_DOUBLE_EQ(wear->value, -120.005);

  using Macro = std::optional<double>;
  auto macro = call<Macro>([&](auto r) { return s->readMacro(100, std::move(r)); });
  ASSERT_TRUE(macro.ok()) << macro.error().describe();
  EXPECT_EQ(*macro, Macro(123.456));
  auto vacant = call<Macro>([&](auto r) { return s->readMacro(101, std::move(r)); });
  ASSERT_TRUE(vacant.ok());
  EXPECT_FALSE(vacant->has_value());
  auto negative = call<Macro>([&](auto r) { return s->readMacro(500, std::move(r)); });
  ASSERT_TRUE(negative.ok());
  EXPECT_EQ(*negative, Macro(-25.0));
  auto garbage = call<Macro>([&](auto r) { return s->readMacro(102, std::move(r)); });
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code(), ErrorCode::kProtocol);
  EXPECT_EQ(garbage.error().message(), "cnc_rdmacro: the library returned 12 decimal places");
  auto absent = call<Macro>([&](auto r) { return s->readMacro(999, std::move(r)); });
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(absent.error().message().find("cnc_rdmacro: EW_NUMBER (3)"), std::string::npos);

  auto param = [&](std::int16_t number, std::int16_t axis, ParameterType type) {
    return call<double>([&](auto r) { return s->readParameter(number, axis, type, std::move(r)); });
  };
  EXPECT_EQ(param(6711, 0, ParameterType::kTwoWord).value(), 4711.0);
  EXPECT_EQ(param(1320, 2, ParameterType::kTwoWord).value(), 1000000.0);
  EXPECT_EQ(param(3202, 0, ParameterType::kWord).value(), 0x1234);
  EXPECT_EQ(param(3401, 0, ParameterType::kByte).value(), 0xA5);
  EXPECT_DOUBLE_EQ(param(1430, 0, ParameterType::kReal).value(), 1500.0);
  // The wrong type reads the wrong length: the control says so.
  EXPECT_EQ(param(6711, 0, ParameterType::kWord).error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(s->readParameter(6711, 33, ParameterType::kWord, [](Result<double>) { FAIL(); })
                .error()
                .code(),
            ErrorCode::kInvalidArgument);

  EXPECT_TRUE(call<Ok>([&](auto r) { return s->setPath(2, std::move(r)); }).ok());
  auto badPath = call<Ok>([&](auto r) { return s->setPath(3, std::move(r)); });
  ASSERT_FALSE(badPath.ok());
  EXPECT_NE(badPath.error().message().find("EW_PATH"), std::string::npos);
}

TEST_F(FwlibSessionTest, CallsRunOffTheCallersThread) {
  auto s = session("127.0.0.4");
  ASSERT_TRUE(connect(*s).ok());
  ASSERT_TRUE(call<DynamicData>([&](auto r) { return s->readDynamic(std::move(r)); }).ok());
  const std::uint64_t libraryThread = knobs.lastThread("127.0.0.4");
  EXPECT_NE(libraryThread, 0u);
  EXPECT_NE(libraryThread, static_cast<std::uint64_t>(pthread_self()));
}

TEST_F(FwlibSessionTest, EwFuncAndEwNoOptAreSurfacedAsUnsupported) {
  auto s = session("127.0.0.5");
  ASSERT_TRUE(connect(*s).ok());
  knobs.set("127.0.0.5", "cnc_rdspload", 1);
  knobs.set("127.0.0.5", "cnc_rdtofs", 6);
  auto loads =
      call<std::vector<std::int16_t>>([&](auto r) { return s->readSpindleLoads(1, std::move(r)); });
  ASSERT_FALSE(loads.ok());
  EXPECT_TRUE(isUnsupported(loads.error()));
  EXPECT_NE(loads.error().message().find("cnc_rdspload: EW_FUNC (1)"), std::string::npos);
  auto offset = call<ToolOffset>([&](auto r) { return s->readToolOffset(1, 0, std::move(r)); });
  ASSERT_FALSE(offset.ok());
  EXPECT_TRUE(isUnsupported(offset.error()));
  EXPECT_NE(offset.error().message().find("cnc_rdtofs: EW_NOOPT (6)"), std::string::npos);
  // The session goes on: an unsupported function costs nothing else.
  EXPECT_TRUE(call<CncStatus>([&](auto r) { return s->readStatus(std::move(r)); }).ok());
}

TEST_F(FwlibSessionTest, AnOptionalFunctionTheLibraryLacksIsUnsupported) {
  auto partial = FwlibLibrary::load(testing::standinWithoutRdtofs());
  ASSERT_TRUE(partial.ok());
  FwlibSession s(*partial, SessionOptions{.host = "127.0.0.6"});
  ASSERT_TRUE(connect(s).ok());
  auto offset = call<ToolOffset>([&](auto r) { return s.readToolOffset(1, 0, std::move(r)); });
  ASSERT_FALSE(offset.ok());
  EXPECT_TRUE(isUnsupported(offset.error()));
  EXPECT_NE(offset.error().message().find("cnc_rdtofs"), std::string::npos);
}

TEST_F(FwlibSessionTest, ASocketErrorDisconnectsUntilTheNextConnect) {
  auto s = session("127.0.0.7");
  auto before = call<CncStatus>([&](auto r) { return s->readStatus(std::move(r)); });
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().message(), "cnc_statinfo: disconnected");

  ASSERT_TRUE(connect(*s).ok());
  knobs.set("127.0.0.7", "cnc_statinfo", -16);
  auto lost = call<CncStatus>([&](auto r) { return s->readStatus(std::move(r)); });
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(lost.error().message().find("EW_SOCKET (-16)"), std::string::npos);
  EXPECT_EQ(knobs.openHandles(), 0);  // the dead handle was freed
  auto after = call<DynamicData>([&](auto r) { return s->readDynamic(std::move(r)); });
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(after.error().message(), "cnc_rddynamic2: disconnected");

  knobs.reset();
  ASSERT_TRUE(connect(*s).ok());
  EXPECT_TRUE(call<DynamicData>([&](auto r) { return s->readDynamic(std::move(r)); }).ok());
}

TEST_F(FwlibSessionTest, AFailedConnectNamesTheCodeAndLeavesNoHandle) {
  knobs.set("127.0.0.8", "cnc_allclibhndl3", -16);
  auto s = session("127.0.0.8");
  auto info = connect(*s);
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(info.error().message().find("cnc_allclibhndl3: EW_SOCKET (-16)"), std::string::npos);
  EXPECT_EQ(knobs.openHandles(), 0);
}

TEST_F(FwlibSessionTest, ABlockingCallTimesOutWithoutStallingAnotherSession) {
  auto stuck = session("127.0.0.2", 200ms);
  auto healthy = session("127.0.0.3", 5s);
  ASSERT_TRUE(connect(*stuck).ok());
  ASSERT_TRUE(connect(*healthy).ok());
  knobs.set("127.0.0.2", "cnc_statinfo", 0, 1500);

  Awaited<CncStatus> blocked;
  ASSERT_TRUE(stuck->readStatus(blocked.reply()).ok());
  ASSERT_TRUE(waitUntil([&] { return knobs.running() == 1; }));  // the library call blocks
  for (int i = 0; i < 5; ++i) {
    auto data = call<DynamicData>([&](auto r) { return healthy->readDynamic(std::move(r)); });
    ASSERT_TRUE(data.ok()) << data.error().describe();
  }
  auto timedOut = blocked.get();
  ASSERT_FALSE(timedOut.ok());
  EXPECT_EQ(timedOut.error().code(), ErrorCode::kTimeout);
  EXPECT_NE(timedOut.error().message().find("cnc_statinfo"), std::string::npos);
  EXPECT_EQ(knobs.running(), 1);  // answered while the library call still blocks

  stuck->stop();  // returns after its grace though the call still runs
  EXPECT_EQ(knobs.running(), 1);
  EXPECT_TRUE(call<CncStatus>([&](auto r) { return healthy->readStatus(std::move(r)); }).ok());
  // The left-behind call finishes on its own and frees its handle with the last reference.
  EXPECT_TRUE(waitUntil([&] { return knobs.running() == 0; }));
  healthy->stop();
  EXPECT_TRUE(waitUntil([&] { return knobs.openHandles() == 0; }));
}

}  // namespace
}  // namespace spindle::collectors::focas::fwlib
