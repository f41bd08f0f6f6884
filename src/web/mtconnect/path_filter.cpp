#include "web/mtconnect/path_filter.hpp"

#include <functional>
#include <set>

namespace spindle::web::mtconnect {
namespace {

struct Node {
  std::string_view name;
  int device = -1;  ///< index in snapshot.devices
  int item = -1;    ///< index in snapshot.items
  std::vector<int> children;
};

struct Cmp {
  std::string attr;
  std::string value;
  bool exists = false;  ///< [@attr] alone
  bool negate = false;
};
using AndGroup = std::vector<Cmp>;
using Predicate = std::vector<AndGroup>;  ///< OR of ANDs

struct Step {
  bool descendant = false;
  std::string name;  ///< "*" for any
  std::vector<Predicate> predicates;
};
using Path = std::vector<Step>;

class Parser {
 public:
  explicit Parser(std::string_view text) : m_text(text) {}

  Result<std::vector<Path>> parse() {
    std::vector<Path> paths;
    while (true) {
      skip();
      Path path;
      while (peek() == '/') {
        Step step;
        ++m_pos;
        if (peek() == '/') {
          step.descendant = true;
          ++m_pos;
        }
        if (peek() == '*') {
          step.name = "*";
          ++m_pos;
        } else {
          step.name = name();
          if (step.name.empty()) return fail("a name or * after /");
        }
        while (peek() == '[') {
          ++m_pos;
          auto p = predicate();
          if (!p) return std::move(p).error();
          step.predicates.push_back(std::move(*p));
          skip();
          if (peek() != ']') return fail("]");
          ++m_pos;
        }
        path.push_back(std::move(step));
        skip();
      }
      if (path.empty()) return fail("a path starting with / or //");
      paths.push_back(std::move(path));
      if (peek() == '|') {
        ++m_pos;
        continue;
      }
      if (m_pos != m_text.size()) return fail("| or the end of the path");
      return paths;
    }
  }

 private:
  char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
  void skip() {
    while (peek() == ' ') ++m_pos;
  }
  std::string name() {
    std::string out;
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '-' ||
           peek() == ':' || peek() == '.')
      out += m_text[m_pos++];
    return out;
  }
  Error fail(const std::string& expected) const {
    return Error(ErrorCode::kInvalidArgument, "path '" + std::string(m_text) + "': expected " +
                                                  expected + " at position " +
                                                  std::to_string(m_pos + 1));
  }
  bool word(std::string_view w) {
    skip();
    if (m_text.substr(m_pos, w.size()) != w) return false;
    m_pos += w.size();
    return true;
  }

  Result<Predicate> predicate() {
    Predicate p;
    while (true) {
      AndGroup group;
      while (true) {
        skip();
        if (peek() != '@') return fail("@attribute");
        ++m_pos;
        Cmp c;
        c.attr = name();
        if (c.attr.empty()) return fail("an attribute name");
        skip();
        if (peek() == '=' ||
            (peek() == '!' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '=')) {
          c.negate = peek() == '!';
          m_pos += c.negate ? 2 : 1;
          skip();
          const char quote = peek();
          if (quote != '"' && quote != '\'') return fail("a quoted value");
          const auto end = m_text.find(quote, m_pos + 1);
          if (end == std::string_view::npos) return fail("a closing quote");
          c.value = std::string(m_text.substr(m_pos + 1, end - m_pos - 1));
          m_pos = end + 1;
        } else {
          c.exists = true;
        }
        group.push_back(std::move(c));
        if (!word("and")) break;
      }
      p.push_back(std::move(group));
      if (!word("or")) break;
    }
    return p;
  }

  std::string_view m_text;
  size_t m_pos = 0;
};

std::string_view attribute(const Snapshot& s, const Node& n, std::string_view attr) {
  if (n.item >= 0) {
    const ItemMeta& m = s.items[static_cast<size_t>(n.item)];
    if (attr == "id") return m.id;
    if (attr == "name") return m.name;
    if (attr == "type") return m.type;
    if (attr == "category") return m.category;
    if (attr == "subType") return m.subType;
    if (attr == "units") return m.units;
    if (attr == "representation") return m.representation;
    return {};
  }
  if (n.device >= 0) {
    const DeviceMeta& d = s.devices[static_cast<size_t>(n.device)];
    if (attr == "id") return d.id;
    if (attr == "name") return d.name;
    if (attr == "uuid") return d.uuid;
  }
  return {};
}

bool matches(const Snapshot& s, const Node& n, const Step& step) {
  if (step.name != "*" && step.name != n.name) return false;
  for (const auto& p : step.predicates) {
    bool any = false;
    for (const auto& group : p) {
      bool all = true;
      for (const auto& c : group) {
        const std::string_view v = attribute(s, n, c.attr);
        const bool ok = c.exists ? !v.empty() : ((v == c.value) != c.negate);
        all = all && ok;
      }
      any = any || all;
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<bool>> evaluatePath(const Snapshot& s, std::string_view text) {
  auto paths = Parser(text).parse();
  if (!paths) return std::move(paths).error();

  // The tree: 0 = document, 1 = Devices, then devices, their DataItems, the items.
  std::vector<Node> nodes;
  nodes.push_back(Node{"", -1, -1, {1}});
  nodes.push_back(Node{"Devices", -1, -1, {}});
  for (size_t d = 0; d < s.devices.size(); ++d) {
    const int dev = static_cast<int>(nodes.size());
    nodes[1].children.push_back(dev);
    nodes.push_back(Node{s.devices[d].agent ? "Agent" : "Device", static_cast<int>(d), -1, {}});
    const int items = static_cast<int>(nodes.size());
    nodes[static_cast<size_t>(dev)].children.push_back(items);
    nodes.push_back(Node{"DataItems", -1, -1, {}});
    for (size_t i : s.devices[d].items) {
      nodes[static_cast<size_t>(items)].children.push_back(static_cast<int>(nodes.size()));
      nodes.push_back(Node{"DataItem", -1, static_cast<int>(i), {}});
    }
  }

  std::vector<bool> selected(s.items.size(), false);
  std::function<void(int)> selectAll = [&](int n) {
    const Node& node = nodes[static_cast<size_t>(n)];
    if (node.item >= 0) selected[static_cast<size_t>(node.item)] = true;
    for (int c : node.children) selectAll(c);
  };
  for (const auto& path : *paths) {
    std::set<int> context{0};
    for (const auto& step : path) {
      std::set<int> next;
      std::function<void(int)> descend = [&](int n) {
        for (int c : nodes[static_cast<size_t>(n)].children) {
          if (matches(s, nodes[static_cast<size_t>(c)], step)) next.insert(c);
          if (step.descendant) descend(c);
        }
      };
      for (int n : context) descend(n);
      context.swap(next);
    }
    for (int n : context) selectAll(n);
  }
  return selected;
}

}  // namespace spindle::web::mtconnect
