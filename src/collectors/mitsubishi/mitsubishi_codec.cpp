#include "collectors/mitsubishi/mitsubishi_codec.hpp"

#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "collectors/mitsubishi/mitsubishi_cdr.hpp"

namespace spindle::collectors::mitsubishi {
namespace {

constexpr std::uint8_t kMagic[4] = {'G', 'I', 'O', 'P'};
constexpr std::size_t kDataHeaderSize = 12;  ///< u32 0, u32 type, u32 length

Error bad(const std::string& what) { return Error(ErrorCode::kProtocol, what); }

std::string hex32(std::uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", v);
  return text;
}

Request withArgs(std::uint32_t id, const char* op, std::vector<std::uint32_t> args, bool le) {
  Request r;
  r.requestId = id;
  r.operation = op;
  r.args = std::move(args);
  r.littleEndian = le;
  return r;
}

}  // namespace

std::string messageTypeName(std::uint8_t type) {
  static const char* const kNames[] = {"Request",       "Reply",       "CancelRequest",
                                       "LocateRequest", "LocateReply", "CloseConnection",
                                       "MessageError"};
  if (type < std::size(kNames)) return kNames[type];
  return "message type " + std::to_string(type);
}

Bytes encodeMessage(const Message& m) {
  Bytes out;
  out.reserve(kHeaderSize + m.body.size());
  for (std::uint8_t b : kMagic) out.push_back(b);
  out.push_back(1);  // GIOP 1.0
  out.push_back(0);
  out.push_back(m.littleEndian ? 1 : 0);
  out.push_back(m.type);
  CdrWriter(out, m.littleEndian).raw32(static_cast<std::uint32_t>(m.body.size()));
  out.insert(out.end(), m.body.begin(), m.body.end());
  return out;
}

Result<Message> decodeMessage(std::span<const std::uint8_t> bytes) {
  MessageReader reader(bytes.size());
  const std::size_t taken = reader.feed(bytes);
  auto m = reader.next();
  if (!m) return std::move(m).error();
  if (!m->has_value()) {
    return bad("a message of " + std::to_string(bytes.size()) + " bytes is cut off");
  }
  if (taken != bytes.size()) {
    return bad(std::to_string(bytes.size() - taken) + " bytes after the message");
  }
  return std::move(**m);
}

Result<std::size_t> MessageReader::wanted() const {
  if (m_buffer.size() < kHeaderSize) return kHeaderSize;
  if (std::memcmp(m_buffer.data(), kMagic, 4) != 0) {
    return bad("no GIOP magic (got " + hexOf(std::span(m_buffer).first(4)) + ")");
  }
  if (m_buffer[4] != 1 || m_buffer[5] > 2) {
    return bad("GIOP version " + std::to_string(m_buffer[4]) + "." + std::to_string(m_buffer[5]) +
               " is not 1.0 to 1.2");
  }
  const std::uint32_t body = load32(m_buffer, 8, (m_buffer[6] & 1) != 0);
  if (body > m_maxBody) {
    return bad("body length " + std::to_string(body) + " passes the limit of " +
               std::to_string(m_maxBody) + " bytes");
  }
  return kHeaderSize + body;
}

std::size_t MessageReader::feed(std::span<const std::uint8_t> bytes) {
  std::size_t taken = 0;
  while (taken < bytes.size()) {
    auto want = wanted();
    if (!want || m_buffer.size() >= *want) break;  // an error or a whole message waits
    const std::size_t n = std::min(*want - m_buffer.size(), bytes.size() - taken);
    m_buffer.insert(m_buffer.end(), bytes.begin() + static_cast<std::ptrdiff_t>(taken),
                    bytes.begin() + static_cast<std::ptrdiff_t>(taken + n));
    taken += n;
  }
  return taken;
}

Result<std::optional<Message>> MessageReader::next() {
  auto want = wanted();
  if (!want) return std::move(want).error();
  if (m_buffer.size() < kHeaderSize || m_buffer.size() < *want) {
    return std::optional<Message>{};
  }
  Message m;
  m.littleEndian = (m_buffer[6] & 1) != 0;
  m.type = m_buffer[7];
  if ((m_buffer[6] & 2) != 0) return bad("fragmented GIOP messages are not supported");
  m.body.assign(m_buffer.begin() + kHeaderSize, m_buffer.end());
  m_buffer.clear();
  return std::optional<Message>(std::move(m));
}

Bytes encodeRequest(const Request& r) {
  Bytes body;
  CdrWriter w(body, r.littleEndian, kHeaderSize);
  w.u32(0);  // service contexts
  w.u32(r.requestId);
  body.push_back(r.responseExpected ? 1 : 0);
  w.octets(r.objectKey);
  w.string(r.operation);
  w.u32(0);  // requesting principal: empty
  for (auto a : r.args) w.u32(a);
  return encodeMessage(Message{r.littleEndian, message_type::kRequest, std::move(body)});
}

namespace {

Status skipServiceContexts(CdrReader& in) {
  auto count = in.u32("service context count");
  if (!count) return std::move(count).error();
  if (*count > 64) return bad("service context count " + std::to_string(*count) + " passes 64");
  for (std::uint32_t i = 0; i < *count; ++i) {
    if (auto id = in.u32("service context id"); !id) return std::move(id).error();
    if (auto data = in.octets("service context"); !data) return std::move(data).error();
  }
  return okStatus();
}

}  // namespace

Result<Request> decodeRequest(const Message& m) {
  if (m.type != message_type::kRequest)
    return bad("a " + messageTypeName(m.type) + ", not a Request");
  CdrReader in(m.body, kHeaderSize, m.littleEndian);
  Request r;
  r.littleEndian = m.littleEndian;
  if (auto s = skipServiceContexts(in); !s) return std::move(s).error();
  auto id = in.u32("request id");
  if (!id) return std::move(id).error();
  r.requestId = *id;
  auto expected = in.u8("response_expected");
  if (!expected) return std::move(expected).error();
  r.responseExpected = *expected != 0;
  auto key = in.octets("object key");
  if (!key) return std::move(key).error();
  r.objectKey = std::move(*key);
  auto op = in.string("operation");
  if (!op) return std::move(op).error();
  if (op->empty()) return bad("empty operation name");
  r.operation = std::move(*op);
  if (auto p = in.octets("requesting principal"); !p) return std::move(p).error();
  while (in.left() >= 4) {
    auto a = in.u32("argument");
    if (!a) break;  // padding left too few bytes for another argument
    r.args.push_back(*a);
  }
  return r;
}

Bytes encodeReply(const Reply& r) {
  Bytes body;
  CdrWriter w(body, r.littleEndian, kHeaderSize);
  w.u32(0);
  w.u32(r.requestId);
  w.u32(r.status);
  body.insert(body.end(), r.result.begin(), r.result.end());
  return encodeMessage(Message{r.littleEndian, message_type::kReply, std::move(body)});
}

Result<Reply> decodeReply(const Message& m) {
  if (m.type != message_type::kReply) return bad("a " + messageTypeName(m.type) + ", not a Reply");
  CdrReader in(m.body, kHeaderSize, m.littleEndian);
  Reply r;
  r.littleEndian = m.littleEndian;
  if (auto s = skipServiceContexts(in); !s) return std::move(s).error();
  auto id = in.u32("request id");
  if (!id) return std::move(id).error();
  auto status = in.u32("reply status");
  if (!status) return std::move(status).error();
  if (*status > reply_status::kLocationForward) {
    return bad("reply status " + std::to_string(*status) + " is not 0 to 3");
  }
  r.requestId = *id;
  r.status = *status;
  r.resultAt = kHeaderSize + in.at();
  r.result.assign(in.rest().begin(), in.rest().end());
  return r;
}

Result<ExceptionInfo> decodeException(const Reply& r) {
  if (r.status != reply_status::kUserException && r.status != reply_status::kSystemException) {
    return bad("reply status " + std::to_string(r.status) + " is no exception");
  }
  CdrReader in(r.result, r.resultAt, r.littleEndian);
  auto id = in.string("exception id");
  if (!id) return std::move(id).error();
  ExceptionInfo e;
  e.id = std::move(*id);
  const std::size_t end = in.at();
  std::size_t at = 0;
  if (r.result.size() >= end + 8 && r.result.size() - 8 - end <= 3) {
    at = r.result.size() - 8;  // id, up to 3 bytes, code, one u32
  } else {
    auto code = in.u32("error code");
    if (!code) return std::move(code).error();
    e.code = *code;
    return e;
  }
  e.code = load32(r.result, at, r.littleEndian);
  return e;
}

Bytes encodeException(std::uint32_t code, const std::string& id, std::size_t resultAt, bool le) {
  Bytes out;
  CdrWriter w(out, le, resultAt);
  if (id.empty()) {
    w.u32(0);
    out.insert(out.end(), 3, 0);
    w.raw32(code);
    w.raw32(0);
  } else {
    w.string(id);
    w.u32(code);
    w.u32(1);  // completed: no
  }
  return out;
}

std::string errorName(std::uint32_t code) {
  const char* name = nullptr;
  switch (code) {
    case ez_error::kSectionIllegal:
      name = "section number illegal";
      break;
    case ez_error::kSubSectionIllegal:
      name = "sub-section number illegal";
      break;
    case ez_error::kLineNotOpen:
      name = "communication line not open";
      break;
    case ez_error::kArgumentTypeIllegal:
      name = "argument data type illegal";
      break;
    case ez_error::kNotConnected:
      name = "not connected";
      break;
    default:
      return "error " + hex32(code);
  }
  return std::string(name) + " (" + hex32(code) + ")";
}

std::string dataTypeName(std::uint32_t type) {
  switch (type) {
    case data_type::kChar:
      return "T_CHAR";
    case data_type::kShort:
      return "T_SHORT";
    case data_type::kLong:
      return "T_LONG";
    case data_type::kDLong:
      return "T_DLONG";
    case data_type::kDouble:
      return "T_DOUBLE";
    case data_type::kFloatBin:
      return "T_FLOATBIN";
    case data_type::kString:
      return "T_STR";
    case data_type::kUChar:
      return "T_UCHAR";
    case data_type::kUShort:
      return "T_USHORT";
    case data_type::kUInt32:
      return "T_UINT32";
    default: {
      char text[16];
      std::snprintf(text, sizeof text, "type 0x%X", type);
      return text;
    }
  }
}

Request getDataRequest(std::uint32_t requestId, const DataAddress& a, bool le) {
  return withArgs(requestId, operation::kGetData,
                  {a.section, a.subSection, a.system, a.axisFlag, 0, a.type}, le);
}

Result<DataAddress> dataAddressOf(const Request& r) {
  if (r.operation != operation::kGetData)
    return bad("operation " + r.operation + " is no mochaGetData");
  if (r.args.size() < 6) {
    return bad("mochaGetData with " + std::to_string(r.args.size()) + " arguments, not 6");
  }
  return DataAddress{r.args[0], r.args[1], r.args[2], r.args[3], r.args[5]};
}

Result<DataReply> decodeDataReply(const Reply& r) {
  if (r.status != reply_status::kNoException) {
    return bad("reply status " + std::to_string(r.status) + " carries no data");
  }
  const auto& b = r.result;
  if (b.size() < kDataHeaderSize) {
    return bad("data header needs 12 bytes, the reply has " + std::to_string(b.size()));
  }
  DataReply d;
  d.type = load32(b, 4, r.littleEndian);
  const std::uint32_t length = load32(b, 8, r.littleEndian);
  if (length != b.size() - kDataHeaderSize) {
    return bad("data length " + std::to_string(length) + " but " +
               std::to_string(b.size() - kDataHeaderSize) + " bytes follow");
  }
  d.data.assign(b.begin() + kDataHeaderSize, b.end());
  return d;
}

namespace {

/// The data size of a fixed-size type; 0 for T_STR and types not decoded.
std::size_t fixedSize(std::uint32_t type) {
  switch (type) {
    case data_type::kChar:
    case data_type::kUChar:
      return 1;
    case data_type::kShort:
    case data_type::kUShort:
      return 2;
    case data_type::kLong:
    case data_type::kUInt32:
      return 4;
    case data_type::kDLong:
    case data_type::kDouble:
      return 8;
    case data_type::kFloatBin:
      return 16;
    default:
      return 0;
  }
}

}  // namespace

Result<Value> decodeValue(std::uint32_t type, std::span<const std::uint8_t> d, bool le) {
  if (type == data_type::kString) {
    if (d.size() < 4) return bad("T_STR needs its 4-byte length, got " + std::to_string(d.size()));
    const std::uint32_t n = load32(d, 0, le);
    if (n > d.size() - 4) {
      return bad("T_STR length " + std::to_string(n) + " passes the " +
                 std::to_string(d.size() - 4) + " bytes that follow");
    }
    return Value(fixedText(d.subspan(4, n), n));
  }
  const std::size_t size = fixedSize(type);
  if (size == 0) return bad(dataTypeName(type) + " is not decoded");
  if (d.size() != size) {
    return bad(dataTypeName(type) + " needs " + std::to_string(size) + " bytes, got " +
               std::to_string(d.size()));
  }
  switch (type) {
    case data_type::kChar:
      return Value(std::int64_t{static_cast<std::int8_t>(d[0])});
    case data_type::kUChar:
      return Value(std::int64_t{d[0]});
    case data_type::kShort:
      return Value(std::int64_t{static_cast<std::int16_t>(load16(d, 0, le))});
    case data_type::kUShort:
      return Value(std::int64_t{load16(d, 0, le)});
    case data_type::kLong:
      return Value(std::int64_t{static_cast<std::int32_t>(load32(d, 0, le))});
    case data_type::kUInt32:
      return Value(std::int64_t{load32(d, 0, le)});
    case data_type::kDLong:
      return Value(static_cast<std::int64_t>(load64(d, 0, le)));
    case data_type::kDouble:
      return Value(std::bit_cast<double>(load64(d, 0, le)));
    default:  // T_FLOATBIN: i16 integer digits, i16 decimal digits, u32 option, f64
      return Value(std::bit_cast<double>(load64(d, 8, le)));
  }
}

Bytes encodeValue(std::uint32_t type, const Value& v, bool le, int decimals) {
  Bytes out;
  CdrWriter w(out, le);
  const double number = std::holds_alternative<double>(v) ? std::get<double>(v)
                        : std::holds_alternative<std::int64_t>(v)
                            ? static_cast<double>(std::get<std::int64_t>(v))
                            : 0.0;
  const auto integer = std::holds_alternative<std::int64_t>(v)
                           ? std::get<std::int64_t>(v)
                           : static_cast<std::int64_t>(std::llround(number));
  switch (type) {
    case data_type::kChar:
    case data_type::kUChar:
      out.push_back(static_cast<std::uint8_t>(integer));
      break;
    case data_type::kShort:
    case data_type::kUShort:
      w.raw16(static_cast<std::uint16_t>(integer));
      break;
    case data_type::kLong:
    case data_type::kUInt32:
      w.raw32(static_cast<std::uint32_t>(integer));
      break;
    case data_type::kDLong:
      w.raw64(static_cast<std::uint64_t>(integer));
      break;
    case data_type::kDouble:
      w.raw64(std::bit_cast<std::uint64_t>(number));
      break;
    case data_type::kFloatBin:
      w.raw16(static_cast<std::uint16_t>(9 - decimals));
      w.raw16(static_cast<std::uint16_t>(decimals));
      w.raw32(0);
      w.raw64(std::bit_cast<std::uint64_t>(number));
      break;
    case data_type::kString: {
      const std::string s = std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "";
      w.raw32(static_cast<std::uint32_t>(s.size()));
      out.insert(out.end(), s.begin(), s.end());
      break;
    }
    default:
      break;
  }
  return out;
}

Bytes encodeDataResult(std::uint32_t type, const Bytes& data, bool le) {
  Bytes out;
  CdrWriter w(out, le);
  w.raw32(0);
  w.raw32(type);
  w.raw32(static_cast<std::uint32_t>(data.size()));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::string hexOf(std::span<const std::uint8_t> bytes, std::size_t max) {
  std::string out;
  char two[4];
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    std::snprintf(two, sizeof two, "%02x", bytes[i]);
    if (!out.empty()) out += ' ';
    out += two;
  }
  if (bytes.size() > max) out += " ...";
  return out;
}

}  // namespace spindle::collectors::mitsubishi
