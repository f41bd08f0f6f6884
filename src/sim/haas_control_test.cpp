// The simulated Haas control: the reply texts follow the machine model, per framing.

#include "sim/haas_control.hpp"

#include <gtest/gtest.h>

namespace spindle::sim {
namespace {

using namespace std::chrono_literals;

TEST(HaasControl, AnswersEveryQCommandFromTheModel) {
  HaasControl control(MachineProfile{"vf2", 7, false, 1.0, 0});
  EXPECT_EQ(control.answer("Q100", false), "S/N, 12345678");
  EXPECT_EQ(control.answer("?Q100", true), "SERIAL NUMBER, 1234567");
  EXPECT_EQ(control.answer("q102", false), "MODEL, VF-2");
  EXPECT_EQ(control.answer("Q201", false), "USING TOOL, " + control.value("tool"));
  EXPECT_EQ(control.answer("Q402", false), "M30 #1, " + control.value("partcount"));
  EXPECT_EQ(control.answer("Q300", false), "P.O. TIME, 00000:00:00");
  for (int i = 0; i < 36000; ++i) control.step(100ms);  // an hour
  EXPECT_EQ(control.answer("Q300", false), "P.O. TIME, 00001:00:00");
  EXPECT_NE(control.answer("Q301", false), "C.S. TIME, 00000:00:00") << "it ran cycles";
  EXPECT_NE(control.answer("Q303", false), "LAST CYCLE, 00000:00:00");
  EXPECT_NE(control.answer("Q200", false), "TOOL CHANGES, 0");
  const std::string q500 = control.answer("Q500", false);
  EXPECT_TRUE(q500 == "STATUS, BUSY" || q500.rfind("PROGRAM, O", 0) == 0) << q500;
  EXPECT_EQ(q500.find(".NC"), std::string::npos) << q500;
}

TEST(HaasControl, VariablesPerFramingAndUnknownCommands) {
  HaasControl control(MachineProfile{"vf2", 7, false, 1.0, 0});
  for (int i = 0; i < 600; ++i) control.step(100ms);
  const std::string classic = control.answer("Q600 5041", false);
  EXPECT_EQ(classic.rfind("MACRO, 5041, ", 0), 0u) << classic;
  const std::string ngc = control.answer("?Q600 5041", true);
  EXPECT_EQ(ngc, "MACRO, " + classic.substr(13));
  EXPECT_DOUBLE_EQ(control.variable(5041), std::stod(control.value("Xact")));
  EXPECT_EQ(control.answer("Q600 abc", false), "INVALID VARIABLE");
  EXPECT_EQ(control.answer("Q999", false), "UNKNOWN COMMAND");
  EXPECT_EQ(control.answer("HELLO", false), "UNKNOWN COMMAND");
  EXPECT_EQ(haasHours(6282 * 3600 + 17 * 60 + 13), "06282:17:13");
}

}  // namespace
}  // namespace spindle::sim
