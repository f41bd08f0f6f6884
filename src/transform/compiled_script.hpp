#pragma once
/// CompiledScript: an adapter script after loading. Immutable, so one compiled script may be
/// shared by every machine that runs it (each machine's ScriptRunner holds its own state).
///
/// Identifiers (inputs, generators, variables) are numbered "nodes": inputs first, then
/// generators, then variables. Variables are kept in dependency order, so evaluating them
/// front to back always sees up-to-date values.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/text_hash.hpp"
#include "model/observation.hpp"
#include "transform/expression.hpp"
#include "transform/generator.hpp"
#include "transform/key_filter.hpp"
#include "transform/operation.hpp"

namespace spindle::transform {

/// Which section of the script declared an input.
enum class InputSection : std::uint8_t {
  kKeys,       ///< `keys`: SHDR, MTConnect, Haas, FOCAS... items named by the machine
  kTags,       ///< `tags`: OPC UA nodes
  kRegisters,  ///< `registers`: Modbus holding or input registers
  kCoils,      ///< `coils`: Modbus coils or discrete inputs
};
const char* toString(InputSection section);

/// How an incoming value is converted before the script sees it.
enum class InputConversion : std::uint8_t { kAuto, kNumber, kString, kBoolean };

struct InputSpec {
  std::string identifier;  ///< the name expressions use
  InputSection section = InputSection::kKeys;
  /// The catalog key of the observations that feed this input. For `keys` the machine's
  /// key; for tags, registers and coils the identifier itself (those collectors read this
  /// section and report each input under its identifier).
  std::string key;
  std::string tag;            ///< tags: the node path as written ("ns=2;s=Machine.Running")
  std::int64_t address = -1;  ///< registers and coils
  int addressSpace = 0;       ///< Modbus: 0 coils, 1 discrete inputs, 3 input, 4 holding registers
  std::string type;           ///< as declared: number, string, boolean, int16, uint32, float32...
  /// registers: the order of the value's bytes as they arrive, ABCD (high word first, the
  /// default), CDAB, BADC or DCBA; the script's `big` is ABCD and `little` CDAB.
  std::string wordOrder = "ABCD";
  double scale = 1.0;  ///< registers: value = raw * scale + offset
  double offset = 0.0;
  int bit = -1;           ///< registers: 0-15 reads one bit of the register as a boolean
  int length = 0;         ///< registers of type string: how many registers (2 characters each)
  std::string pollGroup;  ///< registers and coils: the collector's poll group ("" the default)
  InputConversion conversion = InputConversion::kAuto;
  int node = -1;
};

struct VariableDef {
  std::string name;
  int node = -1;
  OperationList ops;
  std::vector<int> reads;  ///< node ids its expressions read
  bool timed = false;      ///< some operation may set a deadline
  bool pulses = false;     ///< some operation is an event that ends at once (edges, changed)
};

struct GeneratorDef {
  std::string name;
  int node = -1;
  std::unique_ptr<Generator> generator;
};

struct DataItemDef {
  std::string key;  ///< the output's catalog key
  Expression source;
  model::Kind kind = model::Kind::kEvent;
  std::string category;  ///< SAMPLE or EVENT
  std::string type;      ///< MTConnect type, e.g. EXECUTION, ROTARY_VELOCITY
  std::string subtype;
  std::string units;
};

struct ConditionCodeDef {
  std::string code;
  std::string message;
  std::string severity;
  std::string qualifier;
  std::optional<Expression> fault;
  std::optional<Expression> warning;
};

struct ConditionDef {
  std::string key;
  std::string type = "SYSTEM";
  /// Simple and multi-code forms: each code's FAULT/WARNING expressions.
  std::vector<ConditionCodeDef> codes;
  /// Source form: an expression giving a condition input, a list of alarms, or a boolean.
  std::optional<Expression> source;
  std::string message;  ///< source form: the text of a boolean alarm
};

/// `writes`: a value the script wants its machine to hold, written by the collector to one of
/// the script's own inputs (a Modbus holding register or coil) each time it changes.
struct WriteDef {
  std::string target;  ///< the input's identifier (for keys inputs, not the key)
  int input = -1;      ///< index into CompiledScript::inputs()
  Expression value;
};

class CompiledScript {
 public:
  const std::string& name() const { return m_name; }
  const std::vector<InputSpec>& inputs() const { return m_inputs; }
  const std::vector<GeneratorDef>& generators() const { return m_generators; }
  /// In dependency order.
  const std::vector<VariableDef>& variables() const { return m_variables; }
  const std::vector<DataItemDef>& dataItems() const { return m_dataItems; }
  const std::vector<ConditionDef>& conditions() const { return m_conditions; }
  const std::vector<WriteDef>& writes() const { return m_writes; }
  /// The index into inputs() of the input fed by catalog key `key`, or -1.
  int inputOf(std::string_view key) const {
    const auto it = m_inputByKey.find(key);
    return it == m_inputByKey.end() ? -1 : it->second;
  }

  /// Whether observations of keys that are not outputs are forwarded unchanged.
  bool passthrough() const { return m_passthrough; }
  const KeyFilter& passthroughFilter() const { return m_filter; }

  int nodeCount() const { return static_cast<int>(m_nodeNames.size()); }
  const std::string& nodeName(int node) const { return m_nodeNames[node]; }
  /// Index into variables() of a node, or -1 for inputs and generators.
  int variableIndex(int node) const { return m_variableOfNode[node]; }
  /// For each node, the variables (indexes, ascending) and outputs (data items first, then
  /// conditions offset by dataItems().size(), then writes offset by that plus
  /// conditions().size()) that read it directly.
  const std::vector<int>& variableReaders(int node) const { return m_variableReaders[node]; }
  const std::vector<int>& outputReaders(int node) const { return m_outputReaders[node]; }
  /// Expression stack slots the deepest expression needs.
  int stackDepth() const { return m_stackDepth; }

 private:
  friend class ScriptLoader;

  std::string m_name;
  std::vector<InputSpec> m_inputs;
  std::vector<GeneratorDef> m_generators;
  std::vector<VariableDef> m_variables;
  std::vector<DataItemDef> m_dataItems;
  std::vector<ConditionDef> m_conditions;
  std::vector<WriteDef> m_writes;
  TextMap<int> m_inputByKey;  ///< one for every machine running it
  bool m_passthrough = true;
  KeyFilter m_filter;
  std::vector<std::string> m_nodeNames;
  std::vector<int> m_variableOfNode;
  std::vector<std::vector<int>> m_variableReaders;
  std::vector<std::vector<int>> m_outputReaders;
  int m_stackDepth = 1;
};

}  // namespace spindle::transform
