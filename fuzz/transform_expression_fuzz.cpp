// libFuzzer target for the adapter script expression language: every input is parsed,
// compiled against a fixed set of names and evaluated. Any input must end in a value or a
// reported error: never a crash, a hang, a leak or undefined behaviour (built with ASan and
// UBSan by scripts/fuzz-transform).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "transform/expression.hpp"
#include "transform/expression_parser.hpp"

namespace {

using spindle::transform::CompileError;
using spindle::transform::EvalEnv;
using spindle::transform::Expression;
using spindle::transform::ParseError;
using spindle::transform::ScriptValue;
using spindle::transform::Symbols;

struct World {
  std::vector<std::string> names;
  std::vector<ScriptValue> values;
  Symbols symbols;

  World() {
    auto add = [this](std::string name, ScriptValue v) {
      names.push_back(std::move(name));
      values.push_back(std::move(v));
    };
    add("x", ScriptValue::number(4));
    add("y", ScriptValue::number(-2.5));
    add("big", ScriptValue::number(1e308));
    add("s", ScriptValue::string("Mill;Lathe"));
    add("flag", ScriptValue::boolean(true));
    add("list", ScriptValue::array({ScriptValue::number(1), ScriptValue::string("two")}));
    add("obj", ScriptValue::object(
                   {{"level", ScriptValue::string("FAULT")}, {"active", ScriptValue::array({})}}));
    add("gone", ScriptValue());
    add("never", ScriptValue::missing());
    add("temp-in", ScriptValue::number(20));
    symbols.lookup = [this](std::string_view name) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) return static_cast<int>(i);
      }
      return -1;
    };
    symbols.names = [this] { return names; };
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const World world;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  ParseError parseError;
  const auto ast = spindle::transform::parseExpression(text, parseError);
  if (!ast && (parseError.message.empty() || parseError.offset > size)) __builtin_trap();

  for (bool allowThis : {true, false}) {
    CompileError error;
    const auto expression = Expression::compile(text, world.symbols, allowThis, error);
    if (!expression) {
      if (error.message.empty() || error.offset > size) __builtin_trap();
      continue;
    }
    if (!ast) __builtin_trap();  // what does not parse must not compile
    EvalEnv env;
    env.values = world.values.data();
    const ScriptValue value = expression->evaluate(env, ScriptValue::number(1));
    if (env.error && !value.isUnavailable()) __builtin_trap();
    if (value.isMissing()) __builtin_trap();  // "no value yet" never escapes
    (void)value.toText();
    (void)spindle::transform::toModel(value);
  }
  return 0;
}
