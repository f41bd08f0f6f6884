#include "app/machine_loader.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "control/config_text.hpp"
#include "transform/script_loader.hpp"
#include "transform/store/script_ref.hpp"

namespace spindle::app {
namespace {

namespace fs = std::filesystem;

bool validMachineId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

MachineLoader::MachineLoader(const collectors::Registry& registry, const LoadOptions& options,
                             config::Diagnostics& diags)
    : m_registry(registry), m_options(options), m_diags(diags) {
  for (const auto& n : registry.names()) m_knownTypes += (m_knownTypes.empty() ? "" : ", ") + n;
}

void MachineLoader::load(const YAML::Node& block, std::size_t index, SpindleConfig& out) {
  const std::string where = "machines[" + std::to_string(index) + "]";
  if (!block.IsMap()) {
    m_diags.add(block, where + " must be a map with id, type and the collector's options");
    return;
  }
  MachineEntry entry;
  const YAML::Node id = block["id"];
  if (!id) {
    m_diags.add(block, "missing required key 'id' in " + where,
                "a short unique name such as id: mill-1");
    entry.id = where;
  } else if (!id.IsScalar() || !validMachineId(id.Scalar())) {
    m_diags.add(id, "machine id must be 1-64 letters, digits, '-' or '_'");
    entry.id = where;
  } else {
    entry.id = id.Scalar();
    if (!m_ids.insert(entry.id).second) {
      m_diags.add(id, "duplicate machine id '" + entry.id + "'");
    }
  }
  if (const YAML::Node enabled = block["enabled"]) {
    config::readValue(enabled, entry.enabled, m_diags, "'enabled' in machine '" + entry.id + "'");
  }
  const YAML::Node type = block["type"];
  if (!type && reportMistypedTypeKey(block, entry.id)) return;
  if (!type || !type.IsScalar()) {
    m_diags.add(type ? type : block, "missing collector 'type' in machine '" + entry.id + "'",
                "one of: " + m_knownTypes);
    return;
  }
  entry.type = type.Scalar();
  const collectors::CollectorInfo* info = m_registry.find(entry.type);
  if (info == nullptr) {
    const std::string guess = config::closestMatch(entry.type, m_registry.names());
    m_diags.add(type, "unknown collector type '" + entry.type + "' in machine '" + entry.id + "'",
                guess.empty() ? "available: " + m_knownTypes : "did you mean '" + guess + "'?");
    return;
  }
  entry.options = info->load(block, entry.id, m_diags);
  entry.settings = control::canonicalYaml(block);
  entry.blockText = YAML::Dump(block) + "\n";
  loadScript(block, entry);
  checkScript(*info, block, entry);
  out.machines.push_back(std::move(entry));
}

// What the collector would refuse at start (a Modbus machine whose script names no registers),
// and writes to a collector that cannot write, said now. Skipped when the options or the
// script already failed: that problem is reported.
void MachineLoader::checkScript(const collectors::CollectorInfo& info, const YAML::Node& block,
                                const MachineEntry& entry) {
  if (!entry.options.has_value()) return;
  if (!entry.script && entry.scriptName != "none") return;
  const YAML::Node at = block["script"] ? block["script"] : block;
  if (entry.script && !entry.script->writes().empty() && !info.writes) {
    m_diags.add(at,
                "the script of machine '" + entry.id + "' has writes, and the " + entry.type +
                    " collector cannot write to its machine",
                "writes: is for machines whose collector writes (modbus_tcp, focas)");
  }
  if (!info.checkScript) return;
  if (auto checked = info.checkScript(entry.options, entry.script.get()); !checked) {
    m_diags.add(at, "machine '" + entry.id + "': " + checked.error().message());
  }
}

// Without a `type` key, a key that is a misspelling of it ("typ", "tpye") is what the user meant:
// name it rather than only saying that `type` is missing.
bool MachineLoader::reportMistypedTypeKey(const YAML::Node& block, const std::string& id) {
  static const std::vector<std::string> kType{"type"};
  for (const auto& kv : block) {
    if (!kv.first.IsScalar()) continue;
    const std::string& key = kv.first.Scalar();
    if (config::closestMatch(key, kType).empty()) continue;
    m_diags.add(kv.first, "unknown key '" + key + "' in machine '" + id + "'",
                "did you mean 'type'? one of: " + m_knownTypes);
    return true;
  }
  return false;
}

// `script: FILE` (relative to the configuration's folder), `script: store:NAME@VERSION`,
// `script: none`, or nothing for the collector type's default script.
void MachineLoader::loadScript(const YAML::Node& block, MachineEntry& entry) {
  const YAML::Node node = block["script"];
  if (!node) {
    loadDefaultScript(block, entry);
    return;
  }
  if (!node.IsScalar() || node.Scalar().empty()) {
    m_diags.add(node, "'script' in machine '" + entry.id + "' must be a file name or none",
                "for example script: scripts/mill-1.yaml");
    return;
  }
  if (node.Scalar() == "none") {
    entry.scriptName = "none";
    return;
  }
  if (transform::store::namesStoreScript(node.Scalar())) {
    loadStoreScript(node, entry);
    return;
  }
  fs::path path(node.Scalar());
  if (path.is_relative() && !m_options.baseDir.empty()) path = fs::path(m_options.baseDir) / path;
  loadScriptFile(node, path.string(), entry);
}

void MachineLoader::loadDefaultScript(const YAML::Node& block, MachineEntry& entry) {
  if (transform::defaultScriptText(entry.type) == nullptr) {
    entry.scriptName = "none";
    return;
  }
  const std::string name = "default " + entry.type + " script";
  auto [it, first] = m_scripts.try_emplace(name);
  if (first) {
    auto script = transform::loadDefaultScript(entry.type);
    if (script) {
      it->second.script = std::move(*script);
    } else {
      it->second.failed = true;
      m_diags.add(block, "the " + name + " does not compile: " + script.error().describe());
    }
  }
  entry.script = it->second.script;
  entry.scriptName = name;
}

void MachineLoader::loadScriptFile(const YAML::Node& node, const std::string& path,
                                   MachineEntry& entry) {
  const bool remote = m_options.remote != nullptr;
  if (remote && !insideScriptFolder(node, path, entry)) return;
  auto [it, first] = m_scripts.try_emplace(path);
  if (first) {
    std::error_code ec;
    std::ifstream in;
    if (!remote || fs::is_regular_file(path, ec)) in.open(path, std::ios::binary);
    if (!in) {
      m_scripts.erase(it);  // each machine naming it hears about it
      m_diags.add(node, "cannot read script " + path + " of machine '" + entry.id + "'",
                  remote ? "the file must be in the script folder (control.script_dir)"
                         : "check the path; relative paths start at the configuration file's "
                           "folder");
      return;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto compiled = transform::compileScriptDiagnostics(text.str(), path);
    for (const auto& item : compiled.diagnostics.items()) {
      if (remote) {
        // The file was read on the cloud's word: its text stays on the edge.
        m_diags.addItem({item.file, item.line, item.column, "the script has a problem here",
                         "details stay on the edge: run `spindle validate` there"});
      } else {
        m_diags.addItem(item);
      }
    }
    it->second.script = std::move(compiled.script);
    it->second.failed = it->second.script == nullptr;
  }
  entry.script = it->second.script;
  entry.scriptName = path;
}

// A store script is signed by the store's publisher, so a configuration from the cloud may name
// any (no script folder applies) and its problems are reported in full.
void MachineLoader::loadStoreScript(const YAML::Node& node, MachineEntry& entry) {
  const std::string& written = node.Scalar();
  auto ref = transform::store::parseScriptRef(written);
  if (!ref) {
    m_diags.add(node, "'script' in machine '" + entry.id + "': " + ref.error().describe(),
                "a store script is named store:NAME@VERSION, e.g. store:haas-ngc@3, or "
                "store:NAME for the store's highest version");
    return;
  }
  if (m_options.store == nullptr) {
    m_diags.add(node,
                "machine '" + entry.id + "' names the store script " + written +
                    ", and no adapter store is configured",
                "add an adapter_store: section with the store's url and keys "
                "(docs/configuration.md)");
    return;
  }
  auto [it, first] = m_scripts.try_emplace(written);
  if (first) {
    auto got = m_options.store->script(*ref);
    if (!got) {
      m_scripts.erase(it);  // each machine naming it hears about it
      m_diags.add(node, "cannot get script " + written + " of machine '" + entry.id +
                            "': " + got.error().describe());
      return;
    }
    const std::string name = "store:" + ref->name + "@" + got->version;
    auto compiled = transform::compileScriptDiagnostics(got->text, name);
    for (const auto& item : compiled.diagnostics.items()) m_diags.addItem(item);
    it->second.script = std::move(compiled.script);
    it->second.text = std::make_shared<const std::string>(std::move(got->text));
    it->second.failed = it->second.script == nullptr;
    m_storeNames[written] = name;
  }
  entry.script = it->second.script;
  entry.scriptText = it->second.text;
  entry.scriptName = m_storeNames[written];
}

bool MachineLoader::insideScriptFolder(const YAML::Node& node, const std::string& path,
                                       MachineEntry& entry) {
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(fs::absolute(m_options.remote->scriptDir, ec), ec);
  const fs::path file = fs::weakly_canonical(fs::absolute(path, ec), ec);
  const fs::path inside = file.lexically_relative(dir);
  if (!ec && !dir.empty() && !inside.empty() && *inside.begin() != ".." && inside != ".") {
    return true;
  }
  m_diags.add(node,
              "script '" + node.Scalar() + "' of machine '" + entry.id +
                  "' is outside the script folder " + dir.string(),
              "a configuration from the cloud may name only scripts in control.script_dir, or "
              "leave script: out for the collector's default script");
  return false;
}

}  // namespace spindle::app
