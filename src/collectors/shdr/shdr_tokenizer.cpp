#include "collectors/shdr/shdr_tokenizer.hpp"

#include <cstring>

namespace spindle::collectors::shdr {

std::string_view trimSpace(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

const std::vector<std::string_view>& Tokenizer::split(std::string_view line) {
  m_fields.clear();
  if (std::memchr(line.data(), '"', line.size()) != nullptr) {
    splitQuoted(line);
    return m_fields;
  }
  // Fast path: no quotes anywhere, so every `|` separates.
  const char* p = line.data();
  const char* end = p + line.size();
  while (true) {
    const char* bar = static_cast<const char*>(std::memchr(p, '|', static_cast<size_t>(end - p)));
    const char* stop = bar ? bar : end;
    m_fields.push_back(trimSpace(std::string_view(p, static_cast<size_t>(stop - p))));
    if (!bar) break;
    p = bar + 1;
  }
  return m_fields;
}

void Tokenizer::splitQuoted(std::string_view line) {
  m_unescaped.clear();
  m_unescaped.reserve(line.size());
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i < line.size() && line[i] == '"') {
      // Quoted field: unescape \| and \" until the closing quote that ends the field.
      const size_t start = m_unescaped.size();
      size_t j = i + 1;
      bool closed = false;
      for (; j < line.size(); ++j) {
        const char c = line[j];
        if (c == '\\' && j + 1 < line.size() && (line[j + 1] == '|' || line[j + 1] == '"')) {
          m_unescaped.push_back(line[++j]);
        } else if (c == '"') {
          size_t k = j + 1;
          while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
          if (k == line.size() || line[k] == '|') {
            closed = true;
            j = k;
            break;
          }
          m_unescaped.push_back(c);
        } else {
          m_unescaped.push_back(c);
        }
      }
      if (closed) {
        m_fields.emplace_back(m_unescaped.data() + start, m_unescaped.size() - start);
        if (j == line.size()) return;
        i = j + 1;
        continue;
      }
      // No closing quote: the quote is an ordinary character; fall through to a plain field.
      m_unescaped.resize(start);
    }
    const size_t bar = line.find('|', i);
    const size_t stop = bar == std::string_view::npos ? line.size() : bar;
    m_fields.push_back(trimSpace(line.substr(i, stop - i)));
    if (bar == std::string_view::npos) return;
    i = bar + 1;
  }
}

}  // namespace spindle::collectors::shdr
