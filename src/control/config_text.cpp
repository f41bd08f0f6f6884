#include "control/config_text.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <yaml-cpp/yaml.h>

#include "base/redact.hpp"

namespace spindle::control {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void redactNode(YAML::Node node) {
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.as<std::string>("");
      YAML::Node value = it->second;
      if (isSecretKey(key) && !value.IsNull()) {
        value = std::string(kRedacted);
      } else {
        redactNode(value);
      }
    }
  } else if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) redactNode(node[i]);
  } else if (node.IsScalar()) {
    const std::string text = node.Scalar();
    const std::string clean = redactUrl(text);
    if (clean != text) node = std::string(clean);
  }
}

}  // namespace

bool sameYaml(const YAML::Node& a, const YAML::Node& b) {
  if (a.Type() != b.Type()) return false;
  switch (a.Type()) {
    case YAML::NodeType::Scalar:
      return a.Scalar() == b.Scalar();
    case YAML::NodeType::Sequence:
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!sameYaml(a[i], b[i])) return false;
      }
      return true;
    case YAML::NodeType::Map: {
      if (a.size() != b.size()) return false;
      for (const auto& kv : a) {
        const YAML::Node other = b[kv.first.Scalar()];
        if (!other || !sameYaml(kv.second, other)) return false;
      }
      return true;
    }
    default:
      return true;  // null / undefined
  }
}

namespace {

void appendCanonical(const YAML::Node& node, std::string& out) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out += std::to_string(node.Scalar().size());
      out += ':';
      out += node.Scalar();
      return;
    case YAML::NodeType::Sequence:
      out += '[';
      for (const auto& item : node) appendCanonical(item, out);
      out += ']';
      return;
    case YAML::NodeType::Map: {
      // sameYaml() looks up b's keys by their text: a repeated key counts once.
      std::map<std::string, YAML::Node> sorted;
      for (const auto& kv : node) sorted.emplace(kv.first.Scalar(), kv.second);
      out += '{';
      for (const auto& [key, value] : sorted) {
        out += std::to_string(key.size());
        out += ':';
        out += key;
        appendCanonical(value, out);
      }
      out += '}';
      return;
    }
    default:
      out += '~';  // null and undefined compare equal
  }
}

std::map<std::string, YAML::Node> machinesById(const YAML::Node& root) {
  std::map<std::string, YAML::Node> out;
  const YAML::Node machines = root["machines"];
  if (!machines || !machines.IsSequence()) return out;
  for (std::size_t i = 0; i < machines.size(); ++i) {
    const YAML::Node m = machines[i];
    if (m.IsMap() && m["id"] && m["id"].IsScalar()) out[m["id"].Scalar()] = m;
  }
  return out;
}

}  // namespace

std::string canonicalYaml(const YAML::Node& node) {
  std::string out;
  appendCanonical(node, out);
  return out;
}

bool isSecretKey(const std::string& key) {
  static const std::set<std::string> kNames{"password", "passphrase",  "token",   "secret",
                                            "seed",     "private_key", "api_key", "passwd"};
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return kNames.count(lower) > 0 || endsWith(lower, "_password") || endsWith(lower, "_token") ||
         endsWith(lower, "_secret");
}

std::string redactConfig(const std::string& yaml) {
  try {
    YAML::Node root = YAML::Load(yaml);
    redactNode(root);
    YAML::Emitter out;
    out << root;
    return std::string(out.c_str()) + "\n";
  } catch (const YAML::Exception&) {
    return "# the configuration text does not parse; withheld so no secret can leak\n";
  }
}

Result<ConfigDiff> diffConfigs(const std::string& oldYaml, const std::string& newYaml) {
  YAML::Node a, b;
  try {
    a = YAML::Load(oldYaml);
    b = YAML::Load(newYaml);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, e.what()).with("comparing configurations");
  }
  ConfigDiff diff;
  std::set<std::string> sections;
  auto collect = [&](const YAML::Node& n) {
    if (!n.IsMap()) return;
    for (const auto& kv : n) sections.insert(kv.first.Scalar());
  };
  collect(a);
  collect(b);
  for (const auto& s : sections) {
    if (s == "machines") continue;
    const YAML::Node x = a.IsMap() ? a[s] : YAML::Node();
    const YAML::Node y = b.IsMap() ? b[s] : YAML::Node();
    if (!x || !y || !sameYaml(x, y)) diff.sections.push_back(s);
  }
  const auto before = machinesById(a);
  const auto after = machinesById(b);
  for (const auto& [id, node] : after) {
    auto it = before.find(id);
    if (it == before.end()) {
      diff.added.push_back(id);
    } else if (!sameYaml(it->second, node)) {
      diff.changed.push_back(id);
    }
  }
  for (const auto& [id, node] : before) {
    if (!after.count(id)) diff.removed.push_back(id);
  }
  return diff;
}

}  // namespace spindle::control
