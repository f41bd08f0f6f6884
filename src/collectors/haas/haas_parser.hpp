#pragma once
/// The Haas reply stream, reassembled: bytes in, replies and prompts out. Pure (no sockets, no
/// clocks, no logging) and bounded: at most `maxReply` bytes of one reply are held.
///
/// Both framings arrive through the same parser, so a control whose framing differs from what
/// the machine block says is still understood:
///   classic (RS-232, or a serial device server): STX text ETB CR LF, then the prompt '>'.
///   NGC (Machine Data Collection over Ethernet): '>' text CR LF, then a bare '>' prompt, so
///   the next reply often reads '>>text'. Any run of '>' that starts a line is stripped.
/// A device server may split a reply across TCP segments or pack several into one: feed()
/// keeps the partial reply until its end arrives.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace spindle::collectors::haas {

struct ReplyEvent {
  enum class Type : std::uint8_t {
    kReply,   ///< a complete reply: `text` without STX/ETB, '>' prefix or line end
    kPrompt,  ///< the control's '>' prompt: it waits for the next command
    kEcho,    ///< a command echoed back ("?Q100"): not an answer
    kGarbage  ///< bytes that are no reply; `text` says why (the bytes are dropped)
  };
  Type type = Type::kReply;
  std::string text;
  bool framed = false;  ///< kReply: it came between STX and ETB
};

struct ReplyParserStats {
  std::uint64_t replies = 0;
  std::uint64_t prompts = 0;
  std::uint64_t garbage = 0;  ///< garbage events
  std::uint64_t bytes = 0;
};

class ReplyParser {
 public:
  /// `maxReply`: the longest reply kept (a Haas reply is under 100 bytes); longer ones are
  /// dropped as garbage up to their end.
  explicit ReplyParser(std::size_t maxReply = 1024);

  /// Appends what `bytes` completes to `out`. Never fails: bad bytes become kGarbage events.
  void feed(std::string_view bytes, std::vector<ReplyEvent>& out);

  /// Forgets a partial reply and drops every byte up to the next prompt or STX: after a
  /// command timed out, a late or cut-off answer is never taken for the next one.
  void resync();

  /// Whether part of a reply is held (a control that stopped mid-reply leaves one).
  bool midReply() const { return m_state == State::kLine || m_state == State::kFramed; }

  const ReplyParserStats& stats() const { return m_stats; }

 private:
  enum class State : std::uint8_t {
    kLineStart,     ///< between replies; '>' runs and blank lines are skipped here
    kLine,          ///< an unframed reply line
    kFramed,        ///< between STX and ETB
    kDiscardLine,   ///< an overlong line: dropped up to LF
    kDiscardFrame,  ///< an overlong frame: dropped up to ETB
    kResync,        ///< dropped up to the next prompt or STX
  };

  void byte(char c, std::vector<ReplyEvent>& out);
  void endLine(std::vector<ReplyEvent>& out);
  void garbage(std::string why, std::vector<ReplyEvent>& out);
  void prompt(std::vector<ReplyEvent>& out);

  std::size_t m_maxReply;
  State m_state = State::kLineStart;
  std::string m_text;
  bool m_controlBytes = false;  ///< the line holds bytes no reply has
  bool m_promptInRun = false;   ///< this line's '>' run was reported as a prompt
  ReplyParserStats m_stats;
};

inline constexpr char kStx = '\x02';
inline constexpr char kEtb = '\x17';

}  // namespace spindle::collectors::haas
