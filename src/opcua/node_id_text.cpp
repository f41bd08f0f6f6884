// The text forms of NodeId, ExpandedNodeId and Guid (Part 6, 5.3.1.10 and 5.3.1.11), as
// configurations and the browse tool write them.
#include <charconv>
#include <cstdio>

#include "opcua/types.hpp"

namespace spindle::opcua {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string toBase64(const Bytes& b) {
  std::string out;
  out.reserve((b.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < b.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{b[i]} << 16) |
                            (i + 1 < b.size() ? std::uint32_t{b[i + 1]} << 8 : 0) |
                            (i + 2 < b.size() ? std::uint32_t{b[i + 2]} : 0);
    out += kBase64[(n >> 18) & 63];
    out += kBase64[(n >> 12) & 63];
    out += i + 1 < b.size() ? kBase64[(n >> 6) & 63] : '=';
    out += i + 2 < b.size() ? kBase64[n & 63] : '=';
  }
  return out;
}

std::optional<Bytes> fromBase64(std::string_view s) {
  if (s.size() % 4 != 0) return std::nullopt;
  Bytes out;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=' && i + 2 >= s.size()) {
      ++pad;
      continue;
    } else {
      return std::nullopt;
    }
    if (pad > 0) return std::nullopt;  // data after padding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return out;
}

template <typename T>
bool parseNumber(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

Error bad(std::string_view text, const std::string& why) {
  return Error(ErrorCode::kInvalidArgument, "NodeId \"" + std::string(text) + "\": " + why);
}

/// Parses "<type>=<value>" after any namespace prefix.
Result<NodeId> parseIdentifier(std::string_view whole, std::string_view s, std::uint16_t ns) {
  if (s.size() < 2 || s[1] != '=') return bad(whole, "expected i=, s=, g= or b=");
  const std::string_view value = s.substr(2);
  switch (s[0]) {
    case 'i': {
      std::uint32_t n;
      if (!parseNumber(value, n)) return bad(whole, "i= needs a UInt32");
      return NodeId(ns, n);
    }
    case 's':
      return NodeId(ns, std::string(value));
    case 'g': {
      auto g = Guid::parse(value);
      if (!g) return bad(whole, "g= needs a GUID like 72962B91-FA75-4AE6-8D28-B404DC7DAF63");
      return NodeId(ns, *g);
    }
    case 'b': {
      auto b = fromBase64(value);
      if (!b) return bad(whole, "b= needs base64");
      return NodeId(ns, std::move(*b));
    }
    default:
      return bad(whole, "unknown identifier type '" + std::string(1, s[0]) + "'");
  }
}

}  // namespace

std::string Guid::toString() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X",
                static_cast<unsigned>(data1), data2, data3, data4[0], data4[1], data4[2], data4[3],
                data4[4], data4[5], data4[6], data4[7]);
  return buf;
}

std::optional<Guid> Guid::parse(std::string_view t) {
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') {
    return std::nullopt;
  }
  auto hex = [&](std::size_t at, std::size_t n, auto& out) {
    std::uint32_t v = 0;
    auto [p, ec] = std::from_chars(t.data() + at, t.data() + at + n, v, 16);
    if (ec != std::errc() || p != t.data() + at + n) return false;
    out = static_cast<std::remove_reference_t<decltype(out)>>(v);
    return true;
  };
  Guid g;
  bool ok = hex(0, 8, g.data1) && hex(9, 4, g.data2) && hex(14, 4, g.data3) &&
            hex(19, 2, g.data4[0]) && hex(21, 2, g.data4[1]);
  for (std::size_t i = 0; i < 6 && ok; ++i) ok = hex(24 + 2 * i, 2, g.data4[2 + i]);
  if (!ok) return std::nullopt;
  return g;
}

std::string NodeId::toString() const {
  std::string out = namespaceIndex != 0 ? "ns=" + std::to_string(namespaceIndex) + ";" : "";
  if (const auto* n = std::get_if<std::uint32_t>(&identifier))
    return out + "i=" + std::to_string(*n);
  if (const auto* s = std::get_if<std::string>(&identifier)) return out + "s=" + *s;
  if (const auto* g = std::get_if<Guid>(&identifier)) return out + "g=" + g->toString();
  return out + "b=" + toBase64(std::get<Bytes>(identifier));
}

Result<NodeId> NodeId::parse(std::string_view text) {
  std::uint16_t ns = 0;
  std::string_view s = text;
  if (s.substr(0, 3) == "ns=") {
    const auto semi = s.find(';');
    if (semi == std::string_view::npos || !parseNumber(s.substr(3, semi - 3), ns)) {
      return bad(text, "ns= needs a UInt16 and ';'");
    }
    s = s.substr(semi + 1);
  }
  return parseIdentifier(text, s, ns);
}

std::string ExpandedNodeId::toString() const {
  std::string out = serverIndex != 0 ? "svr=" + std::to_string(serverIndex) + ";" : "";
  if (!namespaceUri) return out + nodeId.toString();
  NodeId local = nodeId;
  local.namespaceIndex = 0;
  // ';' inside the URI would end it early; the spec escapes it as %3B.
  std::string uri;
  for (char c : *namespaceUri) uri += c == ';' ? std::string("%3B") : std::string(1, c);
  return out + "nsu=" + uri + ";" + local.toString();
}

Result<ExpandedNodeId> ExpandedNodeId::parse(std::string_view text) {
  ExpandedNodeId out;
  std::string_view s = text;
  if (s.substr(0, 4) == "svr=") {
    const auto semi = s.find(';');
    if (semi == std::string_view::npos || !parseNumber(s.substr(4, semi - 4), out.serverIndex)) {
      return bad(text, "svr= needs a UInt32 and ';'");
    }
    s = s.substr(semi + 1);
  }
  if (s.substr(0, 4) == "nsu=") {
    const auto semi = s.find(';');
    if (semi == std::string_view::npos) return bad(text, "nsu= needs ';' after the URI");
    std::string uri;
    const std::string_view raw = s.substr(4, semi - 4);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw.substr(i, 3) == "%3B" || raw.substr(i, 3) == "%3b") {
        uri += ';';
        i += 2;
      } else {
        uri += raw[i];
      }
    }
    out.namespaceUri = std::move(uri);
    auto id = parseIdentifier(text, s.substr(semi + 1), 0);
    if (!id) return std::move(id).error();
    out.nodeId = std::move(*id);
    return out;
  }
  auto id = NodeId::parse(s);
  if (!id) return std::move(id).error();
  out.nodeId = std::move(*id);
  return out;
}

}  // namespace spindle::opcua
