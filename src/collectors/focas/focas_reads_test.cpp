#include "collectors/focas/focas_reads.hpp"

#include <gtest/gtest.h>

namespace spindle::collectors::focas {
namespace {

TEST(FocasReads, ScriptKeysNameTheirCalls) {
  auto p = parseReadKey("param_6711");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->toCall(Layout::k30i).command, cmd::kParam30i);
  EXPECT_EQ((*p)->toCall(Layout::k16i).command, cmd::kParam16i);
  EXPECT_EQ((*p)->toCall(Layout::k16i).args[0], 6711);

  auto d = parseReadKey("p2_diag_308_1");
  ASSERT_TRUE(d.ok() && d->has_value());
  EXPECT_EQ((*d)->path, 2);
  const Call dc = (*d)->toCall(Layout::k30i);
  EXPECT_EQ(dc.command, cmd::kDiag30i);
  EXPECT_EQ(dc.path, 2);
  EXPECT_EQ(dc.args[2], 1);

  auto pmc = parseReadKey("pmc_D2204_word");
  ASSERT_TRUE(pmc.ok() && pmc->has_value());
  EXPECT_EQ((*pmc)->toCall(Layout::k30i).args,
            (pmcCall(1, PmcArea::D, PmcType::kWord, 2204, 1).args));

  auto m = parseReadKey("macro_500");
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->toCall(Layout::k16i).command, cmd::kMacroRead);

  auto plain = parseReadKey("run");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->has_value());
  EXPECT_FALSE(parseReadKey("param_x").ok());
  EXPECT_FALSE(parseReadKey("pmc_Q1_word").ok());
  EXPECT_FALSE(parseReadKey("pmc_D1_short").ok());
  EXPECT_FALSE(parseReadKey("macro_").ok());
}

TEST(FocasReads, AnswersBecomeKeyedValues) {
  const std::vector<std::string> axes = {"X", "Y"};
  const Call pos = call(cmd::kPosition, 2, position::kAbsolute, -1);
  Reply r{1, 2, cmd::kPosition,
          0, 0, encodeNumbers(std::vector<Number>{{1234, 10, 3}, vacantNumber(), {0, 10, 3}})};
  auto v = readings(pos, r, axes);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ(v->at(0).key, "p2_X_abs");
  EXPECT_EQ(v->at(0).value, model::Value(1.234));
  EXPECT_EQ(v->at(1).value, model::Value(model::Unavailable{}));

  const Call st = call(cmd::kStatInfo);
  Reply sr{1, 1, cmd::kStatInfo, 0, 0, encodeStatInfo({1, 3, 1, 0, 0, 0, 0})};
  auto s = readings(st, sr, axes);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->at(1).key, "run");
  EXPECT_EQ(s->at(1).value, model::Value(std::int64_t{3}));

  Reply bad{1, 1, cmd::kStatInfo, 0, 0, {1, 2, 3}};
  EXPECT_FALSE(readings(st, bad, axes).ok());

  const Call prog = call(cmd::kProgramNumber);
  Reply pr{1, 1, cmd::kProgramNumber, 0, 0, encodeProgramNumbers({1001, 1000})};
  EXPECT_EQ(readings(prog, pr, axes)->at(0).value, model::Value(std::string("O1001")));
  EXPECT_EQ(keysOf(call(cmd::kTimer, 1, timer::kCycle), axes),
            std::vector<std::string>{"timer_cycle"});
}

TEST(FocasReads, ScriptValuesByLayout) {
  ScriptRead read = parseReadKey("param_6711")->value();
  Reply r{
      1, 1, cmd::kParam30i,
      0, 0, encodeParams(std::vector<ParamRecord>{{6711, 0, 3, {{52638, 10, 0}}}}, Layout::k30i)};
  EXPECT_EQ(scriptValue(read, r, Layout::k30i).value(), model::Value(std::int64_t{52638}));
  EXPECT_FALSE(scriptValue(read, r, Layout::k16i).ok());
  ScriptRead macro = parseReadKey("macro_500")->value();
  Reply m{1, 1, cmd::kMacroRead, 0, 0, encodeNumbers(std::vector<Number>{vacantNumber()})};
  EXPECT_EQ(scriptValue(macro, m, Layout::k30i).value(), model::Value(model::Unavailable{}));
}

// A macro write carries the value as an 8-byte number with the fewest decimals that hold it.
TEST(FocasReads, MacroWritesCarryTheirNumber) {
  const std::vector<std::uint16_t> paths{1, 2};
  auto w = macroWriteFor("p2_macro_500", 21.5, paths);
  ASSERT_TRUE(w.ok()) << w.error().message();
  EXPECT_EQ(w->command, cmd::kMacroWrite);
  EXPECT_EQ(w->path, 2);
  EXPECT_EQ(w->args[0], 500);
  EXPECT_EQ(w->args[1], 500);
  EXPECT_EQ(w->args[4], 8);
  EXPECT_EQ(readNumber(w->payload), (Number{215, 10, 1}));
  EXPECT_EQ(readNumber(macroWriteFor("macro_100", std::int64_t{-7}, paths)->payload),
            (Number{-7, 10, 0}));
  EXPECT_EQ(readNumber(macroWriteFor("macro_100", true, paths)->payload), (Number{1, 10, 0}));
  EXPECT_EQ(readNumber(macroWriteFor("macro_100", 0.125, paths)->payload), (Number{125, 10, 3}));

  EXPECT_FALSE(macroWriteFor("p3_macro_500", 1.0, paths).ok());  // a path not read
  EXPECT_FALSE(macroWriteFor("param_6711", 1.0, paths).ok());    // parameters are not written
  EXPECT_FALSE(macroWriteFor("run", 1.0, paths).ok());
  EXPECT_FALSE(macroWriteFor("macro_500", std::string("ten"), paths).ok());
  EXPECT_FALSE(macroWriteFor("macro_500", 3e12, paths).ok());
  EXPECT_NE(macroWriteFor("param_1", 1.0, paths).error().message().find("no macro variable"),
            std::string::npos);
}

}  // namespace
}  // namespace spindle::collectors::focas
