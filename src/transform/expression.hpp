#pragma once
/// A compiled expression: parsed once at load, names resolved to node ids, constant parts
/// folded, then run as a flat instruction list on a small value stack.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transform/eval_context.hpp"

namespace spindle::transform {

/// The names an expression may use, resolved at compile time to node ids.
struct Symbols {
  /// Node id of `name`, or -1 when there is no such identifier.
  std::function<int(std::string_view name)> lookup;
  /// Every known name, for "did you mean" hints.
  std::function<std::vector<std::string>()> names;
};

struct CompileError {
  std::uint32_t offset = 0;  ///< byte offset in the expression text
  std::string message;
  std::string hint;
};

class Expression {
 public:
  /// Compiles `text`. `allowThis` is false where there is no previous value (the first
  /// operation of a variable, outputs). Returns nullopt and fills `error` on failure.
  static std::optional<Expression> compile(std::string_view text, const Symbols& symbols,
                                           bool allowThis, CompileError& error);

  /// A constant, for parameters given as plain values.
  static Expression constant(ScriptValue value);

  /// Runs the expression. Never throws; on a runtime error records it in env.error and
  /// returns unavailable. `self` is the value of `this`.
  ScriptValue evaluate(EvalEnv& env, const ScriptValue& self) const;

  /// Node ids this expression reads (each once).
  const std::vector<int>& references() const { return m_references; }
  bool usesThis() const { return m_usesThis; }
  /// True when the expression reads no identifier and no `this`: its value never changes.
  bool isConstant() const { return m_references.empty() && !m_usesThis; }
  const std::string& text() const { return m_text; }
  /// Stack slots evaluate() needs.
  int stackDepth() const { return m_maxStack; }

  enum class OpCode : std::uint8_t {
    kConst,
    kLoad,
    kThis,
    kAdd,
    kSub,
    kMul,
    kDiv,
    kMod,
    kEq,
    kNe,
    kLt,
    kLe,
    kGt,
    kGe,
    kNeg,
    kPos,
    kNot,
    kAndTest,
    kAndEnd,
    kOrTest,
    kOrEnd,
    kBranch,
    kJump,
    kProp,
    kIndex,
    kCall,
    kArray,
  };

  struct Instruction {
    OpCode op;
    std::int32_t arg;
    std::int32_t arg2;
  };

 private:
  friend class ExpressionCompiler;

  std::string m_text;
  std::vector<Instruction> m_code;
  std::vector<ScriptValue> m_constants;
  std::vector<std::string> m_strings;  ///< property names, names of loaded identifiers
  std::vector<int> m_references;
  bool m_usesThis = false;
  int m_maxStack = 1;
};

}  // namespace spindle::transform
