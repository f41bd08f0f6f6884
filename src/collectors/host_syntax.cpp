#include "collectors/host_syntax.hpp"

#include <algorithm>
#include <string>

#include <arpa/inet.h>

namespace spindle::collectors {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/// "" for a name of labels (letters, digits, '-', '_'), each 1-63 characters, not starting or
/// ending with '-', 253 characters at most; one trailing dot is allowed (a rooted name).
std::string nameProblem(std::string_view host) {
  if (host.back() == '.') host.remove_suffix(1);
  if (host.size() > 253) return "a host name has at most 253 characters";
  std::size_t start = 0;
  while (start <= host.size()) {
    const std::size_t end = std::min(host.find('.', start), host.size());
    const std::string_view label = host.substr(start, end - start);
    if (label.empty()) return "a host name has no empty parts ('..' or a leading '.')";
    if (label.size() > 63) return "each part of a host name has at most 63 characters";
    if (label.front() == '-' || label.back() == '-') {
      return "a part of a host name does not start or end with '-'";
    }
    for (char c : label) {
      if (!isDigit(c) && !isLetter(c) && c != '-' && c != '_') {
        return "a host name has only letters, digits, '-', '_' and '.'";
      }
    }
    start = end + 1;
  }
  return "";
}

}  // namespace

std::string hostProblem(std::string_view host) {
  if (host.empty()) return "the host is empty";
  const std::string text(host);
  if (host.find(':') != std::string_view::npos) {
    in6_addr v6{};
    if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) return "";
    return "not an IPv6 address (write it without brackets; the port is its own key)";
  }
  if (std::all_of(host.begin(), host.end(), [](char c) { return isDigit(c) || c == '.'; })) {
    in_addr v4{};
    if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return "";
    return "not an IPv4 address: four numbers 0-255 separated by dots, e.g. 192.168.1.20";
  }
  return nameProblem(host);
}

}  // namespace spindle::collectors
