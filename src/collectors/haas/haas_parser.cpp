#include "collectors/haas/haas_parser.hpp"

namespace spindle::collectors::haas {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && (isSpace(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool isText(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x20 && u < 0x7f) || c == '\t';
}

/// "?Q100", "?Q600 3027", "?E10900 1.5", "Q500": what a client sends, not what a control answers.
bool isEcho(std::string_view text) {
  if (!text.empty() && text.front() == '?') text.remove_prefix(1);
  return text.size() >= 2 && (text[0] == 'Q' || text[0] == 'E' || text[0] == 'q') &&
         text[1] >= '0' && text[1] <= '9';
}

}  // namespace

ReplyParser::ReplyParser(std::size_t maxReply) : m_maxReply(maxReply < 16 ? 16 : maxReply) {}

void ReplyParser::feed(std::string_view bytes, std::vector<ReplyEvent>& out) {
  m_stats.bytes += bytes.size();
  for (char c : bytes) byte(c, out);
}

void ReplyParser::resync() {
  m_text.clear();
  m_controlBytes = false;
  m_state = State::kResync;
}

void ReplyParser::prompt(std::vector<ReplyEvent>& out) {
  if (m_promptInRun) return;
  m_promptInRun = true;
  ++m_stats.prompts;
  out.push_back({ReplyEvent::Type::kPrompt, {}, false});
}

void ReplyParser::garbage(std::string why, std::vector<ReplyEvent>& out) {
  ++m_stats.garbage;
  out.push_back({ReplyEvent::Type::kGarbage, std::move(why), false});
}

void ReplyParser::endLine(std::vector<ReplyEvent>& out) {
  const std::string_view text = trim(m_text);
  if (m_controlBytes) {
    garbage("control bytes in a reply line", out);
  } else if (!text.empty()) {
    if (isEcho(text) && text.front() == '?') {
      out.push_back({ReplyEvent::Type::kEcho, std::string(text), false});
    } else {
      ++m_stats.replies;
      out.push_back({ReplyEvent::Type::kReply, std::string(text), false});
    }
  }
  m_text.clear();
  m_controlBytes = false;
  m_promptInRun = false;
  m_state = State::kLineStart;
}

void ReplyParser::byte(char c, std::vector<ReplyEvent>& out) {
  switch (m_state) {
    case State::kResync:
      if (c == '>') {
        m_state = State::kLineStart;
        m_promptInRun = false;
        prompt(out);
      } else if (c == kStx) {
        m_state = State::kFramed;
      }
      return;
    case State::kDiscardLine:
      if (c == '\n') m_state = State::kLineStart, m_promptInRun = false;
      return;
    case State::kDiscardFrame:
      if (c == kEtb) m_state = State::kLineStart, m_promptInRun = false;
      if (c == kStx) m_state = State::kFramed;
      return;
    case State::kLineStart:
      if (c == '>') {
        prompt(out);
      } else if (c == kStx) {
        m_state = State::kFramed;
      } else if (c == '\n' || c == '\r') {
        m_promptInRun = false;
      } else if (isSpace(c) || c == '\0' || c == kEtb) {
        // padding a device server or a control adds between replies
      } else {
        m_state = State::kLine;
        m_text.assign(1, c);
        m_controlBytes = !isText(c);
      }
      return;
    case State::kLine:
      if (c == '\n') {
        endLine(out);
      } else if (c == kStx) {
        // The line was no reply: a framed one begins.
        garbage("text before STX: " + std::string(trim(m_text)), out);
        m_text.clear();
        m_controlBytes = false;
        m_state = State::kFramed;
      } else if (m_text.size() >= m_maxReply) {
        garbage("reply longer than " + std::to_string(m_maxReply) + " bytes", out);
        m_text.clear();
        m_controlBytes = false;
        m_state = State::kDiscardLine;
      } else {
        if (!isText(c) && c != '\r') m_controlBytes = true;
        m_text += c;
      }
      return;
    case State::kFramed:
      if (c == kEtb) {
        const std::string_view text = trim(m_text);
        if (m_controlBytes) {
          garbage("control bytes between STX and ETB", out);
        } else {
          ++m_stats.replies;
          out.push_back({ReplyEvent::Type::kReply, std::string(text), true});
        }
        m_text.clear();
        m_controlBytes = false;
        m_promptInRun = false;
        m_state = State::kLineStart;
      } else if (c == kStx) {
        garbage("reply cut short: STX before ETB", out);
        m_text.clear();
        m_controlBytes = false;
      } else if (c == '\r' || c == '\n') {
        // Some device servers translate line ends; a frame ends at ETB only.
      } else if (m_text.size() >= m_maxReply) {
        garbage("reply longer than " + std::to_string(m_maxReply) + " bytes", out);
        m_text.clear();
        m_controlBytes = false;
        m_state = State::kDiscardFrame;
      } else {
        if (!isText(c)) m_controlBytes = true;
        m_text += c;
      }
      return;
  }
}

}  // namespace spindle::collectors::haas
