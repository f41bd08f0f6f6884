#pragma once
/// Internal to the transform part: the loader's state, shared by script_loader*.cpp.

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/diagnostics.hpp"
#include "transform/compiled_script.hpp"

namespace spindle::transform {

class ScriptLoader {
 public:
  ScriptLoader(const std::string& text, config::Diagnostics& diagnostics);

  /// The compiled script, or nullptr when anything was reported.
  std::unique_ptr<CompiledScript> load(const std::string& name);

  // Used by the operation loading context.
  std::optional<Expression> expression(const YAML::Node& node, bool allowThis);
  std::optional<Duration> duration(const YAML::Node& node, const std::string& what);
  std::optional<double> number(const YAML::Node& node, const std::string& what);
  OperationList chain(const YAML::Node& list, const std::string& where, bool firstHasThis);
  config::Diagnostics& diagnostics() { return m_diag; }

 private:
  // script_loader.cpp
  bool checkRoot(const YAML::Node& root);
  void loadInputs(const YAML::Node& root);
  void loadKeys(const YAML::Node& section, InputSection kind);
  void loadModbus(const YAML::Node& section, InputSection kind, int defaultSpace);
  void loadPassthrough(const YAML::Node& root);
  // script_loader_modbus.cpp
  bool loadModbusInput(const YAML::Node& spec, InputSpec& in);
  bool loadRegisterFormat(const YAML::Node& spec, InputSpec& in);
  int declare(const std::string& name, const YAML::Node& where);
  bool validIdentifier(const std::string& name, const YAML::Node& where);
  InputConversion conversion(const YAML::Node& typeNode, InputSection kind, std::string& type);
  void buildReaders();
  std::pair<int, int> position(const YAML::Node& node, std::uint32_t offset) const;

  // script_loader_variables.cpp
  void declareGenerators(const YAML::Node& section);
  void declareVariables(const YAML::Node& section);
  void loadGenerators(const YAML::Node& section);
  void loadVariables(const YAML::Node& section);
  void orderVariables();

  // script_loader_outputs.cpp
  void loadDataItems(const YAML::Node& section);
  void loadDataItem(const std::string& key, const YAML::Node& keyNode, const YAML::Node& spec);
  void loadConditions(const YAML::Node& section);
  bool loadConditionCode(const YAML::Node& spec, ConditionCodeDef& out, bool codeRequired,
                         const std::string& where);
  bool claimOutput(const std::string& key, const YAML::Node& where);
  void loadWrites(const YAML::Node& section);
  /// Why the input named `target` cannot be written ("" when it can).
  std::string unwritable(const InputSpec& in) const;

  const std::string& m_text;
  config::Diagnostics& m_diag;
  std::unique_ptr<CompiledScript> m_script;
  std::unordered_map<std::string, int> m_nodes;  ///< name -> node id
  std::vector<YAML::Node> m_variableNodes;       ///< by variable index before ordering
  std::vector<std::string> m_outputKeys;
  int m_defaultSpace = -1;
  Symbols m_symbols;
};

}  // namespace spindle::transform
