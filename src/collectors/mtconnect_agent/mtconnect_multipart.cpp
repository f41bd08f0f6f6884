#include "collectors/mtconnect_agent/mtconnect_multipart.hpp"

#include <algorithm>
#include <charconv>

namespace spindle::collectors::mtconnect_agent {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != lower(prefix[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> multipartBoundary(std::string_view contentType) {
  if (!startsWithNoCase(trim(contentType), "multipart/")) return std::nullopt;
  size_t pos = 0;
  while ((pos = contentType.find(';', pos)) != std::string_view::npos) {
    ++pos;
    std::string_view param = trim(contentType.substr(pos));
    if (!startsWithNoCase(param, "boundary=")) continue;
    param.remove_prefix(9);
    const auto end = param.find(';');
    param = trim(param.substr(0, end));
    if (param.size() >= 2 && param.front() == '"' && param.back() == '"')
      param = param.substr(1, param.size() - 2);
    if (param.empty()) return std::nullopt;
    return std::string(param);
  }
  return std::nullopt;
}

MultipartSplitter::MultipartSplitter(std::string boundary, std::size_t maxPart)
    : m_delimiter("--" + std::move(boundary)), m_maxPart(maxPart) {}

Status MultipartSplitter::feed(std::string_view bytes, std::vector<std::string>& parts) {
  m_buffer.append(bytes);
  bool progressed = true;
  while (progressed && m_state != State::kDone) {
    progressed = false;
    if (auto s = step(parts, progressed); !s) return s;
  }
  if (m_buffer.size() > m_maxPart + m_delimiter.size() + 1024) {
    return Error(ErrorCode::kProtocol,
                 "a streamed document exceeds " + std::to_string(m_maxPart) + " bytes");
  }
  return okStatus();
}

Status MultipartSplitter::step(std::vector<std::string>& parts, bool& progressed) {
  switch (m_state) {
    case State::kSeekBoundary: {
      const auto at = m_buffer.find(m_delimiter);
      if (at == std::string::npos) {
        // Keep a tail that could be the start of a delimiter split across pieces.
        if (m_buffer.size() > m_delimiter.size())
          m_buffer.erase(0, m_buffer.size() - m_delimiter.size());
        return okStatus();
      }
      const size_t after = at + m_delimiter.size();
      if (m_buffer.size() < after + 2) return okStatus();
      if (m_buffer.compare(after, 2, "--") == 0) {
        m_state = State::kDone;
        m_buffer.clear();
        return okStatus();
      }
      m_buffer.erase(0, after);
      m_state = State::kHeaders;
      progressed = true;
      return okStatus();
    }
    case State::kHeaders: {
      size_t end = m_buffer.find("\r\n\r\n");
      size_t skip = 4;
      const size_t lf = m_buffer.find("\n\n");
      if (lf != std::string::npos && (end == std::string::npos || lf < end)) {
        end = lf;
        skip = 2;
      }
      if (end == std::string::npos) {
        if (m_buffer.size() > 16 * 1024)
          return Error(ErrorCode::kProtocol, "multipart part headers longer than 16 KiB");
        return okStatus();
      }
      m_length.reset();
      std::string_view headers(m_buffer.data(), end);
      size_t pos = 0;
      while (pos <= headers.size()) {
        size_t nl = headers.find('\n', pos);
        if (nl == std::string_view::npos) nl = headers.size();
        const std::string_view line = trim(headers.substr(pos, nl - pos));
        if (startsWithNoCase(line, "content-length:")) {
          const std::string_view v = trim(line.substr(15));
          std::size_t n = 0;
          auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
          if (ec != std::errc() || p != v.data() + v.size())
            return Error(ErrorCode::kProtocol, "bad part Content-length '" + std::string(v) + "'");
          if (n > m_maxPart)
            return Error(ErrorCode::kProtocol, "a streamed document of " + std::to_string(n) +
                                                   " bytes exceeds " + std::to_string(m_maxPart));
          m_length = n;
        }
        pos = nl + 1;
      }
      m_buffer.erase(0, end + skip);
      m_state = State::kBody;
      progressed = true;
      return okStatus();
    }
    case State::kBody: {
      if (m_length) {
        if (m_buffer.size() < *m_length) return okStatus();
        parts.emplace_back(m_buffer, 0, *m_length);
        m_buffer.erase(0, *m_length);
      } else {
        const auto at = m_buffer.find("\n" + m_delimiter);
        if (at == std::string::npos) return okStatus();
        size_t len = at;
        if (len > 0 && m_buffer[len - 1] == '\r') --len;
        parts.emplace_back(m_buffer, 0, len);
        m_buffer.erase(0, at + 1);
      }
      m_state = State::kSeekBoundary;
      progressed = true;
      return okStatus();
    }
    case State::kDone:
      return okStatus();
  }
  return okStatus();
}

}  // namespace spindle::collectors::mtconnect_agent
