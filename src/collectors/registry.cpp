#include "collectors/registry.hpp"

#include <stdexcept>

namespace spindle::collectors {

const char* toString(ConnectionState state) {
  switch (state) {
    case ConnectionState::kStopped:
      return "stopped";
    case ConnectionState::kConnecting:
      return "connecting";
    case ConnectionState::kConnected:
      return "connected";
    case ConnectionState::kBackoff:
      return "backoff";
  }
  return "stopped";
}

void Registry::add(CollectorInfo info) {
  const std::string name = info.name;
  if (!m_collectors.emplace(name, std::move(info)).second) {
    throw std::logic_error("collector '" + name + "' registered twice");
  }
}

const CollectorInfo* Registry::find(const std::string& name) const {
  auto it = m_collectors.find(name);
  return it == m_collectors.end() ? nullptr : &it->second;
}

std::uint16_t Registry::resolvedPort(const std::string& type, const YAML::Node& block) const {
  const CollectorInfo* info = find(type);
  if (info == nullptr) return 0;
  return info->resolvedPort ? info->resolvedPort(block) : info->defaultPort;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, info] : m_collectors) out.push_back(name);
  return out;
}

}  // namespace spindle::collectors
