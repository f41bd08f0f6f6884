// Loading scripts: generators, variables and their operation chains, dependency order.

#include <algorithm>
#include <charconv>
#include <cmath>

#include "transform/script_loader_impl.hpp"

namespace spindle::transform {
namespace {

class LoaderContext final : public OpLoadContext {
 public:
  LoaderContext(ScriptLoader& loader, bool thisAllowed)
      : OpLoadContext(loader.diagnostics()), m_loader(loader), m_this(thisAllowed) {}
  std::optional<Expression> expression(const YAML::Node& node, bool allowThis) override {
    return m_loader.expression(node, allowThis);
  }
  std::optional<Duration> duration(const YAML::Node& node, const std::string& what) override {
    return m_loader.duration(node, what);
  }
  std::optional<double> number(const YAML::Node& node, const std::string& what) override {
    return m_loader.number(node, what);
  }
  OperationList chain(const YAML::Node& list, const std::string& where) override {
    return m_loader.chain(list, where, true);
  }
  bool thisAllowed() const override { return m_this; }

 private:
  ScriptLoader& m_loader;
  bool m_this;
};

std::vector<std::string> operationNames() {
  std::vector<std::string> names;
  for (const auto& t : operationTypes()) names.emplace_back(t.name);
  return names;
}

}  // namespace

std::optional<Expression> ScriptLoader::expression(const YAML::Node& node, bool allowThis) {
  if (!node.IsScalar()) {
    m_diag.add(node,
               std::string("expected an expression, not ") + (node.IsMap()        ? "a map"
                                                              : node.IsSequence() ? "a list"
                                                                                  : "nothing"),
               "quote expressions that start with a special character");
    return std::nullopt;
  }
  CompileError error;
  auto e = Expression::compile(node.Scalar(), m_symbols, allowThis, error);
  if (!e) {
    const auto [line, column] = position(node, error.offset);
    m_diag.addAt(line, column, error.message + " in '" + node.Scalar() + "'", error.hint);
  }
  return e;
}

std::optional<double> ScriptLoader::number(const YAML::Node& node, const std::string& what) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    double v = 0;
    const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
    auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(v)) return v;
  }
  m_diag.add(node, what + " must be a number" +
                       (node.IsScalar() ? ", not '" + node.Scalar() + "'" : std::string()));
  return std::nullopt;
}

std::optional<Duration> ScriptLoader::duration(const YAML::Node& node, const std::string& what) {
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    double seconds = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
    if (ec == std::errc() && ptr == s.data() + s.size()) {
      if (seconds < 0 || seconds > 1e9) {
        m_diag.add(node, what + " must be from 0 to 1e9 seconds");
        return std::nullopt;
      }
      return Duration(static_cast<Duration::rep>(std::llround(seconds * 1e9)));
    }
    auto d = parseDuration(s);
    if (d) {
      if (d->count() < 0) {
        m_diag.add(node, what + " cannot be negative");
        return std::nullopt;
      }
      return *d;
    }
  }
  m_diag.add(node, what + " must be a number of seconds or a duration like 1.5s or 250ms" +
                       (node.IsScalar() ? ", not '" + node.Scalar() + "'" : std::string()));
  return std::nullopt;
}

OperationList ScriptLoader::chain(const YAML::Node& list, const std::string& where,
                                  bool firstHasThis) {
  OperationList ops;
  std::size_t index = 0;
  for (const auto& item : list) {
    YAML::Node nameNode;
    YAML::Node param;
    if (item.IsScalar()) {
      nameNode.reset(item);
    } else if (item.IsMap() && item.size() == 1) {
      const auto kv = *item.begin();
      nameNode.reset(kv.first);
      param.reset(kv.second);
    } else {
      m_diag.add(item, "an operation is written '- name' or '- name: parameter'",
                 item.IsMap() ? "this map has " + std::to_string(item.size()) +
                                    " keys; did you forget a '-'?"
                              : "");
      ++index;
      continue;
    }
    const std::string name = nameNode.Scalar();
    const OperationType* type = findOperationType(name);
    if (type == nullptr) {
      const std::string guess = config::closestMatch(name, operationNames());
      m_diag.add(nameNode, "unknown operation '" + name + "' in " + where,
                 guess.empty() ? "see docs/scripts.md for the operations"
                               : "did you mean '" + guess + "'?");
      ++index;
      continue;
    }
    const bool hasThis = firstHasThis || index > 0;
    if (!hasThis && !type->starts) {
      m_diag.add(nameNode, where + " cannot start with '" + name + "'",
                 "begin the chain with source, expression or state: '" + name +
                     "' works on the previous result");
      ++index;
      continue;
    }
    LoaderContext ctx(*this, hasThis);
    if (auto op = type->load(param, ctx)) ops.push_back(std::move(op));
    ++index;
  }
  return ops;
}

void ScriptLoader::declareGenerators(const YAML::Node& section) {
  if (!section || section.IsNull()) return;
  if (!section.IsMap()) {
    m_diag.add(section, "generators must be a map of name: {type: ...}");
    return;
  }
  for (const auto& kv : section) declare(kv.first.Scalar(), kv.first);
}

void ScriptLoader::declareVariables(const YAML::Node& section) {
  if (!section || section.IsNull()) return;
  if (!section.IsMap()) {
    m_diag.add(section, "variables must be a map of name: list of operations");
    return;
  }
  for (const auto& kv : section) {
    const int node = declare(kv.first.Scalar(), kv.first);
    if (node < 0) continue;
    VariableDef v;
    v.name = kv.first.Scalar();
    v.node = node;
    m_script->m_variables.push_back(std::move(v));
    m_variableNodes.push_back(kv.first);
  }
}

void ScriptLoader::loadGenerators(const YAML::Node& section) {
  if (!section || !section.IsMap()) return;
  for (const auto& kv : section) {
    const std::string name = kv.first.Scalar();
    const auto it = m_nodes.find(name);
    if (it == m_nodes.end() || it->second < 0) continue;
    auto g = loadGenerator(kv.second, name, m_diag);
    if (!g) continue;
    m_script->m_generators.push_back(GeneratorDef{name, it->second, std::move(g)});
  }
}

void ScriptLoader::loadVariables(const YAML::Node& section) {
  if (!section || !section.IsMap()) return;
  std::size_t next = 0;
  for (const auto& kv : section) {
    if (next >= m_script->m_variables.size() ||
        m_script->m_variables[next].name != kv.first.Scalar()) {
      continue;  // its name was refused
    }
    VariableDef& v = m_script->m_variables[next++];
    YAML::Node body = kv.second;
    const std::string where = "variable '" + v.name + "'";
    if (body.IsScalar()) {  // shorthand for a single `- source: <expression>`
      YAML::Node step(YAML::NodeType::Map);
      step["source"] = body;
      YAML::Node list(YAML::NodeType::Sequence);
      list.push_back(step);
      body.reset(list);
    }
    if (!body.IsSequence() || body.size() == 0) {
      m_diag.add(body.IsDefined() && !body.IsNull() ? body : kv.first,
                 where + " needs a list of operations",
                 "e.g. '- source: AIN0' then '- threshold: 2.5'");
      continue;
    }
    const std::size_t before = m_diag.size();
    v.ops = chain(body, where, false);
    if (m_diag.size() != before) continue;
    std::vector<const Expression*> expressions;
    for (const auto& op : v.ops) {
      op->expressions(expressions);
      v.timed = v.timed || op->isTimed();
      v.pulses = v.pulses || op->mayPulse();
    }
    for (const Expression* e : expressions) {
      m_script->m_stackDepth = std::max(m_script->m_stackDepth, e->stackDepth());
      for (int node : e->references()) {
        if (std::find(v.reads.begin(), v.reads.end(), node) == v.reads.end()) {
          v.reads.push_back(node);
        }
      }
    }
  }
}

// Orders variables so each comes after every variable it reads (definition order otherwise)
// and reports cycles.
void ScriptLoader::orderVariables() {
  auto& vars = m_script->m_variables;
  const std::size_t n = vars.size();
  std::vector<int> indexOfNode(static_cast<std::size_t>(m_script->nodeCount()), -1);
  for (std::size_t i = 0; i < n; ++i) indexOfNode[vars[i].node] = static_cast<int>(i);
  std::vector<std::vector<int>> deps(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (int node : vars[i].reads) {
      if (indexOfNode[node] >= 0) deps[i].push_back(indexOfNode[node]);
    }
  }
  std::vector<int> order;
  std::vector<char> placed(n, 0);
  while (order.size() < n) {
    bool progress = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (placed[i]) continue;
      bool ready = true;
      for (int d : deps[i]) ready = ready && placed[d];
      if (!ready) continue;
      placed[i] = 1;
      order.push_back(static_cast<int>(i));
      progress = true;
      break;  // restart: the earliest-defined ready variable goes next
    }
    if (progress) continue;
    // A cycle: walk from the first unplaced variable until a name repeats.
    std::vector<int> path;
    int at = 0;
    while (placed[at]) ++at;
    while (std::find(path.begin(), path.end(), at) == path.end()) {
      path.push_back(at);
      for (int d : deps[at]) {
        if (!placed[d]) {
          at = d;
          break;
        }
      }
    }
    std::string cycle;
    for (auto it = std::find(path.begin(), path.end(), at); it != path.end(); ++it) {
      cycle += "'" + vars[*it].name + "' -> ";
    }
    cycle += "'" + vars[at].name + "'";
    m_diag.add(m_variableNodes[at], "variables depend on each other in a circle: " + cycle,
               "a variable can use its own previous value only as 'this' in its chain");
    return;
  }
  std::vector<VariableDef> sorted;
  sorted.reserve(n);
  for (int i : order) sorted.push_back(std::move(vars[i]));
  vars = std::move(sorted);
  for (std::size_t i = 0; i < n; ++i) {
    m_script->m_variableOfNode[vars[i].node] = static_cast<int>(i);
  }
}

}  // namespace spindle::transform
