#include "collectors/lsv2/lsv2_codec.hpp"

#include <array>

#include "collectors/lsv2/lsv2_bytes.hpp"

namespace spindle::collectors::lsv2 {

namespace {

bool capital(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

std::string codeText(std::span<const std::uint8_t> four) {
  std::string out;
  for (std::uint8_t b : four) {
    if (b >= 0x20 && b < 0x7F) {
      out.push_back(static_cast<char>(b));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xF]);
    }
  }
  return out;
}

struct StatusText {
  std::uint8_t code;
  const char* name;
  const char* meaning;
};

constexpr std::array kStatus = {
    StatusText{20, "T_ER_BAD_FORMAT", "format error in the telegram"},
    StatusText{21, "T_ER_UNEXPECTED_TELE", "telegram not expected now"},
    StatusText{22, "T_ER_UNKNOWN_TELE", "telegram unknown to the control"},
    StatusText{23, "T_ER_NO_PRIV", "no privilege (the login level lacks it)"},
    StatusText{24, "T_ER_WRONG_PARA", "wrong parameter (not supported by this control)"},
    StatusText{25, "T_ER_BREAK", "transfer aborted"},
    StatusText{30, "T_ER_BAD_KEY", "bad key code"},
    StatusText{31, "T_ER_BAD_FNAME", "bad file name"},
    StatusText{32, "T_ER_NO_FILE", "no such file"},
    StatusText{33, "T_ER_OPEN_FILE", "the file cannot be opened"},
    StatusText{34, "T_ER_FILE_EXISTS", "the file exists"},
    StatusText{35, "T_ER_BAD_FILE", "bad file"},
    StatusText{46, "T_ER_DNC_STATUS", "wrong DNC status"},
    StatusText{49, "T_ER_NO_LOGIN", "not logged in"},
    StatusText{57, "T_ER_NO_NEXT_ERROR", "no next NC error (end of the list)"},
    StatusText{90, "T_ER_BUSY", "the control is busy"},
};

const StatusText* statusOf(std::uint8_t code) {
  for (const auto& s : kStatus) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

Telegram make(std::string_view c, Bytes payload = {}) {
  return Telegram{std::string(c), std::move(payload)};
}

void putString(Bytes& out, std::string_view s) {
  out.insert(out.end(), s.begin(), s.end());
  out.push_back(0);
}

}  // namespace

bool validCode(std::string_view c) {
  return c.size() == 4 && capital(c[0]) && c[1] == '_' && (capital(c[2]) || digit(c[2])) &&
         (capital(c[3]) || digit(c[3]));
}

Result<Bytes> encodeTelegram(const Telegram& t, std::size_t buffer) {
  if (!validCode(t.code)) {
    return Error(ErrorCode::kInvalidArgument, "'" + t.code + "' is not an LSV2 telegram code");
  }
  const std::size_t size = kHeaderSize + t.payload.size();
  if (size > buffer) {
    return Error(ErrorCode::kInvalidArgument, t.code + " telegram of " + std::to_string(size) +
                                                  " bytes exceeds the " + std::to_string(buffer) +
                                                  "-byte buffer agreed with the peer");
  }
  Bytes out;
  out.reserve(size);
  put32(out, static_cast<std::uint32_t>(t.payload.size()));
  out.insert(out.end(), t.code.begin(), t.code.end());
  out.insert(out.end(), t.payload.begin(), t.payload.end());
  return out;
}

Result<Telegram> decodeTelegram(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kHeaderSize) {
    return Error(ErrorCode::kProtocol, "telegram of " + std::to_string(bytes.size()) +
                                           " bytes is shorter than its 8-byte header");
  }
  const std::string c = codeText(bytes.subspan(4, 4));
  if (!validCode(c)) return Error(ErrorCode::kProtocol, "'" + c + "' is not a telegram code");
  const std::uint32_t length = be32(bytes, 0);
  if (length != bytes.size() - kHeaderSize) {
    return Error(ErrorCode::kProtocol, c + " says " + std::to_string(length) +
                                           " payload bytes, has " +
                                           std::to_string(bytes.size() - kHeaderSize));
  }
  return Telegram{c, Bytes(bytes.begin() + kHeaderSize, bytes.end())};
}

std::size_t TelegramReader::wanted() const {
  if (m_buffer.size() < kHeaderSize) return kHeaderSize;
  return kHeaderSize + std::min<std::size_t>(be32(m_buffer, 0), m_maxPayload);
}

bool TelegramReader::headerBad() const {
  const std::string c = codeText(std::span(m_buffer).subspan(4, 4));
  return !validCode(c) || be32(m_buffer, 0) > m_maxPayload;
}

std::size_t TelegramReader::feed(std::span<const std::uint8_t> bytes) {
  std::size_t taken = 0;
  while (taken < bytes.size()) {
    if (m_buffer.size() >= kHeaderSize && headerBad()) break;  // next() reports it
    const std::size_t want = wanted();
    if (m_buffer.size() >= want) break;  // a whole telegram (or a bad header) waits
    const std::size_t n = std::min(want - m_buffer.size(), bytes.size() - taken);
    m_buffer.insert(m_buffer.end(), bytes.begin() + static_cast<std::ptrdiff_t>(taken),
                    bytes.begin() + static_cast<std::ptrdiff_t>(taken + n));
    taken += n;
  }
  return taken;
}

Result<std::optional<Telegram>> TelegramReader::next() {
  if (m_buffer.size() < kHeaderSize) return std::optional<Telegram>();
  const std::string c = codeText(std::span(m_buffer).subspan(4, 4));
  if (!validCode(c)) {
    return Error(ErrorCode::kProtocol, "'" + c + "' is not an LSV2 telegram code");
  }
  const std::uint32_t length = be32(m_buffer, 0);
  if (length > m_maxPayload) {
    return Error(ErrorCode::kProtocol, c + " telegram says " + std::to_string(length) +
                                           " payload bytes, more than the " +
                                           std::to_string(m_maxPayload) + " accepted");
  }
  if (m_buffer.size() < kHeaderSize + length) return std::optional<Telegram>();
  Telegram t{c, Bytes(m_buffer.begin() + kHeaderSize, m_buffer.end())};
  m_buffer.clear();
  return std::optional<Telegram>(std::move(t));
}

Result<TransferError> decodeError(const Telegram& t) {
  if (!t.isError()) {
    return Error(ErrorCode::kInvalidArgument, t.code + " is not an error telegram");
  }
  if (t.payload.size() != 2) {
    return Error(ErrorCode::kProtocol, t.code + " with " + std::to_string(t.payload.size()) +
                                           " payload bytes (want type and code: 2)");
  }
  return TransferError{t.payload[0], t.payload[1]};
}

std::string errorName(std::uint8_t code) {
  const auto* s = statusOf(code);
  return s != nullptr ? s->name : "T_ER code " + std::to_string(code);
}

std::string errorMeaning(std::uint8_t code) {
  const auto* s = statusOf(code);
  if (s != nullptr) return s->meaning;
  return code >= 100 ? "block transfer error" : "error not known to Spindle";
}

std::string describeError(const Telegram& t) {
  auto e = decodeError(t);
  if (!e) return e.error().message();
  return t.code + " type " + std::to_string(e->type) + " code " + std::to_string(e->code) + " " +
         errorName(e->code) + ": " + errorMeaning(e->code);
}

BufferChoice chooseBuffer(std::uint32_t maxBlockLength) {
  BufferChoice best;
  for (std::uint16_t c = 3; c <= 7; ++c) {
    const std::size_t size = *bufferForCommand(c);
    if (size <= maxBlockLength && size > best.size) best = BufferChoice{c, size};
  }
  return best;
}

std::optional<std::size_t> bufferForCommand(std::uint16_t command) {
  switch (command) {
    case 3:
      return 1024;
    case 4:
      return 512;
    case 5:
      return 2048;
    case 6:
      return 3072;
    case 7:
      return 4096;
    default:
      return std::nullopt;
  }
}

Telegram loginRequest(std::string_view name, std::string_view password) {
  Bytes p;
  putString(p, name);
  if (!password.empty()) putString(p, password);
  return make(code::kLogin, std::move(p));
}

Telegram logoutRequest() { return make(code::kLogout); }

Telegram versionRequest(std::optional<std::uint8_t> what) {
  return make(code::kVersionRequest, what ? Bytes{*what} : Bytes{});
}

Telegram parameterRequest() { return make(code::kParameterRequest); }

Telegram bufferRequest(std::uint16_t command) {
  Bytes p;
  put16(p, command);
  return make(code::kControlCommand, std::move(p));
}

Telegram runInfoRequest(std::uint16_t info) {
  Bytes p;
  put16(p, info);
  return make(code::kRunInfoRequest, std::move(p));
}

Telegram memoryRequest(std::uint32_t address, std::uint8_t count) {
  Bytes p;
  put32(p, address);
  p.push_back(count);
  return make(code::kMemoryRequest, std::move(p));
}

Telegram dataPathRequest(std::string_view path) {
  Bytes p(4, 0);
  putString(p, path);
  return make(code::kDataPathRequest, std::move(p));
}

Telegram fileRequest(std::string_view path, bool binary) {
  Bytes p;
  putString(p, path);
  if (binary) p.push_back(1);
  return make(code::kFileRequest, std::move(p));
}

Telegram okTelegram() { return make(code::kOk); }

Telegram errorTelegram(TransferError error, bool block) {
  return make(block ? code::kBlockError : code::kError, Bytes{error.type, error.code});
}

std::vector<std::string> splitStrings(std::span<const std::uint8_t> payload) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] == 0) {
      out.emplace_back(payload.begin() + static_cast<std::ptrdiff_t>(start),
                       payload.begin() + static_cast<std::ptrdiff_t>(i));
      start = i + 1;
    }
  }
  if (start < payload.size()) {
    out.emplace_back(payload.begin() + static_cast<std::ptrdiff_t>(start), payload.end());
  }
  return out;
}

}  // namespace spindle::collectors::lsv2
