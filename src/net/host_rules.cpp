#include "net/host_rules.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace spindle::net {
namespace {

namespace ip = boost::asio::ip;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

// The address as 16 bytes (IPv4 as IPv4-mapped IPv6), so one comparison serves both.
std::array<unsigned char, 16> bytesOf(const ip::address& a) {
  if (a.is_v4()) return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

bool inside(const ip::address& host, const ip::address& base, unsigned prefix) {
  if (host.is_v4() != base.is_v4()) {
    // "::ffff:10.0.0.1" is 10.0.0.1.
    const auto v6 = host.is_v6() ? host.to_v6() : base.to_v6();
    if (!v6.is_v4_mapped()) return false;
  }
  const unsigned bits = base.is_v4() ? prefix + 96 : prefix;
  const auto a = bytesOf(host);
  const auto b = bytesOf(base);
  for (unsigned i = 0; i < bits; ++i) {
    const unsigned mask = 0x80u >> (i % 8);
    if ((a[i / 8] & mask) != (b[i / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

Result<HostRules> HostRules::parse(const std::vector<std::string>& entries) {
  HostRules rules;
  rules.m_entries = entries;
  for (const auto& entry : entries) {
    auto bad = [&](const std::string& why) {
      return Error(ErrorCode::kInvalidArgument, "'" + entry + "' " + why);
    };
    const auto slash = entry.find('/');
    boost::system::error_code ec;
    const auto address = ip::make_address(entry.substr(0, slash), ec);
    if (!ec) {
      const unsigned width = address.is_v4() ? 32 : 128;
      unsigned prefix = width;
      if (slash != std::string::npos) {
        const std::string p = entry.substr(slash + 1);
        auto [ptr, err] = std::from_chars(p.data(), p.data() + p.size(), prefix);
        if (err != std::errc() || ptr != p.data() + p.size() || p.empty() || prefix > width) {
          return bad("has a bad prefix length (0-" + std::to_string(width) + ")");
        }
      }
      rules.m_networks.push_back({address, prefix});
    } else if (slash != std::string::npos) {
      return bad("is not a network (write e.g. 10.20.0.0/16)");
    } else if (entry.rfind("*.", 0) == 0 && validName(entry.substr(2))) {
      rules.m_domains.push_back(lower(entry.substr(1)));
    } else if (validName(entry)) {
      rules.m_names.push_back(lower(entry));
    } else {
      return bad("is not an address, a network, a host name or *.domain");
    }
  }
  return rules;
}

bool HostRules::allows(const std::string& rawHost) const {
  if (empty()) return true;
  std::string host = rawHost;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  const auto address = ip::make_address(host, ec);
  if (!ec) {
    return std::any_of(m_networks.begin(), m_networks.end(),
                       [&](const Network& n) { return inside(address, n.base, n.prefix); });
  }
  const std::string name = lower(host);
  if (!validName(name)) return false;
  if (std::find(m_names.begin(), m_names.end(), name) != m_names.end()) return true;
  return std::any_of(m_domains.begin(), m_domains.end(), [&](const std::string& d) {
    return name.size() > d.size() && name.compare(name.size() - d.size(), d.size(), d) == 0;
  });
}

}  // namespace spindle::net
