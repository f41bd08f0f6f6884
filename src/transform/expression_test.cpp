#include "transform/expression.hpp"

#include <map>

#include <gtest/gtest.h>

#include "transform/expression_parser.hpp"

namespace spindle::transform {
namespace {

// A small world of names: x = 4, y = 2.5, zero = 0, s = "Mill", flag = true,
// list = [1, 2, 3], obj = {level: "FAULT", "X.01": {message: "hot"}}, gone = unavailable,
// never = no value yet, temp-in = 20.
class TransformExpressionTest : public ::testing::Test {
 protected:
  TransformExpressionTest() {
    add("x", ScriptValue::number(4));
    add("y", ScriptValue::number(2.5));
    add("zero", ScriptValue::number(0));
    add("s", ScriptValue::string("Mill"));
    add("flag", ScriptValue::boolean(true));
    add("list", ScriptValue::array(
                    {ScriptValue::number(1), ScriptValue::number(2), ScriptValue::number(3)}));
    add("obj", ScriptValue::object(
                   {{"level", ScriptValue::string("FAULT")},
                    {"X.01", ScriptValue::object({{"message", ScriptValue::string("hot")}})}}));
    add("gone", ScriptValue());
    add("never", ScriptValue::missing());
    add("temp-in", ScriptValue::number(20));
    m_symbols.lookup = [this](std::string_view name) {
      const auto it = m_ids.find(std::string(name));
      return it == m_ids.end() ? -1 : it->second;
    };
    m_symbols.names = [this] {
      std::vector<std::string> n;
      for (const auto& [k, v] : m_ids) n.push_back(k);
      return n;
    };
  }

  void add(const std::string& name, ScriptValue v) {
    m_ids[name] = static_cast<int>(m_values.size());
    m_values.push_back(std::move(v));
  }

  ScriptValue eval(const std::string& text, ScriptValue self = ScriptValue::number(10)) {
    CompileError error;
    auto e = Expression::compile(text, m_symbols, true, error);
    EXPECT_TRUE(e.has_value()) << text << ": " << error.message;
    if (!e) return ScriptValue();
    m_env = EvalEnv();
    m_env.values = m_values.data();
    return e->evaluate(m_env, self);
  }

  std::string text(const std::string& expr) { return eval(expr).toText(); }

  CompileError compileError(const std::string& text, bool allowThis = true) {
    CompileError error;
    auto e = Expression::compile(text, m_symbols, allowThis, error);
    EXPECT_FALSE(e.has_value()) << text << " compiled";
    return error;
  }

  std::map<std::string, int> m_ids;
  std::vector<ScriptValue> m_values;
  Symbols m_symbols;
  EvalEnv m_env;
};

TEST_F(TransformExpressionTest, ArithmeticFollowsPrecedence) {
  EXPECT_EQ(text("(x * 9 / 5) + 32"), "39.2");
  EXPECT_EQ(text("x + 2 * 3"), "10");
  EXPECT_EQ(text("-x + 1"), "-3");
  EXPECT_EQ(text("7 % 4"), "3");
  EXPECT_EQ(text("this * 2"), "20");
  EXPECT_EQ(text("temp-in - 5"), "15");
  EXPECT_EQ(text("1e3 + .5"), "1000.5");
}

TEST_F(TransformExpressionTest, ComparisonsAndLogic) {
  EXPECT_EQ(text("x > 1.2 and x < 3.4"), "false");
  EXPECT_EQ(text("x >= 4 && !(y == 2.5)"), "false");
  EXPECT_EQ(text("not flag or x != 4"), "false");
  EXPECT_EQ(text("s == 'Mill'"), "true");
  EXPECT_EQ(text("s == \"Mill\""), "true");
  EXPECT_EQ(text("'10' == 10"), "true");
  EXPECT_EQ(text("flag == 1"), "true");
  EXPECT_EQ(text("'abc' < 'abd'"), "true");
  EXPECT_EQ(text("x > 3 ? 'big' : 'small'"), "big");
}

TEST_F(TransformExpressionTest, UnavailablePropagatesExceptWhereTheResultIsKnown) {
  EXPECT_TRUE(eval("gone + 1").isUnavailable());
  EXPECT_TRUE(eval("gone == 1").isUnavailable());
  EXPECT_TRUE(eval("not gone").isUnavailable());
  EXPECT_EQ(text("false and gone"), "false");
  EXPECT_EQ(text("true or gone"), "true");
  EXPECT_TRUE(eval("true and gone").isUnavailable());
  EXPECT_TRUE(eval("gone ? 1 : 2").isUnavailable());
  EXPECT_EQ(text("available(gone)"), "false");
  EXPECT_EQ(text("default(gone, 7)"), "7");
  EXPECT_TRUE(eval("upper(gone)").isUnavailable());
  EXPECT_FALSE(m_env.error);
}

TEST_F(TransformExpressionTest, StringsConcatenateAndConvert) {
  EXPECT_EQ(text("s + '-' + x"), "Mill-4");
  EXPECT_EQ(text("upper(s) + lower('AB')"), "MILLab");
  EXPECT_EQ(text("len(s)"), "4");
  EXPECT_EQ(text("substr(s, 1, 2)"), "il");
  EXPECT_EQ(text("substr(s, -2)"), "ll");
  EXPECT_EQ(text("replace('a-b-c', '-', '+')"), "a+b+c");
  EXPECT_EQ(text("join(split('a;b;c', ';'), ',')"), "a,b,c");
  EXPECT_EQ(text("trim('  x  ')"), "x");
  EXPECT_EQ(text("contains(s, 'il')"), "true");
  EXPECT_EQ(text("starts_with(s, 'Mi') and ends_with(s, 'll')"), "true");
  EXPECT_EQ(text("number('12.5') + 1"), "13.5");
  EXPECT_EQ(text("'a\\'b'"), "a'b");
}

TEST_F(TransformExpressionTest, PropertyAndIndexAccess) {
  EXPECT_EQ(text("obj.level"), "FAULT");
  EXPECT_EQ(text("obj['X.01'].message"), "hot");
  EXPECT_EQ(text("list[0] + list[-1]"), "4");
  EXPECT_EQ(text("list.length"), "3");
  EXPECT_EQ(text("s[0]"), "M");
  EXPECT_EQ(text("[1, 2, x][2]"), "4");
  EXPECT_EQ(text("has(obj, 'level')"), "true");
  EXPECT_EQ(text("sum(list) + max(list) + min(3, 1, 2)"), "10");
}

TEST_F(TransformExpressionTest, FunctionsOnNumbers) {
  EXPECT_EQ(text("abs(-2) + floor(2.7) + ceil(2.1) + sqrt(16) + pow(2, 3)"), "19");
  EXPECT_EQ(text("round(2.346, 2)"), "2.35");
  EXPECT_EQ(text("round(2.5)"), "3");
  EXPECT_EQ(text("clamp(x, 0, 3)"), "3");
  EXPECT_EQ(text("bit(5, 0) and not bit(5, 1) and bit(5, 2)"), "true");
}

TEST_F(TransformExpressionTest, RuntimeErrorsAreRecordedAndYieldUnavailable) {
  struct Case {
    const char* expr;
    RuntimeErrorKind kind;
  };
  for (const Case& c :
       {Case{"x / zero", RuntimeErrorKind::kDivideByZero},
        Case{"x % 0", RuntimeErrorKind::kDivideByZero},
        Case{"s * 2", RuntimeErrorKind::kTypeMismatch}, Case{"-s", RuntimeErrorKind::kTypeMismatch},
        Case{"list + 1", RuntimeErrorKind::kTypeMismatch},
        Case{"x.level", RuntimeErrorKind::kTypeMismatch},
        Case{"s < 1", RuntimeErrorKind::kTypeMismatch},
        Case{"never + 1", RuntimeErrorKind::kMissingInput},
        Case{"obj.nothing", RuntimeErrorKind::kMissingProperty},
        Case{"list[3]", RuntimeErrorKind::kMissingProperty},
        Case{"sqrt(0 - x)", RuntimeErrorKind::kBadArgument},
        Case{"number(s)", RuntimeErrorKind::kTypeMismatch}}) {
    SCOPED_TRACE(c.expr);
    EXPECT_TRUE(eval(c.expr).isUnavailable());
    EXPECT_EQ(m_env.error.kind, c.kind) << m_env.error.message;
    EXPECT_FALSE(m_env.error.message.empty());
  }
}

TEST_F(TransformExpressionTest, ConstantsAreFoldedAndConstantFailuresRefused) {
  CompileError error;
  auto e = Expression::compile("2 * (3 + 4)", m_symbols, false, error);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->isConstant());
  EvalEnv env;
  EXPECT_EQ(e->evaluate(env, ScriptValue()).toText(), "14");
  const auto bad = compileError("x + 1 / 0");
  EXPECT_NE(bad.message.find("always fails: division by zero"), std::string::npos);
  EXPECT_EQ(bad.offset, 4u);
}

TEST_F(TransformExpressionTest, ReferencesListEachNameOnce) {
  CompileError error;
  auto e = Expression::compile("x + x * y", m_symbols, false, error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->references(), (std::vector<int>{m_ids["x"], m_ids["y"]}));
  EXPECT_FALSE(e->usesThis());
}

TEST_F(TransformExpressionTest, CompileErrorsSayWhereAndWhat) {
  struct Case {
    const char* text;
    std::uint32_t offset;
    const char* message;
    const char* hint;
  };
  for (const Case& c : {
           Case{"x +", 3, "expected an expression after '+'", ""},
           Case{"x = 1", 2, "'=' is not an operator: use '==' to compare", ""},
           Case{"(x + 1", 6, "expected ')' to close the '('", ""},
           Case{"x y", 2, "expected an operator before name 'y'", ""},
           Case{"'abc", 0, "unterminated string", ""},
           Case{"spindel", 0, "unknown name 'spindel'", ""},
           Case{"temp-in-1", 0, "unknown name 'temp-in-1'", ""},
           Case{"x-1", 0, "unknown name 'x-1'", "put spaces around the minus: 'x - 1'"},
           Case{"lenn(s)", 0, "unknown function 'lenn'", "did you mean 'len'?"},
           Case{"round(1, 2, 3)", 0, "wrong number of arguments to 'round': got 3",
                "round(x[, digits])"},
           Case{"x # 2", 2, "unexpected character '#'", ""},
           Case{"12abc", 0, "malformed number", ""},
           Case{"obj.", 4, "expected a property name after '.'", ""},
       }) {
    SCOPED_TRACE(c.text);
    const CompileError e = compileError(c.text);
    EXPECT_EQ(e.offset, c.offset) << e.message;
    EXPECT_NE(e.message.find(c.message), std::string::npos) << e.message;
    EXPECT_NE(e.hint.find(c.hint), std::string::npos) << e.hint;
  }
  const CompileError noThis = compileError("this + 1", false);
  EXPECT_EQ(noThis.message, "'this' has no value here");
}

TEST_F(TransformExpressionTest, HostileInputIsRefusedNotCrashing) {
  EXPECT_NE(compileError(std::string(500, '(') + "1" + std::string(500, ')'))
                .message.find("nested too deeply"),
            std::string::npos);
  EXPECT_NE(compileError(std::string(500, '-') + "1").message.find("nested too deeply"),
            std::string::npos);
  std::string chain = "1";
  for (int i = 0; i < 3000; ++i) chain += "+1";
  EXPECT_NE(compileError(chain).message.find("terms"), std::string::npos);
  EXPECT_NE(compileError(std::string(20000, ' ')).message.find("longer than"), std::string::npos);
  // Every way to nest counts against the same depth: calls, indexes, lists, not, ternaries.
  std::string mixed;
  for (int i = 0; i < 1000; ++i) mixed += "abs(-[!(a ? ";
  EXPECT_NE(compileError(mixed + "1").message.find("nested too deeply"), std::string::npos);
}

}  // namespace
}  // namespace spindle::transform
