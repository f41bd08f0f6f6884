// Loading scripts: the driver, the inputs sections, passthrough, positions of expressions.

#include "transform/script_loader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/yaml_nesting.hpp"
#include "transform/expression_lexer.hpp"
#include "transform/script_loader_impl.hpp"

namespace spindle::transform {
namespace {

const std::vector<std::string> kTopLevelKeys = {
    "version",    "description", "keys",          "declare-keys", "tags",
    "registers",  "coils",       "address-space", "passthrough",  "mtconnect-passthrough",
    "allow-keys", "deny-keys",   "variables",     "generators",   "data-items",
    "conditions", "writes"};

const char* kindOf(const YAML::Node& n) {
  return n.IsMap() ? "a map" : n.IsSequence() ? "a list" : n.IsScalar() ? "a value" : "empty";
}

}  // namespace

const char* toString(InputSection section) {
  switch (section) {
    case InputSection::kKeys:
      return "keys";
    case InputSection::kTags:
      return "tags";
    case InputSection::kRegisters:
      return "registers";
    case InputSection::kCoils:
      return "coils";
  }
  return "?";
}

ScriptLoader::ScriptLoader(const std::string& text, config::Diagnostics& diagnostics)
    : m_text(text), m_diag(diagnostics), m_script(std::make_unique<CompiledScript>()) {
  m_symbols.lookup = [this](std::string_view name) {
    const auto it = m_nodes.find(std::string(name));
    return it == m_nodes.end() ? -1 : it->second;
  };
  m_symbols.names = [this] {
    std::vector<std::string> names;
    for (const auto& [name, id] : m_nodes) names.push_back(name);
    std::sort(names.begin(), names.end());
    return names;
  };
}

std::unique_ptr<CompiledScript> ScriptLoader::load(const std::string& name) {
  m_script->m_name = name;
  if (const auto deep = config::findDeepNesting(m_text)) {
    m_diag.addAt(
        deep->line, deep->column,
        "the script nests deeper than " + std::to_string(config::kMaxYamlDepth) + " levels");
    return nullptr;
  }
  YAML::Node root;
  try {
    root = YAML::Load(m_text);
  } catch (const YAML::ParserException& e) {
    m_diag.addAt(e.mark.line + 1, e.mark.column + 1, "this is not valid YAML: " + e.msg);
    return nullptr;
  }
  try {
    if (!checkRoot(root)) return nullptr;
    loadInputs(root);
    declareGenerators(root["generators"]);
    declareVariables(root["variables"]);
    loadGenerators(root["generators"]);
    loadVariables(root["variables"]);
    orderVariables();
    loadDataItems(root["data-items"]);
    loadConditions(root["conditions"]);
    loadWrites(root["writes"]);
    loadPassthrough(root);
    if (m_script->m_dataItems.empty() && m_script->m_conditions.empty() &&
        m_script->m_writes.empty() && !m_script->m_passthrough) {
      m_diag.add(root, "the script outputs nothing",
                 "list data-items, conditions or writes, or turn passthrough on");
    }
  } catch (const YAML::Exception& e) {  // a node of an unexpected shape somewhere
    m_diag.addAt(e.mark.line + 1, e.mark.column + 1, "unexpected YAML structure: " + e.msg);
  }
  if (!m_diag.empty()) return nullptr;
  buildReaders();
  return std::move(m_script);
}

bool ScriptLoader::checkRoot(const YAML::Node& root) {
  if (!root.IsMap()) {
    m_diag.add(root, "a script is a map of sections, starting with 'version: 2'");
    return false;
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), key) != kTopLevelKeys.end()) {
      continue;
    }
    const std::string guess = config::closestMatch(key, kTopLevelKeys);
    m_diag.add(kv.first, "unknown section '" + key + "'",
               guess.empty() ? "sections: version, keys, tags, registers, coils, variables, "
                               "generators, data-items, conditions, writes, passthrough, "
                               "allow-keys, deny-keys"
                             : "did you mean '" + guess + "'?");
  }
  const YAML::Node version = root["version"];
  if (!version) {
    m_diag.add(root, "missing 'version: 2'", "scripts start with the line 'version: 2'");
  } else if (!version.IsScalar() || version.Scalar() != "2") {
    m_diag.add(version, "expected version 2, found '" + version.Scalar() + "'",
               "this is the only script version Spindle reads");
  }
  return true;
}

int ScriptLoader::declare(const std::string& name, const YAML::Node& where) {
  if (!validIdentifier(name, where)) return -1;
  if (m_nodes.count(name)) {
    m_diag.add(where, "'" + name + "' is defined twice",
               "inputs, generators and variables share one set of names");
    return -1;
  }
  const int id = static_cast<int>(m_script->m_nodeNames.size());
  m_nodes[name] = id;
  m_script->m_nodeNames.push_back(name);
  m_script->m_variableOfNode.push_back(-1);
  return id;
}

bool ScriptLoader::validIdentifier(const std::string& name, const YAML::Node& where) {
  std::vector<Token> tokens;
  LexError error;
  const bool single = tokenize(name, tokens, error) && tokens.size() == 2 &&
                      tokens[0].kind == TokenKind::kIdentifier && tokens[0].text == name;
  if (single) return true;
  m_diag.add(where, "'" + name + "' cannot be used as a name",
             "names start with a letter or '_' and hold letters, digits, '_' and '-' (not "
             "keywords); give an odd key a name: 'x01: X.01'");
  return false;
}

InputConversion ScriptLoader::conversion(const YAML::Node& typeNode, InputSection kind,
                                         std::string& type) {
  if (kind == InputSection::kRegisters) {
    static const std::vector<std::string> types = {"int16", "uint16", "int32",   "uint32",
                                                   "int64", "uint64", "float32", "float64"};
    type = typeNode.IsDefined() && !typeNode.IsNull() ? typeNode.Scalar() : "uint16";
    if (std::find(types.begin(), types.end(), type) == types.end()) {
      m_diag.add(typeNode, "unknown register type '" + type + "'",
                 "use int16, uint16, int32, uint32, int64, uint64, float32 or float64");
    }
    return InputConversion::kNumber;
  }
  if (kind == InputSection::kCoils) {
    type = "boolean";
    return InputConversion::kBoolean;
  }
  type = typeNode.IsDefined() && !typeNode.IsNull() ? typeNode.Scalar() : "auto";
  if (type == "auto") return InputConversion::kAuto;
  if (type == "number") return InputConversion::kNumber;
  if (type == "string") return InputConversion::kString;
  if (type == "boolean") return InputConversion::kBoolean;
  m_diag.add(typeNode, "unknown input type '" + type + "'", "use auto, number, string or boolean");
  return InputConversion::kAuto;
}

void ScriptLoader::loadInputs(const YAML::Node& root) {
  if (const auto space = root["address-space"]) {
    const std::string s = space.Scalar();
    if (s != "0" && s != "1" && s != "3" && s != "4") {
      m_diag.add(space,
                 "address-space must be 0 (coils), 1 (discrete inputs), 3 (input "
                 "registers) or 4 (holding registers)");
    } else {
      m_defaultSpace = std::stoi(s);
    }
  }
  if (root["keys"] && root["declare-keys"]) {
    m_diag.add(root["declare-keys"], "'keys' and 'declare-keys' are the same section", "keep one");
  }
  loadKeys(root["keys"] ? root["keys"] : root["declare-keys"], InputSection::kKeys);
  loadKeys(root["tags"], InputSection::kTags);
  loadModbus(root["registers"], InputSection::kRegisters, m_defaultSpace >= 3 ? m_defaultSpace : 4);
  loadModbus(root["coils"], InputSection::kCoils,
             m_defaultSpace >= 0 && m_defaultSpace <= 1 ? m_defaultSpace : 0);
}

// keys and tags: a list of names, or a map of name: key (or {key|tag: ..., type: ...}).
void ScriptLoader::loadKeys(const YAML::Node& section, InputSection kind) {
  if (!section || section.IsNull()) return;
  const bool isTags = kind == InputSection::kTags;
  const char* field = isTags ? "tag" : "key";
  auto add = [&](const std::string& ident, const YAML::Node& where, const YAML::Node& spec) {
    InputSpec in;
    in.identifier = ident;
    in.section = kind;
    std::string source = ident;
    YAML::Node typeNode(YAML::NodeType::Undefined);
    if (spec && spec.IsScalar()) {
      source = spec.Scalar();
    } else if (spec && spec.IsMap()) {
      if (!checkKeys(spec, {field, "type"}, "input '" + ident + "'", m_diag)) return;
      if (spec[field]) source = spec[field].Scalar();
      if (spec["type"]) typeNode.reset(spec["type"]);
    } else if (spec && !spec.IsNull()) {
      m_diag.add(spec, std::string("expected the ") + field + " name or {" + field +
                           ": ..., type: ...}, not " + kindOf(spec));
      return;
    }
    if (isTags && (!spec || spec.IsNull())) {
      m_diag.add(where, "tag '" + ident + "' needs its node path", "e.g. running: ns=2;s=Run");
      return;
    }
    in.key = isTags ? ident : source;
    in.tag = isTags ? source : "";
    for (const auto& other : m_script->m_inputs) {
      if (other.key == in.key && other.identifier != ident) {
        m_diag.add(where, "key '" + in.key + "' is already read as '" + other.identifier + "'",
                   "one name per key; use that name");
        return;
      }
    }
    in.conversion = conversion(typeNode, kind, in.type);
    in.node = declare(ident, where);
    if (in.node >= 0) m_script->m_inputs.push_back(std::move(in));
  };
  if (section.IsSequence()) {
    for (const auto& item : section) {
      if (item.IsScalar()) {
        add(item.Scalar(), item, YAML::Node());
      } else if (item.IsMap() && item.size() == 1) {
        const auto kv = *item.begin();
        add(kv.first.Scalar(), kv.first, kv.second);
      } else {
        m_diag.add(item, std::string("expected a name or 'name: ") + field + "'");
      }
    }
  } else if (section.IsMap()) {
    for (const auto& kv : section) add(kv.first.Scalar(), kv.first, kv.second);
  } else {
    m_diag.add(section, std::string(toString(kind)) + " must be a list or a map of names");
  }
}

// registers and coils: name: address, or name: {address | ref, type, address-space, order,
// scale, offset, bit, length, poll-group}.
void ScriptLoader::loadModbus(const YAML::Node& section, InputSection kind, int defaultSpace) {
  if (!section || section.IsNull()) return;
  if (!section.IsMap()) {
    m_diag.add(section, std::string(toString(kind)) + " must be a map of name: {address: N}");
    return;
  }
  for (const auto& kv : section) {
    InputSpec in;
    in.identifier = kv.first.Scalar();
    in.key = in.identifier;
    in.section = kind;
    in.addressSpace = defaultSpace;
    if (!loadModbusInput(kv.second, in)) continue;
    in.node = declare(in.identifier, kv.first);
    if (in.node >= 0) m_script->m_inputs.push_back(std::move(in));
  }
}

void ScriptLoader::loadPassthrough(const YAML::Node& root) {
  const YAML::Node p = root["passthrough"] ? root["passthrough"] : root["mtconnect-passthrough"];
  if (root["passthrough"] && root["mtconnect-passthrough"]) {
    m_diag.add(root["mtconnect-passthrough"],
               "'passthrough' and 'mtconnect-passthrough' are the same setting", "keep one");
  }
  if (p) {
    const std::string v = p.Scalar();
    if (v != "true" && v != "false") {
      m_diag.add(p, "passthrough must be true or false, not '" + v + "'");
    }
    m_script->m_passthrough = v == "true";
  }
  auto patterns = [&](const char* key, bool allow) {
    const YAML::Node list = root[key];
    if (!list) return;
    auto one = [&](const YAML::Node& n) {
      if (!n.IsScalar()) {
        m_diag.add(n, std::string(key) + " holds key names, wildcards or /regular expressions/");
        return;
      }
      auto pattern = KeyPattern::parse(n.Scalar());
      if (!pattern) {
        m_diag.add(n, pattern.error().message());
      } else if (allow) {
        m_script->m_filter.allow(std::move(pattern).value());
      } else {
        m_script->m_filter.deny(std::move(pattern).value());
      }
    };
    if (list.IsSequence()) {
      for (const auto& n : list) one(n);
    } else {
      one(list);
    }
  };
  patterns("allow-keys", true);
  patterns("deny-keys", false);
}

void ScriptLoader::buildReaders() {
  CompiledScript& s = *m_script;
  const auto nodes = static_cast<std::size_t>(s.nodeCount());
  for (std::size_t i = 0; i < s.m_inputs.size(); ++i)
    s.m_inputByKey[s.m_inputs[i].key] = static_cast<int>(i);
  s.m_variableReaders.assign(nodes, {});
  s.m_outputReaders.assign(nodes, {});
  for (std::size_t i = 0; i < s.m_variables.size(); ++i) {
    for (int node : s.m_variables[i].reads)
      s.m_variableReaders[node].push_back(static_cast<int>(i));
  }
  auto addOutput = [&](const Expression& e, int index) {
    s.m_stackDepth = std::max(s.m_stackDepth, e.stackDepth());
    for (int node : e.references()) {
      auto& readers = s.m_outputReaders[node];
      if (readers.empty() || readers.back() != index) readers.push_back(index);
    }
  };
  for (std::size_t i = 0; i < s.m_dataItems.size(); ++i) {
    addOutput(s.m_dataItems[i].source, static_cast<int>(i));
  }
  const auto base = static_cast<int>(s.m_dataItems.size());
  for (std::size_t i = 0; i < s.m_conditions.size(); ++i) {
    const auto& c = s.m_conditions[i];
    const int index = base + static_cast<int>(i);
    if (c.source) addOutput(*c.source, index);
    for (const auto& code : c.codes) {
      if (code.fault) addOutput(*code.fault, index);
      if (code.warning) addOutput(*code.warning, index);
    }
  }
  const auto writeBase = base + static_cast<int>(s.m_conditions.size());
  for (std::size_t i = 0; i < s.m_writes.size(); ++i) {
    addOutput(s.m_writes[i].value, writeBase + static_cast<int>(i));
  }
}

std::pair<int, int> ScriptLoader::position(const YAML::Node& node, std::uint32_t offset) const {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return {0, 0};
  const int line = mark.line + 1;
  const int column = mark.column + 1;
  const auto pos = static_cast<std::size_t>(mark.pos);
  const char first = pos < m_text.size() ? m_text[pos] : '\0';
  const std::string& value = node.Scalar();
  const std::string before = value.substr(0, std::min<std::size_t>(offset, value.size()));
  if (first == '|' || first == '>') {  // a block scalar: content starts on the next line
    std::size_t at = m_text.find('\n', pos);
    int contentLine = line + 1;
    while (at != std::string::npos && at + 1 < m_text.size() && m_text[at + 1] == '\n') {
      at = m_text.find('\n', at + 1);
      ++contentLine;
    }
    if (at == std::string::npos) return {line, column};
    std::size_t indent = 0;
    while (at + 1 + indent < m_text.size() && m_text[at + 1 + indent] == ' ') ++indent;
    const auto lines = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const auto lastBreak = before.rfind('\n');
    const std::size_t inLine =
        lastBreak == std::string::npos ? before.size() : before.size() - lastBreak - 1;
    return {contentLine + lines, static_cast<int>(indent + inLine) + 1};
  }
  if (before.find('\n') != std::string::npos) return {line, column};
  const int quote = first == '\'' || first == '"' ? 1 : 0;
  return {line, column + quote + static_cast<int>(before.size())};
}

ScriptCompileOutput compileScriptDiagnostics(const std::string& yamlText, const std::string& name) {
  ScriptCompileOutput out{nullptr, config::Diagnostics(name)};
  ScriptLoader loader(yamlText, out.diagnostics);
  auto script = loader.load(name);
  if (script && out.diagnostics.empty()) out.script = std::move(script);
  return out;
}

Result<std::shared_ptr<const CompiledScript>> compileScript(const std::string& yamlText,
                                                            const std::string& name) {
  auto out = compileScriptDiagnostics(yamlText, name);
  if (!out.script) {
    std::string text = out.diagnostics.describe();
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return Error(ErrorCode::kInvalidArgument, text);
  }
  return std::move(out.script);
}

Result<std::shared_ptr<const CompiledScript>> loadScriptFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kIo, "cannot read script " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Error(ErrorCode::kIo, "error reading script " + path);
  return compileScript(buffer.str(), path);
}

}  // namespace spindle::transform
