#include "sim/lsv2_control.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "sim/update_text.hpp"

namespace spindle::sim {
namespace {

namespace lv = collectors::lsv2;
using lv::Bytes;
using lv::Telegram;

constexpr std::array kIdentities = {Lsv2Identity::kItnc530, Lsv2Identity::kTnc640,
                                    Lsv2Identity::kTnc320,  Lsv2Identity::kTnc7,
                                    Lsv2Identity::kTnc426,  Lsv2Identity::kCncPilot640};

// PLC image of the simulated control, as byte offsets into the word area (docs: "Simulator").
constexpr std::uint32_t kSpindleOverrideWord = 0;  ///< W0: spindle override, percent
constexpr std::uint32_t kFeedOverrideWord = 2;     ///< W2: feed override, percent
constexpr std::uint32_t kPartCountDouble = 4;      ///< D4: parts made
constexpr std::uint32_t kToolDouble = 8;           ///< D8: tool in the spindle

Telegram refuse(std::uint8_t code) { return lv::errorTelegram({1, code}); }

Telegram reply(std::string_view code, Bytes payload) {
  return Telegram{std::string(code), std::move(payload)};
}

lv::Versions versionsOf(Lsv2Identity id) {
  switch (id) {
    case Lsv2Identity::kItnc530:
      return {"iTNC530", "340490 06 SP3", "800A_AA.PLC", "", "%0000111100000000"};
    case Lsv2Identity::kTnc640:
      return {"TNC640", "340595 10 SP2", "PLC_TNC640", "SPLC_TNC640", "0000000100000100"};
    case Lsv2Identity::kTnc320:
      return {"TNC320", "771855 18 SP1", "Basic V18-00", "No version given", "0000000100000100"};
    case Lsv2Identity::kTnc7:
      return {"TNC7", "817605 18 SP2", "PLC_TNC7", "SPLC_TNC7", "0000001100000100"};
    case Lsv2Identity::kTnc426:
      return {"TNC 426/430M", "280476 24 ", "GR495.07SA", "", ""};
    default:
      return {"CNC PILOT 640", "688946 10 SP1", "PLC_PILOT", "SPLC_PILOT", "0000000000000100"};
  }
}

lv::SystemParameters parametersOf(Lsv2Identity id) {
  lv::SystemParameters p;
  const bool old = id == Lsv2Identity::kItnc530 || id == Lsv2Identity::kTnc426;
  p.markers = old ? lv::Area{12064, 10000} : lv::Area{122064, 40000};
  p.inputs = {162064, 1000};
  p.outputs = {163064, 1000};
  p.counters = {164064, 144};
  p.timers = {164208, 1000};
  p.words = {64, 120000};
  p.strings = {165208, 400};
  p.maxStringLength = 240;
  p.lsv2Version = 1;
  p.versionFlags = 0x9F;
  p.maxTraceLine = 128;
  p.scopeChannels = 32;
  switch (id) {
    case Lsv2Identity::kTnc426:
      p.maxBlockLength = 256;  // an old control: the default buffer only
      break;
    case Lsv2Identity::kTnc7:
      p.maxBlockLength = 4096;
      break;
    case Lsv2Identity::kItnc530:
      p.maxBlockLength = 4088;
      p.size = 124;
      break;
    default:
      p.maxBlockLength = 4088;
  }
  return p;
}

std::string tableText() {
  // A tool table big enough to take several blocks at any buffer size.
  std::string t = "BEGIN TOOL.T MM\nT    NAME             L           R\n";
  for (int i = 0; i < 200; ++i) {
    t += std::to_string(i) + "    TOOL_" + std::to_string(i) + "    " + std::to_string(50 + i) +
         ".000    " + std::to_string(1 + i % 20) + ".000\n";
  }
  return t + "[END]\n";
}

}  // namespace

std::string_view lsv2IdentityName(Lsv2Identity id) {
  switch (id) {
    case Lsv2Identity::kItnc530:
      return "itnc530";
    case Lsv2Identity::kTnc640:
      return "tnc640";
    case Lsv2Identity::kTnc320:
      return "tnc320";
    case Lsv2Identity::kTnc7:
      return "tnc7";
    case Lsv2Identity::kTnc426:
      return "tnc426";
    default:
      return "cncpilot640";
  }
}

Result<Lsv2Identity> parseLsv2Identity(std::string_view text) {
  for (auto id : kIdentities) {
    if (text == lsv2IdentityName(id)) return id;
  }
  return Error(ErrorCode::kInvalidArgument,
               "control '" + std::string(text) +
                   "' is not one of itnc530, tnc640, tnc320, tnc7, tnc426, cncpilot640");
}

Lsv2Control::Lsv2Control(MachineProfile profile, Lsv2Identity identity, bool dncOption)
    : m_identity(identity),
      m_dncOption(dncOption),
      m_model(std::move(profile)),
      m_versions(versionsOf(identity)),
      m_parameters(parametersOf(identity)) {
  for (auto& u : m_model.snapshot()) m_values[u.key] = u.text;
  m_files["TNC:\\TOOL.T"] = tableText();
  m_files["TNC:\\table\\tool.t"] = tableText();
}

void Lsv2Control::step(std::chrono::milliseconds dt) {
  for (auto& u : m_model.step(dt)) m_values[u.key] = std::move(u.text);
}

void Lsv2Control::raiseError(std::int32_t number, std::string text) {
  m_injected.push_back(lv::NcError{3, 3, number, std::move(text)});
}

const std::string& Lsv2Control::value(std::string_view key) const {
  static const std::string kEmpty;
  auto it = m_values.find(key);
  return it == m_values.end() ? kEmpty : it->second;
}

double Lsv2Control::number(std::string_view key) const {
  const std::string& t = value(key);
  double v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

Telegram Lsv2Control::answer(Session& s, const Telegram& t) {
  if (lv::kHeaderSize + t.payload.size() > s.buffer) {
    ++s.oversized;  // a real control drops the transfer; the tests count it
    return refuse(lv::status::kBadFormat);
  }
  if (t.is(lv::code::kLogin)) return login(s, t);
  if (t.is(lv::code::kLogout)) {
    s.logins.clear();
    return lv::okTelegram();
  }
  if (t.is(lv::code::kOk)) {
    if (s.blocks.empty()) return refuse(lv::status::kUnexpectedTelegram);
    Telegram next = std::move(s.blocks.front());
    s.blocks.pop_front();
    return next;
  }
  if (!s.logins.count("INSPECT")) return refuse(lv::status::kNoLogin);
  if (t.is(lv::code::kVersionRequest)) return versionReply(t);
  if (t.is(lv::code::kParameterRequest)) {
    return reply(lv::code::kParameters, lv::encodeSystemParameters(m_parameters));
  }
  if (t.is(lv::code::kControlCommand) && t.payload.size() >= 2) {
    const auto command = static_cast<std::uint16_t>(t.payload[0] << 8 | t.payload[1]);
    const auto size = lv::bufferForCommand(command);
    if (!size || *size > m_parameters.maxBlockLength) return refuse(lv::status::kWrongParameter);
    s.buffer = *size;
    return lv::okTelegram();
  }
  if (t.is(lv::code::kRunInfoRequest) && t.payload.size() == 2) {
    if (!s.logins.count("DNC")) return refuse(lv::status::kNoPrivilege);
    return runInfo(s, static_cast<std::uint16_t>(t.payload[0] << 8 | t.payload[1]));
  }
  if (t.is(lv::code::kMemoryRequest)) {
    if (!s.logins.count("PLCDEBUG")) return refuse(lv::status::kNoPrivilege);
    return memory(t);
  }
  if (t.is(lv::code::kDataPathRequest)) {
    if (m_identity != Lsv2Identity::kItnc530) return refuse(lv::status::kUnknownTelegram);
    if (!s.logins.count("DATA")) return refuse(lv::status::kNoPrivilege);
    return dataPath(t);
  }
  if (t.is(lv::code::kFileRequest)) {
    if (!s.logins.count("FILE")) return refuse(lv::status::kNoPrivilege);
    return file(s, t);
  }
  return refuse(lv::status::kUnknownTelegram);
}

Telegram Lsv2Control::login(Session& s, const Telegram& t) {
  const auto parts = lv::splitStrings(t.payload);
  if (parts.empty()) return refuse(lv::status::kWrongParameter);
  const std::string& name = parts[0];
  if (m_refuseLogins) return refuse(lv::status::kNoPrivilege);
  if (name != "INSPECT" && !s.logins.count("INSPECT")) return refuse(lv::status::kNoLogin);
  static const std::set<std::string, std::less<>> kKnown = {"INSPECT", "DNC",  "PLCDEBUG",
                                                            "DATA",    "FILE", "DIAGNOSTICS"};
  if (!kKnown.count(name)) return refuse(lv::status::kWrongParameter);
  if (name == "DNC" && !m_dncOption) return refuse(lv::status::kNoPrivilege);
  if (name == "DATA" && m_identity != Lsv2Identity::kItnc530) {
    return refuse(lv::status::kWrongParameter);
  }
  s.logins.insert(name);
  return lv::okTelegram();
}

Telegram Lsv2Control::versionReply(const Telegram& t) const {
  if (t.payload.empty()) return reply(lv::code::kVersions, lv::encodeVersions(m_versions));
  if (m_identity == Lsv2Identity::kTnc426 || t.payload.size() != 1) {
    return refuse(lv::status::kWrongParameter);  // the TNC 426 knows only the plain R_VR
  }
  const std::string* text = nullptr;
  switch (t.payload[0]) {
    case 1:
      text = &m_versions.control;
      break;
    case 2:
      text = &m_versions.ncSoftware;
      break;
    case 3:
      text = &m_versions.plc;
      break;
    default:
      return refuse(lv::status::kWrongParameter);
  }
  Bytes p(text->begin(), text->end());
  p.push_back(0);
  return reply(lv::code::kVersions, std::move(p));
}

std::vector<lv::NcError> Lsv2Control::errors() const {
  std::vector<lv::NcError> out;
  const auto f = fields(value("system"));
  if (f.size() >= 5 && f[0] == "FAULT") {
    std::int32_t n = 0;
    for (char c : f[1]) {
      if (c >= '0' && c <= '9') n = n * 10 + (c - '0');
    }
    out.push_back(lv::NcError{3, 1, n, std::string(f[4])});
  }
  out.insert(out.end(), m_injected.begin(), m_injected.end());
  return out;
}

Telegram Lsv2Control::runInfo(Session& s, std::uint16_t info) const {
  const bool itnc = m_identity == Lsv2Identity::kItnc530;
  const std::string& ex = value("execution");
  switch (info) {
    case lv::info::kAxisLocation: {
      std::vector<lv::AxisPosition> axes = {
          {"X", number("Xact")}, {"Y", number("Yact")}, {"Z", number("Zact")}};
      if (itnc || m_identity == Lsv2Identity::kTnc640) {
        axes.push_back({"B", 0.0});
        axes.push_back({"C", 0.0});
      }
      return reply(lv::code::kRunInfo, lv::encodeAxisLocation(axes));
    }
    case lv::info::kExecutionMode: {
      const std::string& mode = value("mode");
      const std::uint16_t m = mode == "AUTOMATIC" ? 4 : mode == "MANUAL_DATA_INPUT" ? 1 : 0;
      return reply(lv::code::kRunInfo, lv::encodeU16(m));
    }
    case lv::info::kProgramStack: {
      const std::string path = "TNC:\\nc_prog\\" + value("program");
      return reply(
          lv::code::kRunInfo,
          lv::encodeProgramStack({static_cast<std::uint32_t>(number("line")), path, path}));
    }
    case lv::info::kOverrides:
      return reply(lv::code::kRunInfo,
                   lv::encodeOverrides({number("Fovr"), number("Sovr"), 100.0}));
    case lv::info::kProgramState: {
      const bool fault = value("system").rfind("FAULT", 0) == 0;
      std::uint16_t st = 7;  // idle
      if (ex == "ACTIVE") st = 0;
      if (ex == "FEED_HOLD") st = 1;
      if (ex == "PROGRAM_COMPLETED") st = 2;
      if (ex == "INTERRUPTED") st = 4;
      if (ex == "STOPPED") st = fault ? 5 : 3;
      return reply(lv::code::kRunInfo, lv::encodeU16(st));
    }
    case lv::info::kFirstError:
    case lv::info::kNextError: {
      if (!itnc) return refuse(lv::status::kWrongParameter);
      const auto list = errors();
      if (info == lv::info::kFirstError) s.nextError = 0;
      if (s.nextError >= list.size()) return refuse(lv::status::kNoNextError);
      return reply(lv::code::kRunInfo, lv::encodeNcError(list[s.nextError++]));
    }
    case lv::info::kCurrentTool: {
      if (!itnc) return refuse(lv::status::kWrongParameter);
      const auto tool = static_cast<std::uint32_t>(number("tool"));
      return reply(lv::code::kRunInfo,
                   lv::encodeToolInfo({tool, 0, 2, 50.0 + tool, 1.0 + tool % 20}));
    }
    default:
      return refuse(lv::status::kWrongParameter);
  }
}

std::int64_t Lsv2Control::plcWordArea(std::uint32_t offset, std::size_t size) const {
  auto in = [&](std::uint32_t at, std::size_t n) {
    return offset >= at && offset + size <= at + n;
  };
  if (in(kSpindleOverrideWord, 2)) return static_cast<std::int64_t>(number("Sovr"));
  if (in(kFeedOverrideWord, 2)) return static_cast<std::int64_t>(number("Fovr"));
  if (in(kPartCountDouble, 4)) return static_cast<std::int64_t>(number("partcount"));
  if (in(kToolDouble, 4)) return static_cast<std::int64_t>(number("tool"));
  return 0;
}

std::uint8_t Lsv2Control::plcByte(std::uint32_t address) const {
  const auto& p = m_parameters;
  if (address == p.markers.start) return value("execution") == "ACTIVE" ? 1 : 0;  // M0
  if (address == p.markers.start + 1) return value("estop") == "TRIGGERED" ? 1 : 0;
  if (address < p.words.start || address >= p.words.start + 16) return 0;
  const std::uint32_t offset = address - p.words.start;
  // The byte of the little-endian value that covers it.
  std::uint32_t base = offset < 4 ? offset / 2 * 2 : offset / 4 * 4;
  const std::size_t size = offset < 4 ? 2 : 4;
  const auto v = static_cast<std::uint64_t>(plcWordArea(base, size));
  return static_cast<std::uint8_t>(v >> (8 * (offset - base)));
}

Telegram Lsv2Control::memory(const Telegram& t) const {
  if (t.payload.size() != 5 || t.payload[4] == 0) return refuse(lv::status::kWrongParameter);
  const std::uint32_t address = std::uint32_t{t.payload[0]} << 24 |
                                std::uint32_t{t.payload[1]} << 16 |
                                std::uint32_t{t.payload[2]} << 8 | t.payload[3];
  Bytes out;
  for (std::uint32_t i = 0; i < t.payload[4]; ++i) out.push_back(plcByte(address + i));
  return reply(lv::code::kMemory, std::move(out));
}

Telegram Lsv2Control::dataPath(const Telegram& t) const {
  if (t.payload.size() < 5) return refuse(lv::status::kWrongParameter);
  const auto parts = lv::splitStrings(std::span(t.payload).subspan(4));
  const std::string path = parts.empty() ? "" : parts[0];
  auto numberAfter = [&](std::string_view prefix, std::uint32_t& n) {
    if (!path.starts_with(prefix)) return false;
    const char* first = path.data() + prefix.size();
    const char* last = path.data() + path.size();
    auto [end, ec] = std::from_chars(first, last, n);
    return ec == std::errc() && (end == last || *end == '\\');
  };
  std::uint32_t n = 0;
  if (numberAfter("\\PLC\\memory\\D\\", n)) {
    return reply(lv::code::kDataPath, lv::encodeDataPath(lv::Scalar(plcWordArea(n, 4))));
  }
  if (numberAfter("\\PLC\\memory\\M\\", n)) {
    return reply(lv::code::kDataPath,
                 lv::encodeDataPath(lv::Scalar(plcByte(m_parameters.markers.start + n) != 0)));
  }
  if (numberAfter("\\TABLE\\TOOL\\T\\", n)) {
    if (path.ends_with("\\L")) return reply(lv::code::kDataPath, lv::encodeDataPath(50.0 + n));
    if (path.ends_with("\\DOC")) {
      return reply(lv::code::kDataPath,
                   lv::encodeDataPath(lv::Scalar("TOOL_" + std::to_string(n))));
    }
  }
  return refuse(lv::status::kWrongParameter);
}

Telegram Lsv2Control::file(Session& s, const Telegram& t) {
  const auto parts = lv::splitStrings(t.payload);
  auto it = parts.empty() ? m_files.end() : m_files.find(parts[0]);
  if (it == m_files.end()) return refuse(lv::status::kNoFile);
  // Blocks as large as the agreed buffer allows, each sent after the client's T_OK.
  const std::size_t room = s.buffer - lv::kHeaderSize;
  const std::string& content = it->second;
  s.blocks.clear();
  for (std::size_t at = 0; at < content.size(); at += room) {
    const auto end = std::min(content.size(), at + room);
    s.blocks.push_back(
        reply(lv::code::kFileBlock, Bytes(content.begin() + static_cast<std::ptrdiff_t>(at),
                                          content.begin() + static_cast<std::ptrdiff_t>(end))));
  }
  s.blocks.push_back(reply(lv::code::kTransferDone, {}));
  Telegram first = std::move(s.blocks.front());
  s.blocks.pop_front();
  return first;
}

}  // namespace spindle::sim
