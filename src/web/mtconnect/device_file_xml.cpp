#include "web/mtconnect/device_file_xml.hpp"

namespace spindle::web::mtconnect {
namespace {

class FileDevicePrinter {
 public:
  FileDevicePrinter(std::string& out, const Snapshot& s, const DeviceMeta& d,
                    const std::vector<bool>* selected)
      : m_out(out),
        m_s(s),
        m_file(*d.file),
        m_items(m_file.components.size() + 1),
        m_children(m_file.components.size() + 1),
        m_shown(m_file.components.size() + 1, false) {
    for (size_t i : d.items) {
      if (selected && !(*selected)[i]) continue;
      m_items[slot(s.items[i].component)].push_back(i);
    }
    for (size_t c = 0; c < m_file.components.size(); ++c)
      m_children[slot(m_file.components[c].parent)].push_back(static_cast<int>(c));
    // A component shows when it or one below it has a selected item (children come after
    // their parents, so walking backwards sees every child first).
    const bool all = selected == nullptr;
    for (size_t c = m_file.components.size(); c-- > 0;) {
      const size_t k = c + 1;
      m_shown[k] = m_shown[k] || all || !m_items[k].empty();
      if (m_shown[k]) m_shown[slot(m_file.components[c].parent)] = true;
    }
  }

  void device() {
    m_out += "<Device" + m_file.attributes + ">";
    m_out += m_file.description;
    contents(-1);
    m_out += m_file.compositions;
    m_out += "</Device>";
  }

 private:
  static size_t slot(int component) { return static_cast<size_t>(component + 1); }

  void contents(int component) {
    const auto& items = m_items[slot(component)];
    if (!items.empty()) {
      m_out += "<DataItems>";
      for (size_t i : items) appendDataItemXml(m_out, m_s.items[i]);
      m_out += "</DataItems>";
    }
    bool open = false;
    for (int c : m_children[slot(component)]) {
      if (!m_shown[slot(c)]) continue;
      if (!open) m_out += "<Components>";
      open = true;
      const auto& comp = m_file.components[static_cast<size_t>(c)];
      m_out += "<" + comp.element + comp.attributes + ">";
      m_out += comp.description;
      contents(c);
      m_out += comp.compositions;
      m_out += "</" + comp.element + ">";
    }
    if (open) m_out += "</Components>";
  }

  std::string& m_out;
  const Snapshot& m_s;
  const model::DeviceFile& m_file;
  std::vector<std::vector<size_t>> m_items;  ///< by component slot (0: the device)
  std::vector<std::vector<int>> m_children;  ///< by component slot
  std::vector<bool> m_shown;                 ///< by component slot
};

}  // namespace

void appendFileDeviceXml(std::string& out, const Snapshot& snapshot, const DeviceMeta& device,
                         const std::vector<bool>* selected) {
  FileDevicePrinter(out, snapshot, device, selected).device();
}

}  // namespace spindle::web::mtconnect
