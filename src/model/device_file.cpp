#include "model/device_file.hpp"

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <pugixml.hpp>

#include "base/xml_text.hpp"

namespace spindle::model {
namespace {

std::string_view localName(const pugi::xml_node& node) {
  std::string_view n = node.name();
  const size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
  for (auto c : node.children()) {
    if (c.type() == pugi::node_element && localName(c) == name) return c;
  }
  return {};
}

/// Attributes as XML text, namespace declarations and xsi attributes left out.
std::string attributesOf(const pugi::xml_node& node) {
  std::string out;
  for (auto a : node.attributes()) {
    const std::string_view n = a.name();
    if (n == "xmlns" || n.rfind("xmlns:", 0) == 0 || n.rfind("xsi:", 0) == 0) continue;
    out += ' ';
    out += n;
    out += "=\"";
    appendXmlEscaped(out, a.value());
    out += '"';
  }
  return out;
}

/// The element and its content as XML, without namespace prefixes; text trimmed.
void serialize(std::string& out, const pugi::xml_node& node) {
  const std::string name(localName(node));
  out += '<' + name + attributesOf(node);
  bool any = false;
  for (auto c : node.children()) {
    if (c.type() == pugi::node_element) {
      if (!any) out += '>';
      any = true;
      serialize(out, c);
    } else if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
      std::string_view text = c.value();
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
        text.remove_prefix(1);
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
      if (text.empty()) continue;
      if (!any) out += '>';
      any = true;
      appendXmlEscaped(out, text);
    }
  }
  out += any ? "</" + name + ">" : "/>";
}

std::string xmlOf(const pugi::xml_node& node) {
  std::string out;
  if (node) serialize(out, node);
  return out;
}

Kind kindOf(std::string_view category, std::string_view type, std::string_view representation) {
  if (category == "CONDITION") return Kind::kCondition;
  if (representation == "TIME_SERIES") return Kind::kTimeSeries;
  if (representation == "DATA_SET") return Kind::kDataSet;
  if (representation == "TABLE") return Kind::kTable;
  if (category == "SAMPLE") return Kind::kSample;
  if (type == "MESSAGE") return Kind::kMessage;
  return Kind::kEvent;
}

Error invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

class Reader {
 public:
  explicit Reader(DeviceFile& file) : m_file(file) {}

  Status item(const pugi::xml_node& node, int component) {
    DeviceFileItem it;
    it.id = node.attribute("id").value();
    it.name = node.attribute("name").value();
    it.category = node.attribute("category").value();
    it.type = node.attribute("type").value();
    it.subType = node.attribute("subType").value();
    it.units = node.attribute("units").value();
    it.nativeUnits = node.attribute("nativeUnits").value();
    it.representation = node.attribute("representation").value();
    if (it.representation == "VALUE") it.representation.clear();
    it.nativeScale = node.attribute("nativeScale").as_double(0);
    const std::string where =
        "data item " +
        (it.id.empty() ? "#" + std::to_string(m_file.items.size() + 1) : "'" + it.id + "'");
    if (it.id.empty()) return invalid(where + " has no id");
    if (it.type.empty()) return invalid(where + " has no type");
    if (it.category != "SAMPLE" && it.category != "EVENT" && it.category != "CONDITION")
      return invalid(where + " has category '" + it.category +
                     "' (expected SAMPLE, EVENT or CONDITION)");
    if (!m_ids.insert(it.id).second) return invalid("two data items have the id '" + it.id + "'");
    if (auto constraints = child(node, "Constraints")) {
      int values = 0;
      std::string value;
      for (auto c : constraints.children()) {
        if (c.type() == pugi::node_element && localName(c) == "Value") {
          ++values;
          value = c.child_value();
        }
      }
      if (values == 1) it.constantValue = value;
    }
    it.kind = kindOf(it.category, it.type, it.representation);
    it.component = component;
    it.xml = xmlOf(node);
    m_file.items.push_back(std::move(it));
    return okStatus();
  }

  /// The data items and components under `node` (the device or a component).
  Status contents(const pugi::xml_node& node, int self) {
    if (auto items = child(node, "DataItems")) {
      for (auto d : items.children()) {
        if (d.type() != pugi::node_element || localName(d) != "DataItem") continue;
        if (auto st = item(d, self); !st.ok()) return st;
      }
    }
    if (auto comps = child(node, "Components")) {
      for (auto c : comps.children()) {
        if (c.type() != pugi::node_element) continue;
        DeviceFileComponent comp;
        comp.element = std::string(localName(c));
        comp.id = c.attribute("id").value();
        comp.name = c.attribute("name").value();
        comp.attributes = attributesOf(c);
        comp.description = xmlOf(child(c, "Description"));
        comp.compositions = xmlOf(child(c, "Compositions"));
        comp.parent = self;
        if (comp.id.empty()) return invalid("component <" + comp.element + "> has no id");
        m_file.components.push_back(std::move(comp));
        if (auto st = contents(c, static_cast<int>(m_file.components.size() - 1)); !st.ok())
          return st;
      }
    }
    return okStatus();
  }

 private:
  DeviceFile& m_file;
  std::set<std::string> m_ids;
};

std::size_t lineOf(std::string_view text, std::ptrdiff_t offset) {
  std::size_t line = 1;
  for (std::ptrdiff_t i = 0; i < offset && i < static_cast<std::ptrdiff_t>(text.size()); ++i)
    line += text[static_cast<size_t>(i)] == '\n';
  return line;
}

}  // namespace

Result<DeviceFile> parseDeviceFile(std::string_view xml, std::string_view device) {
  pugi::xml_document doc;
  const auto parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default);
  if (!parsed)
    return invalid("not an XML document: " + std::string(parsed.description()) + " at line " +
                   std::to_string(lineOf(xml, parsed.offset)));
  const pugi::xml_node root = doc.document_element();
  if (localName(root) != "MTConnectDevices")
    return invalid("the root element is <" + std::string(root.name()) +
                   ">, not <MTConnectDevices> (an MTConnect device file or /probe answer)");
  DeviceFile file;
  for (auto a : root.attributes()) {
    if (std::string_view(a.name()).rfind("xmlns", 0) != 0) continue;
    const std::string_view v = a.value();
    const std::string_view ns = "urn:mtconnect.org:MTConnectDevices:";
    if (v.rfind(ns, 0) == 0) file.version = std::string(v.substr(ns.size()));
  }
  const pugi::xml_node devices = child(root, "Devices");
  std::vector<pugi::xml_node> found;
  std::string names;
  for (auto d : devices.children()) {
    if (d.type() != pugi::node_element || localName(d) != "Device") continue;
    found.push_back(d);
    names += std::string(names.empty() ? "" : ", ") + d.attribute("name").value();
  }
  if (found.empty()) return invalid("no <Device> under <Devices>");
  pugi::xml_node chosen;
  if (device.empty()) {
    if (found.size() > 1)
      return invalid("the file describes " + std::to_string(found.size()) + " devices (" + names +
                     "): name one with device:");
    chosen = found.front();
  } else {
    for (const auto& d : found) {
      if (d.attribute("name").value() == device || d.attribute("uuid").value() == device ||
          d.attribute("id").value() == device)
        chosen = d;
    }
    if (!chosen)
      return invalid("no device named '" + std::string(device) + "' in the file (it has " + names +
                     ")");
  }
  file.id = chosen.attribute("id").value();
  file.name = chosen.attribute("name").value();
  file.uuid = chosen.attribute("uuid").value();
  if (file.id.empty() || file.name.empty())
    return invalid("device '" + file.name + "' needs both an id and a name");
  if (file.uuid.empty()) file.uuid = file.id;
  file.attributes = attributesOf(chosen);
  file.description = xmlOf(child(chosen, "Description"));
  file.compositions = xmlOf(child(chosen, "Compositions"));
  Reader reader(file);
  if (auto st = reader.contents(chosen, -1); !st.ok()) return st.error();
  return file;
}

Result<DeviceFile> loadDeviceFile(const std::string& path, std::string_view device) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, "cannot read device file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  auto file = parseDeviceFile(text.str(), device);
  if (!file)
    return Error(file.error().code(), "device file " + path + ": " + file.error().message());
  file->path = path;
  return file;
}

}  // namespace spindle::model
