#include "collectors/focas/focas_codec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "collectors/focas/focas_bytes.hpp"

namespace spindle::collectors::focas {
namespace {

constexpr std::array<std::uint8_t, 4> kSync = {0xA0, 0xA0, 0xA0, 0xA0};

std::string hex4(unsigned v) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%04x", v & 0xFFFFu);
  return text;
}

Error bad(const std::string& what) { return Error(ErrorCode::kProtocol, what); }

Bytes frameWith(std::uint16_t ver, std::uint16_t type, Bytes body) {
  return encodeFrame(Frame{ver, type, std::move(body)});
}

}  // namespace

std::string frameTypeName(std::uint16_t type) {
  switch (type) {
    case frame_type::kOpenRequest:
      return "open request";
    case frame_type::kOpenReply:
      return "open reply";
    case frame_type::kCloseRequest:
      return "close request";
    case frame_type::kCloseReply:
      return "close reply";
    case frame_type::kRequest:
      return "data request";
    case frame_type::kReply:
      return "data reply";
    default:
      return "frame type " + hex4(type);
  }
}

std::string errorName(std::int16_t code) {
  switch (code) {
    case ew::kOk:
      return "EW_OK";
    case ew::kFunc:
      return "EW_FUNC";
    case ew::kLength:
      return "EW_LENGTH";
    case ew::kNumber:
      return "EW_NUMBER";
    case ew::kAttrib:
      return "EW_ATTRIB";
    case ew::kData:
      return "EW_DATA";
    case ew::kNoOpt:
      return "EW_NOOPT";
    case ew::kProt:
      return "EW_PROT";
    case ew::kOverflow:
      return "EW_OVRFLOW";
    case ew::kParam:
      return "EW_PARAM";
    case ew::kBuffer:
      return "EW_BUFFER";
    case ew::kPath:
      return "EW_PATH";
    case ew::kMode:
      return "EW_MODE";
    case ew::kReject:
      return "EW_REJECT";
    case ew::kAlarm:
      return "EW_ALARM";
    case ew::kStop:
      return "EW_STOP";
    case ew::kPasswd:
      return "EW_PASSWD";
    case ew::kBusy:
      return "EW_BUSY";
    case ew::kReset:
      return "EW_RESET";
    default:
      return "EW_(" + std::to_string(code) + ")";
  }
}

std::string errorMeaning(std::int16_t code) {
  switch (code) {
    case ew::kOk:
      return "no error";
    case ew::kFunc:
      return "the control does not implement this function";
    case ew::kLength:
      return "the data length is wrong";
    case ew::kNumber:
      return "the number (address, parameter, variable) is out of range";
    case ew::kAttrib:
      return "the data attribute or type is wrong";
    case ew::kData:
      return "the data is wrong (no such entry or an invalid value)";
    case ew::kNoOpt:
      return "the control lacks the option this function needs";
    case ew::kProt:
      return "the data is write-protected";
    case ew::kOverflow:
      return "the control's memory is full";
    case ew::kParam:
      return "a CNC parameter setting prevents the function";
    case ew::kBuffer:
      return "the control's buffer is full or empty; try again";
    case ew::kPath:
      return "the path number is wrong";
    case ew::kMode:
      return "the control's mode prevents the function";
    case ew::kReject:
      return "the control rejected the function in its present state";
    case ew::kAlarm:
      return "the control is in alarm";
    case ew::kStop:
      return "the control is stopped or in emergency stop";
    case ew::kPasswd:
      return "the data is protected by a password";
    case ew::kBusy:
      return "the control is busy; try again";
    case ew::kReset:
      return "the function was interrupted by a reset";
    default:
      return "an error code this client does not know";
  }
}

Bytes encodeFrame(const Frame& frame) {
  Bytes out(kSync.begin(), kSync.end());
  out.reserve(kHeaderSize + frame.body.size());
  put16(out, frame.version);
  put16(out, frame.type);
  put16(out, static_cast<std::uint16_t>(frame.body.size()));
  out.insert(out.end(), frame.body.begin(), frame.body.end());
  return out;
}

Result<Frame> decodeFrame(std::span<const std::uint8_t> bytes) {
  FrameReader reader(kMaxBody);
  if (reader.feed(bytes) != bytes.size() && bytes.size() >= kHeaderSize) {
    return bad("trailing bytes after the frame");
  }
  auto frame = reader.next();
  if (!frame) return std::move(frame).error();
  if (!frame->has_value()) {
    return bad("truncated frame: " + std::to_string(bytes.size()) + " bytes");
  }
  return std::move(**frame);
}

std::size_t FrameReader::wanted() const {
  if (m_buffer.size() < kHeaderSize) return kHeaderSize;
  return kHeaderSize + be16(m_buffer, 8);
}

std::size_t FrameReader::feed(std::span<const std::uint8_t> bytes) {
  std::size_t taken = 0;
  while (taken < bytes.size()) {
    const std::size_t want = wanted();
    if (m_buffer.size() >= want) break;  // a whole frame (or a bad header) waits for next()
    if (m_buffer.size() >= kHeaderSize && want - kHeaderSize > m_maxBody) break;
    const std::size_t n = std::min(want - m_buffer.size(), bytes.size() - taken);
    m_buffer.insert(m_buffer.end(), bytes.begin() + static_cast<std::ptrdiff_t>(taken),
                    bytes.begin() + static_cast<std::ptrdiff_t>(taken + n));
    taken += n;
    if (m_buffer.size() == kHeaderSize) {
      // Check the header as soon as it is whole, before taking a body it announces.
      if (!std::equal(kSync.begin(), kSync.end(), m_buffer.begin())) break;
      if (be16(m_buffer, 8) > m_maxBody) break;
    }
  }
  return taken;
}

Result<std::optional<Frame>> FrameReader::next() {
  if (m_buffer.size() >= 4 && !std::equal(kSync.begin(), kSync.end(), m_buffer.begin())) {
    return bad("not a FOCAS frame: no A0 A0 A0 A0 sync at the start");
  }
  if (m_buffer.size() < kHeaderSize) return std::optional<Frame>();
  const std::size_t body = be16(m_buffer, 8);
  if (body > m_maxBody) {
    return bad("frame of " + std::to_string(body) + " body bytes is over the limit of " +
               std::to_string(m_maxBody));
  }
  if (m_buffer.size() < kHeaderSize + body) return std::optional<Frame>();
  Frame f;
  f.version = be16(m_buffer, 4);
  f.type = be16(m_buffer, 6);
  f.body.assign(m_buffer.begin() + kHeaderSize, m_buffer.end());
  m_buffer.clear();
  return std::optional<Frame>(std::move(f));
}

Bytes encodeOpenRequest(std::uint16_t session) {
  Bytes body;
  put16(body, session);
  return frameWith(version::kRequest, frame_type::kOpenRequest, std::move(body));
}

Bytes encodeOpenReply(std::uint16_t replyVersion) {
  return frameWith(replyVersion, frame_type::kOpenReply, {});
}

Bytes encodeCloseRequest() { return frameWith(version::kRequest, frame_type::kCloseRequest, {}); }

Bytes encodeCloseReply(std::uint16_t replyVersion) {
  return frameWith(replyVersion, frame_type::kCloseReply, {});
}

Result<Bytes> encodeRequest(std::span<const Call> calls) {
  if (calls.empty() || calls.size() > kMaxCallsPerFrame) {
    return Error(ErrorCode::kInvalidArgument, "a request holds 1 to " +
                                                  std::to_string(kMaxCallsPerFrame) +
                                                  " calls, not " + std::to_string(calls.size()));
  }
  Bytes body;
  put16(body, static_cast<std::uint16_t>(calls.size()));
  for (const Call& c : calls) {
    const std::size_t size = kCallSize + c.payload.size();
    if (size > 0xFFFF || body.size() + size > kMaxBody) {
      return Error(ErrorCode::kInvalidArgument, "the request passes 65535 bytes");
    }
    put16(body, static_cast<std::uint16_t>(size));
    put16(body, c.cls);
    put16(body, c.path);
    put16(body, c.command);
    for (std::int32_t a : c.args) put32(body, static_cast<std::uint32_t>(a));
    body.insert(body.end(), c.payload.begin(), c.payload.end());
  }
  return frameWith(version::kRequest, frame_type::kRequest, std::move(body));
}

Result<std::vector<Call>> decodeRequest(const Frame& frame) {
  if (frame.type != frame_type::kRequest) {
    return bad("expected a data request, got a " + frameTypeName(frame.type));
  }
  const Bytes& b = frame.body;
  if (b.size() < 2) return bad("data request without a call count");
  const std::size_t count = be16(b, 0);
  if (count == 0 || count > kMaxCallsPerFrame) {
    return bad("data request with " + std::to_string(count) + " calls (1 to " +
               std::to_string(kMaxCallsPerFrame) + " allowed)");
  }
  std::vector<Call> calls;
  calls.reserve(count);
  std::size_t at = 2;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string which = "call " + std::to_string(i + 1) + " of " + std::to_string(count);
    if (b.size() - at < kCallSize) return bad(which + " is cut short");
    const std::size_t size = be16(b, at);
    if (size < kCallSize || size > b.size() - at) {
      return bad(which + " has a length of " + std::to_string(size) + " with " +
                 std::to_string(b.size() - at) + " bytes left");
    }
    Call c;
    c.cls = be16(b, at + 2);
    c.path = be16(b, at + 4);
    c.command = be16(b, at + 6);
    for (std::size_t k = 0; k < 5; ++k)
      c.args[k] = static_cast<std::int32_t>(be32(b, at + 8 + 4 * k));
    c.payload.assign(b.begin() + static_cast<std::ptrdiff_t>(at + kCallSize),
                     b.begin() + static_cast<std::ptrdiff_t>(at + size));
    calls.push_back(std::move(c));
    at += size;
  }
  if (at != b.size()) return bad(std::to_string(b.size() - at) + " bytes after the last call");
  return calls;
}

Result<Bytes> encodeReply(std::span<const Reply> replies, std::uint16_t replyVersion) {
  Bytes body;
  put16(body, static_cast<std::uint16_t>(replies.size()));
  for (const Reply& r : replies) {
    const std::size_t size = kReplyHeadSize + r.payload.size();
    if (size > 0xFFFF || body.size() + size > kMaxBody) {
      return Error(ErrorCode::kInvalidArgument, "the reply passes 65535 bytes");
    }
    put16(body, static_cast<std::uint16_t>(size));
    put16(body, r.cls);
    put16(body, r.path);
    put16(body, r.command);
    put16(body, static_cast<std::uint16_t>(r.error));
    put16(body, static_cast<std::uint16_t>(r.detail));
    put16(body, r.status);
    put16(body, static_cast<std::uint16_t>(r.payload.size()));
    body.insert(body.end(), r.payload.begin(), r.payload.end());
  }
  return frameWith(replyVersion, frame_type::kReply, std::move(body));
}

Result<std::vector<Reply>> decodeReply(const Frame& frame) {
  if (frame.type != frame_type::kReply) {
    return bad("expected a data reply, got a " + frameTypeName(frame.type));
  }
  const Bytes& b = frame.body;
  if (b.size() < 2) return bad("data reply without an answer count");
  const std::size_t count = be16(b, 0);
  if (count > kMaxCallsPerFrame) {
    return bad("data reply with " + std::to_string(count) + " answers (at most " +
               std::to_string(kMaxCallsPerFrame) + ")");
  }
  std::vector<Reply> replies;
  replies.reserve(count);
  std::size_t at = 2;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string which = "answer " + std::to_string(i + 1) + " of " + std::to_string(count);
    if (b.size() - at < kReplyHeadSize) return bad(which + " is cut short");
    const std::size_t size = be16(b, at);
    const std::size_t payload = be16(b, at + 14);
    if (size < kReplyHeadSize || size > b.size() - at || size != kReplyHeadSize + payload) {
      return bad(which + " has lengths " + std::to_string(size) + "/" + std::to_string(payload) +
                 " that do not fit its " + std::to_string(b.size() - at) + " bytes");
    }
    Reply r;
    r.cls = be16(b, at + 2);
    r.path = be16(b, at + 4);
    r.command = be16(b, at + 6);
    r.error = static_cast<std::int16_t>(be16(b, at + 8));
    r.detail = static_cast<std::int16_t>(be16(b, at + 10));
    r.status = be16(b, at + 12);
    r.payload.assign(b.begin() + static_cast<std::ptrdiff_t>(at + kReplyHeadSize),
                     b.begin() + static_cast<std::ptrdiff_t>(at + size));
    replies.push_back(std::move(r));
    at += size;
  }
  if (at != b.size()) return bad(std::to_string(b.size() - at) + " bytes after the last answer");
  return replies;
}

Status matchReplies(std::span<const Call> calls, std::span<const Reply> replies) {
  if (calls.size() != replies.size()) {
    return bad(std::to_string(replies.size()) + " answers to " + std::to_string(calls.size()) +
               " calls");
  }
  for (std::size_t i = 0; i < calls.size(); ++i) {
    const Call& c = calls[i];
    const Reply& r = replies[i];
    if (c.cls != r.cls || c.path != r.path || c.command != r.command) {
      return bad("answer " + std::to_string(i + 1) + " is for command " + hex4(r.command) +
                 " path " + std::to_string(r.path) + ", the call was " + hex4(c.command) +
                 " path " + std::to_string(c.path));
    }
  }
  return okStatus();
}

double Number::value() const {
  if (vacant() || base == 0 || exponent < -9 || exponent > 18) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return static_cast<double>(mantissa) / std::pow(static_cast<double>(base), exponent);
}

Number readNumber(std::span<const std::uint8_t> eight) {
  return Number{static_cast<std::int32_t>(be32(eight, 0)),
                static_cast<std::int16_t>(be16(eight, 4)),
                static_cast<std::int16_t>(be16(eight, 6))};
}

void appendNumber(Bytes& out, const Number& n) {
  put32(out, static_cast<std::uint32_t>(n.mantissa));
  put16(out, static_cast<std::uint16_t>(n.base));
  put16(out, static_cast<std::uint16_t>(n.exponent));
}

Number vacantNumber() { return Number{-1, 10, -1}; }

Number toNumber(double value, int decimals) {
  if (std::isnan(value)) return vacantNumber();
  decimals = std::clamp(decimals, 0, 9);
  for (;;) {
    const double scaled = std::round(value * std::pow(10.0, decimals));
    const bool fits = scaled >= std::numeric_limits<std::int32_t>::min() &&
                      scaled <= std::numeric_limits<std::int32_t>::max();
    if (fits || decimals == 0) {
      const double clamped = std::clamp(scaled, double{std::numeric_limits<std::int32_t>::min()},
                                        double{std::numeric_limits<std::int32_t>::max()});
      return Number{static_cast<std::int32_t>(clamped), 10, static_cast<std::int16_t>(decimals)};
    }
    --decimals;
  }
}

}  // namespace spindle::collectors::focas
