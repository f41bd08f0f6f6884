#include "app/spindle_config.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "app/machine_loader.hpp"
#include "app/remote_config.hpp"
#include "config/yaml_checks.hpp"
#include "config/yaml_nesting.hpp"
#include "model/item_catalog.hpp"
#include "transform/store/https_fetcher.hpp"

namespace spindle::app {
namespace {

const std::vector<std::string> kTopLevelKeys{
    "edge", "state",     "journal",  "output",        "net",           "https",
    "web",  "simulator", "machines", "crash_reports", "adapter_store", "uploads"};
const std::vector<std::string> kCloudKeys{"uplinks", "control", "update"};  // app/cloud_config.cpp

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

// Stands in for an adapter store whose section has problems: they are reported, and the
// machines naming store scripts say why they have none.
class BrokenStore final : public transform::store::ScriptSource {
 public:
  Result<transform::store::StoreScript> script(const transform::store::ScriptRef&) override {
    return Error(ErrorCode::kInvalidArgument, "the adapter_store section has problems (above)");
  }
  std::vector<std::string> warnings() const override { return {}; }
  std::vector<std::string> notes() const override { return {}; }
};

// The `adapter_store:` section, and the store `store:` scripts come from during this load:
// the caller's, or one opened here (owned by `opened`). Null when there is neither; a
// BrokenStore when the section has problems (reported).
transform::store::ScriptSource* openStore(const YAML::Node& root, SpindleConfig& cfg,
                                          const LoadOptions& options, config::Diagnostics& diags,
                                          std::unique_ptr<transform::store::ScriptSource>& opened) {
  const YAML::Node block = root["adapter_store"];
  if (!block) return options.store;
  const std::size_t before = diags.size();
  transform::store::StoreOptions store;
  transform::store::optionTable().load(block, store, diags, "adapter_store");
  if (diags.size() != before || !transform::store::validate(store, block, diags)) {
    opened = std::make_unique<BrokenStore>();
    return opened.get();
  }
  cfg.adapterStore = store;
  if (options.store != nullptr) return options.store;
  auto made = transform::store::openAdapterStore(store, cfg.edge.dataDir, cfg.https, cfg.net,
                                                 cfg.edge.id, options.storeAccess);
  if (!made) {
    diags.add(block, "adapter_store: " + made.error().describe());
    opened = std::make_unique<BrokenStore>();
    return opened.get();
  }
  opened = std::move(*made);
  return opened.get();
}

}  // namespace

const config::OptionTable<EdgeOptions>& edgeOptionTable() {
  static const auto table = [] {
    config::OptionTable<EdgeOptions> t;
    t.optional("id", &EdgeOptions::id, "spindle-edge", "this edge's name in the cloud and logs");
    t.optional("data_dir", &EdgeOptions::dataDir, "spindle-data",
               "directory for everything Spindle stores; relative paths are from the "
               "working directory");
    t.optional("threads", &EdgeOptions::threads, "1",
               "network threads shared by all collectors and the web interfaces; one costs the "
               "least (no hand-over between threads); raise it when io-1 keeps most of a core "
               "busy",
               {"1", "64"});
    t.optional("status_interval", &EdgeOptions::statusInterval, "10s",
               "how often a one-line status per machine is logged; 0s turns it off", {"0s", ""});
    return t;
  }();
  return table;
}

const config::OptionTable<StateOptions>& stateOptionTable() {
  static const auto table = [] {
    config::OptionTable<StateOptions> t;
    t.optional("ring_size", &StateOptions::ringSize, "8192",
               "recent observations kept in memory, with sequence numbers", {"1", "16777216"});
    t.optional("ring_memory", &StateOptions::ringMemory, "1MiB",
               "memory those recent observations may hold, their texts and documents "
               "included (about 72 bytes for a number); beyond it the oldest go first",
               {"64KiB", "16GiB"});
    t.optional("queue_size", &StateOptions::queueSize, "65536",
               "observations waiting between collectors and uplinks; when full, collectors "
               "stop reading until there is room",
               {"1", "16777216"});
    t.optional("queue_memory", &StateOptions::queueMemory, "2MiB",
               "memory the observations waiting may hold, their texts and documents included "
               "(about 64 bytes for a number); when full, collectors stop reading until there "
               "is room",
               {"64KiB", "16GiB"});
    return t;
  }();
  return table;
}

const config::OptionTable<SimulatorOptions>& simulatorOptionTable() {
  static const auto table = [] {
    config::OptionTable<SimulatorOptions> t;
    t.optional("enabled", &SimulatorOptions::enabled, "false",
               "serve simulated SHDR machines from this process (demo and tests)");
    t.optional("machines", &SimulatorOptions::machines, "3", "how many machines to simulate",
               {"1", "1000"});
    t.optional("bind", &SimulatorOptions::bind, "127.0.0.1", "address the simulator listens on");
    t.optional("base_port", &SimulatorOptions::basePort, "17878",
               "port of the first machine; the others follow");
    t.optional("seed", &SimulatorOptions::seed, "1", "random seed: same seed, same behaviour",
               {"0", ""});
    t.optional("tick", &SimulatorOptions::tick, "100ms", "simulation step", {"1ms", "1h"});
    t.optional("flaky_machine", &SimulatorOptions::flakyMachine, "-1",
               "index of a machine that drops its connection now and then; -1 for none",
               {"-1", "999"});
    t.optional("time_scale", &SimulatorOptions::timeScale, "1.0", "speeds the simulation up",
               {"0.001", "1000"});
    t.optional("names", &SimulatorOptions::names, "mill-1, mill-2, ...", "machine names");
    return t;
  }();
  return table;
}

LoadResult loadConfigText(const std::string& text, const std::string& name,
                          const collectors::Registry& registry, const std::string& baseDir,
                          transform::store::StoreAccess storeAccess) {
  if (const auto deep = config::findDeepNesting(text)) {
    LoadResult result{std::nullopt, config::Diagnostics(name)};
    result.diagnostics.addAt(
        deep->line, deep->column,
        "the configuration nests deeper than " + std::to_string(config::kMaxYamlDepth) + " levels",
        "an unclosed '[' or '{', or a runaway '- - -'?");
    return result;
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    LoadResult result{std::nullopt, config::Diagnostics(name)};
    result.diagnostics.addAt(e.mark.line + 1, e.mark.column + 1, "YAML syntax error: " + e.msg);
    return result;
  }
  return loadConfigRoot(root, text, name, registry,
                        LoadOptions{baseDir, nullptr, nullptr, storeAccess});
}

LoadResult loadConfigRoot(const YAML::Node& root, const std::string& text, const std::string& name,
                          const collectors::Registry& registry, const LoadOptions& options) {
  LoadResult result{std::nullopt, config::Diagnostics(name), text};
  auto& diags = result.diagnostics;
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
  config::checkDuplicateKeys(root, diags, text.size() * 16 + 1024);
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), key) == kTopLevelKeys.end() &&
        std::find(kCloudKeys.begin(), kCloudKeys.end(), key) == kCloudKeys.end()) {
      const std::string guess = config::closestMatch(key, kTopLevelKeys);
      diags.add(
          kv.first, "unknown section '" + key + "'",
          guess.empty()
              ? "sections: edge, state, journal, uplinks, net, https, web, simulator, machines, "
                "control, update, crash_reports, adapter_store, uploads"
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
  cfg.uplinks = uplinks::loadUplinks(root, uplinks::builtinUplinks(), diags, cfg.warnings);
  if (root["net"]) {
    const std::size_t before = diags.size();
    net::optionTable().load(root["net"], cfg.net, diags, "net");
    if (diags.size() == before) net::validate(cfg.net, root["net"], diags);
  }
  if (root["https"]) {
    const std::size_t before = diags.size();
    net::http::httpsOptionTable().load(root["https"], cfg.https, diags, "https");
    if (diags.size() == before) net::http::validate(cfg.https, root["https"], diags);
  }
  if (root["crash_reports"]) {
    const std::size_t before = diags.size();
    control::crash::crashReportOptionTable().load(root["crash_reports"], cfg.crashReports, diags,
                                                  "crash_reports");
    if (diags.size() == before) {
      control::crash::validate(cfg.crashReports, root["crash_reports"], diags);
    }
  }
  if (root["uploads"]) {
    const std::size_t before = diags.size();
    upload::UploadOptions uploads;
    upload::optionTable().load(root["uploads"], uploads, diags, "uploads");
    if (diags.size() == before && upload::validate(uploads, root["uploads"], diags)) {
      cfg.uploads = uploads;
    }
  }
  if (root["web"]) {
    const std::size_t before = diags.size();
    web::webOptionTable().load(root["web"], cfg.web, diags, "web", {"management"});
    if (diags.size() == before) web::validate(cfg.web, root["web"], diags);
    if (const YAML::Node block = root["web"]["management"]; root["web"].IsMap() && block) {
      const std::size_t at = diags.size();
      web::management::optionTable().load(block, cfg.management, diags, "web.management");
      if (diags.size() == at) web::management::validate(cfg.management, block, diags);
    }
  }
  if (root["simulator"]) {
    simulatorOptionTable().load(root["simulator"], cfg.simulator, diags, "simulator");
  }
  loadCloudSections(root, cfg.uplinks, cfg.cloud, diags);
  std::unique_ptr<transform::store::ScriptSource> openedStore;
  LoadOptions machineOptions = options;
  machineOptions.store = openStore(root, cfg, options, diags, openedStore);
  const YAML::Node machines = root["machines"];
  if (!machines) {
    diags.add(root, "no 'machines' section",
              "list the machines to collect from; see docs/configuration.md");
  } else if (!machines.IsSequence()) {
    diags.add(machines, "'machines' must be a list (each item starts with '- id: ...')");
  } else {
    MachineLoader loader(registry, machineOptions, diags);
    std::size_t index = 0;
    for (const auto& block : machines) loader.load(block, index++, cfg);
    if (machines.size() > model::ItemCatalog::kMaxMachines) {
      diags.add(machines, "the configuration lists " + std::to_string(machines.size()) +
                              " machines; an edge holds at most " +
                              std::to_string(model::ItemCatalog::kMaxMachines));
    }
  }
  if (machineOptions.store != nullptr) {
    for (auto& w : machineOptions.store->warnings()) cfg.warnings.push_back(std::move(w));
    cfg.notes = machineOptions.store->notes();
  }
  if (options.remote != nullptr) checkRemoteHosts(root, options.remote->hosts, diags);
  if (diags.empty()) result.config = std::move(cfg);
  return result;
}

LoadResult loadConfigFile(const std::string& path, const collectors::Registry& registry,
                          transform::store::StoreAccess storeAccess) {
  std::ifstream in(path);
  if (!in) {
    LoadResult result{std::nullopt, config::Diagnostics(path)};
    result.diagnostics.addAt(0, 0, "cannot read the file", "check the path and permissions");
    return result;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return loadConfigText(buffer.str(), path, registry,
                        std::filesystem::path(path).parent_path().string(), storeAccess);
}

}  // namespace spindle::app
