#include "app/spindle_config.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/yaml_nesting.hpp"
#include "transform/script_loader.hpp"

namespace spindle::app {
namespace {

const std::vector<std::string> kTopLevelKeys{"edge", "state", "journal",   "output",
                                             "net",  "web",   "simulator", "machines"};
const std::vector<std::string> kCloudKeys{"uplinks", "control"};  // app/cloud_config.cpp

// The journal's keys that need more than their type checked: the fsync spelling and the
// relations between sizes. Messages point at the key they are about.
void checkJournal(const YAML::Node& block, const SpindleConfig& cfg, config::Diagnostics& diags) {
  auto settings = journal::resolveSettings(cfg.journal, cfg.edge.dataDir);
  if (settings) return;
  const std::string& message = settings.error().message();
  std::string key = "fsync";
  for (const char* candidate : {"segment_size", "max_size", "max_age", "send_batch", "retry_min"}) {
    if (message.find(std::string("journal.") + candidate) != std::string::npos) key = candidate;
  }
  const YAML::Node node = block && block[key] ? block[key] : block;
  diags.add(node, (key == "fsync" ? "journal.fsync: " : "") + message);
}

bool validMachineId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// The machine's adapter script: `script: FILE` (relative to the configuration's folder),
// `script: none`, or nothing for the collector type's default script.
void loadScript(const YAML::Node& block, const std::string& baseDir, MachineEntry& entry,
                config::Diagnostics& diags) {
  const YAML::Node node = block["script"];
  if (!node) {
    if (transform::defaultScriptText(entry.type) == nullptr) {
      entry.scriptName = "none";
      return;
    }
    auto script = transform::loadDefaultScript(entry.type);
    if (!script) {
      diags.add(block, "the default " + entry.type +
                           " script does not compile: " + script.error().describe());
      return;
    }
    entry.script = std::move(*script);
    entry.scriptName = "default " + entry.type + " script";
    return;
  }
  if (!node.IsScalar() || node.Scalar().empty()) {
    diags.add(node, "'script' in machine '" + entry.id + "' must be a file name or none",
              "for example script: scripts/mill-1.yaml");
    return;
  }
  if (node.Scalar() == "none") {
    entry.scriptName = "none";
    return;
  }
  std::filesystem::path path(node.Scalar());
  if (path.is_relative() && !baseDir.empty()) path = std::filesystem::path(baseDir) / path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.add(node, "cannot read script " + path.string() + " of machine '" + entry.id + "'",
              "check the path; relative paths start at the configuration file's folder");
    return;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto compiled = transform::compileScriptDiagnostics(text.str(), path.string());
  for (const auto& item : compiled.diagnostics.items()) diags.addItem(item);
  entry.script = std::move(compiled.script);
  entry.scriptName = path.string();
}

void loadMachine(const YAML::Node& block, size_t index, const collectors::Registry& registry,
                 const std::string& baseDir, std::set<std::string>& ids, SpindleConfig& out,
                 config::Diagnostics& diags) {
  const std::string where = "machines[" + std::to_string(index) + "]";
  if (!block.IsMap()) {
    diags.add(block, where + " must be a map with id, type and the collector's options");
    return;
  }
  MachineEntry entry;
  const YAML::Node id = block["id"];
  if (!id) {
    diags.add(block, "missing required key 'id' in " + where,
              "a short unique name such as id: mill-1");
    entry.id = where;
  } else if (!id.IsScalar() || !validMachineId(id.Scalar())) {
    diags.add(id, "machine id must be 1-64 letters, digits, '-' or '_'");
    entry.id = where;
  } else {
    entry.id = id.Scalar();
    if (!ids.insert(entry.id).second) diags.add(id, "duplicate machine id '" + entry.id + "'");
  }
  if (const YAML::Node enabled = block["enabled"]) {
    config::readValue(enabled, entry.enabled, diags, "'enabled' in machine '" + entry.id + "'");
  }
  const YAML::Node type = block["type"];
  const std::string known = [&] {
    std::string s;
    for (const auto& n : registry.names()) s += (s.empty() ? "" : ", ") + n;
    return s;
  }();
  if (!type || !type.IsScalar()) {
    diags.add(type ? type : block, "missing collector 'type' in machine '" + entry.id + "'",
              "one of: " + known);
    return;
  }
  entry.type = type.Scalar();
  const collectors::CollectorInfo* info = registry.find(entry.type);
  if (info == nullptr) {
    const std::string guess = config::closestMatch(entry.type, registry.names());
    diags.add(type, "unknown collector type '" + entry.type + "' in machine '" + entry.id + "'",
              guess.empty() ? "available: " + known : "did you mean '" + guess + "'?");
    return;
  }
  entry.collector = info->create(block, entry.id, diags);
  loadScript(block, baseDir, entry, diags);
  out.machines.push_back(std::move(entry));
}

}  // namespace

const config::OptionTable<EdgeOptions>& edgeOptionTable() {
  static const auto table = [] {
    config::OptionTable<EdgeOptions> t;
    t.optional("id", &EdgeOptions::id, "spindle-edge", "this edge's name in the cloud and logs");
    t.optional("data_dir", &EdgeOptions::dataDir, "spindle-data",
               "directory for everything Spindle stores; relative paths are from the "
               "working directory");
    t.optional("threads", &EdgeOptions::threads, "2", "network threads for all collectors");
    t.optional("status_interval", &EdgeOptions::statusInterval, "10s",
               "how often a one-line status per machine is logged; 0s turns it off");
    return t;
  }();
  return table;
}

const config::OptionTable<StateOptions>& stateOptionTable() {
  static const auto table = [] {
    config::OptionTable<StateOptions> t;
    t.optional("ring_size", &StateOptions::ringSize, "8192", "recent observations kept in memory");
    t.optional("queue_size", &StateOptions::queueSize, "65536",
               "observations waiting between collectors and uplinks; when full, collectors "
               "stop reading until there is room");
    return t;
  }();
  return table;
}

const config::OptionTable<SimulatorOptions>& simulatorOptionTable() {
  static const auto table = [] {
    config::OptionTable<SimulatorOptions> t;
    t.optional("enabled", &SimulatorOptions::enabled, "false",
               "serve simulated SHDR machines from this process (demo and tests)");
    t.optional("machines", &SimulatorOptions::machines, "3", "how many machines to simulate");
    t.optional("bind", &SimulatorOptions::bind, "127.0.0.1", "address the simulator listens on");
    t.optional("base_port", &SimulatorOptions::basePort, "17878",
               "port of the first machine; the others follow");
    t.optional("seed", &SimulatorOptions::seed, "1", "random seed: same seed, same behaviour");
    t.optional("tick", &SimulatorOptions::tick, "100ms", "simulation step");
    t.optional("flaky_machine", &SimulatorOptions::flakyMachine, "-1",
               "index of a machine that drops its connection now and then; -1 for none");
    t.optional("time_scale", &SimulatorOptions::timeScale, "1.0", "speeds the simulation up");
    t.optional("names", &SimulatorOptions::names, "mill-1, mill-2, ...", "machine names");
    return t;
  }();
  return table;
}

LoadResult loadConfigText(const std::string& text, const std::string& name,
                          const collectors::Registry& registry, const std::string& baseDir) {
  LoadResult result{std::nullopt, config::Diagnostics(name)};
  auto& diags = result.diagnostics;
  if (const auto deep = config::findDeepNesting(text)) {
    diags.addAt(
        deep->line, deep->column,
        "the configuration nests deeper than " + std::to_string(config::kMaxYamlDepth) + " levels",
        "an unclosed '[' or '{', or a runaway '- - -'?");
    return result;
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    diags.addAt(e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
    return result;
  }
  SpindleConfig cfg;
  cfg.source = name;
  if (root.IsNull()) {
    diags.addAt(1, 1, "the configuration is empty",
                "start from `spindle run --demo` or docs/configuration.md");
    return result;
  }
  if (!root.IsMap()) {
    diags.add(root, "the configuration must be a map of sections (edge, machines, ...)");
    return result;
  }
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), key) == kTopLevelKeys.end() &&
        std::find(kCloudKeys.begin(), kCloudKeys.end(), key) == kCloudKeys.end()) {
      const std::string guess = config::closestMatch(key, kTopLevelKeys);
      diags.add(kv.first, "unknown section '" + key + "'",
                guess.empty()
                    ? "sections: edge, state, journal, output, net, web, simulator, machines"
                    : "did you mean '" + guess + "'?");
    }
  }
  if (root["edge"]) edgeOptionTable().load(root["edge"], cfg.edge, diags, "edge");
  if (root["state"]) stateOptionTable().load(root["state"], cfg.state, diags, "state");
  if (root["journal"]) {
    const std::size_t before = diags.size();
    journal::optionTable().load(root["journal"], cfg.journal, diags, "journal");
    if (diags.size() == before) checkJournal(root["journal"], cfg, diags);
  }
  if (root["output"])
    uplinks::file::optionTable().load(root["output"], cfg.output, diags, "output");
  if (root["net"]) {
    const std::size_t before = diags.size();
    net::optionTable().load(root["net"], cfg.net, diags, "net");
    if (diags.size() == before) net::validate(cfg.net, root["net"], diags);
  }
  if (root["web"]) {
    const std::size_t before = diags.size();
    web::webOptionTable().load(root["web"], cfg.web, diags, "web");
    if (diags.size() == before) web::validate(cfg.web, root["web"], diags);
  }
  if (root["simulator"]) {
    simulatorOptionTable().load(root["simulator"], cfg.simulator, diags, "simulator");
  }
  loadCloudSections(root, text, cfg.cloud, diags);
  if (cfg.edge.threads < 1 || cfg.edge.threads > 64) {
    diags.add(root["edge"]["threads"], "edge.threads must be between 1 and 64");
  }
  const YAML::Node machines = root["machines"];
  if (!machines) {
    diags.add(root, "no 'machines' section",
              "list the machines to collect from; see docs/configuration.md");
  } else if (!machines.IsSequence()) {
    diags.add(machines, "'machines' must be a list (each item starts with '- id: ...')");
  } else {
    std::set<std::string> ids;
    for (size_t i = 0; i < machines.size(); ++i) {
      loadMachine(machines[i], i, registry, baseDir, ids, cfg, diags);
    }
  }
  if (diags.empty()) result.config = std::move(cfg);
  return result;
}

LoadResult loadConfigFile(const std::string& path, const collectors::Registry& registry) {
  std::ifstream in(path);
  if (!in) {
    LoadResult result{std::nullopt, config::Diagnostics(path)};
    result.diagnostics.addAt(0, 0, "cannot read the file", "check the path and permissions");
    return result;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return loadConfigText(buffer.str(), path, registry,
                        std::filesystem::path(path).parent_path().string());
}

}  // namespace spindle::app
