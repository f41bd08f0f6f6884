#include "base/redact.hpp"

namespace spindle {
namespace {

bool schemeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '-' || c == '.';
}

// Where a URL's authority ends: at its path, query or fragment, or at the first character
// that cannot be part of a URL in running text (white space, quotes, brackets of prose).
bool endsAuthority(char c) {
  switch (c) {
    case '/':
    case '?':
    case '#':
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '"':
    case '<':
    case '>':
    case '\\':
    case '`':
    case '{':
    case '}':
    case '|':
      return true;
    default:
      return static_cast<unsigned char>(c) < 0x20;
  }
}

// Calls `hidden(userinfoBegin, userinfoEnd)` for each URL with credentials, in order.
template <typename F>
void forEachCredential(std::string_view text, F&& hidden) {
  std::size_t from = 0;
  while (true) {
    const std::size_t sep = text.find("://", from);
    if (sep == std::string_view::npos) return;
    std::size_t start = sep + 3;
    if (sep == 0 || !schemeChar(text[sep - 1])) {
      from = start;
      continue;
    }
    std::size_t end = start;
    while (end < text.size() && !endsAuthority(text[end])) ++end;
    const std::string_view authority = text.substr(start, end - start);
    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos && at > 0) hidden(start, start + at);
    from = end;
  }
}

}  // namespace

std::string redactUrl(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;
  forEachCredential(text, [&](std::size_t begin, std::size_t end) {
    const std::string_view userinfo = text.substr(begin, end - begin);
    const std::size_t colon = userinfo.find(':');
    // user:password keeps the user (it helps to tell logins apart); a lone token goes whole.
    const std::size_t keep = colon == std::string_view::npos ? 0 : colon + 1;
    out.append(text.substr(copied, begin + keep - copied));
    out.append(kRedacted);
    copied = end;
  });
  out.append(text.substr(copied));
  return out;
}

bool hasUrlCredentials(std::string_view text) {
  bool found = false;
  forEachCredential(text, [&](std::size_t, std::size_t) { found = true; });
  return found;
}

}  // namespace spindle
