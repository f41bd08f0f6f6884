#include "collectors/focas/fwlib/fwlib_codes.hpp"

#include <string>

#include "collectors/focas/fwlib/fwlib_abi.hpp"

namespace spindle::collectors::focas::fwlib {

namespace {

struct CodeInfo {
  std::int16_t code;
  const char* name;
  const char* meaning;
  ErrorCode kind;
};

constexpr CodeInfo kCodes[] = {
    {abi::kEwProtocol, "EW_PROTOCOL", "the reply broke the protocol", ErrorCode::kProtocol},
    {abi::kEwSocket, "EW_SOCKET", "the connection to the control failed", ErrorCode::kUnavailable},
    {abi::kEwNoDll, "EW_NODLL", "the library has no module for this control",
     ErrorCode::kUnavailable},
    {abi::kEwBus, "EW_BUS", "bus error", ErrorCode::kUnavailable},
    {abi::kEwSystem2, "EW_SYSTEM2", "system error", ErrorCode::kUnavailable},
    {abi::kEwHssb, "EW_HSSB", "HSSB communication error", ErrorCode::kUnavailable},
    {abi::kEwHandle, "EW_HANDLE", "the session handle is not valid", ErrorCode::kUnavailable},
    {abi::kEwVersion, "EW_VERSION", "the control's version does not match the library",
     ErrorCode::kUnavailable},
    {abi::kEwUnexpected, "EW_UNEXP", "abnormal error", ErrorCode::kUnavailable},
    {abi::kEwSystem, "EW_SYSTEM", "system error", ErrorCode::kUnavailable},
    {abi::kEwParity, "EW_PARITY", "shared RAM parity error", ErrorCode::kUnavailable},
    {abi::kEwMmcsys, "EW_MMCSYS", "emm386 or mmcsys error", ErrorCode::kUnavailable},
    {abi::kEwReset, "EW_RESET", "the control was reset or stopped during the call",
     ErrorCode::kUnavailable},
    {abi::kEwBusy, "EW_BUSY", "the control is busy", ErrorCode::kUnavailable},
    {abi::kEwFunc, "EW_FUNC", "the control does not have this function", ErrorCode::kNotFound},
    {abi::kEwLength, "EW_LENGTH", "wrong data block length", ErrorCode::kInvalidArgument},
    {abi::kEwNumber, "EW_NUMBER", "no such data number or range", ErrorCode::kInvalidArgument},
    {abi::kEwAttrib, "EW_ATTRIB", "wrong data attribute or type", ErrorCode::kInvalidArgument},
    {abi::kEwData, "EW_DATA", "wrong data", ErrorCode::kInvalidArgument},
    {abi::kEwNoOpt, "EW_NOOPT", "the control lacks the option this function needs",
     ErrorCode::kNotFound},
    {abi::kEwProt, "EW_PROT", "write protected", ErrorCode::kInvalidArgument},
    {abi::kEwOverflow, "EW_OVRFLOW", "the control's memory overflowed", ErrorCode::kUnavailable},
    {abi::kEwParam, "EW_PARAM", "a CNC parameter is not set right", ErrorCode::kInvalidArgument},
    {abi::kEwBuffer, "EW_BUFFER", "buffer empty or full", ErrorCode::kUnavailable},
    {abi::kEwPath, "EW_PATH", "no such path", ErrorCode::kInvalidArgument},
    {abi::kEwMode, "EW_MODE", "not allowed in the control's mode", ErrorCode::kUnavailable},
    {abi::kEwReject, "EW_REJECT", "the control rejected the call", ErrorCode::kUnavailable},
    {abi::kEwAlarm, "EW_ALARM", "the control is in alarm", ErrorCode::kUnavailable},
    {abi::kEwStop, "EW_STOP", "the control is stopped", ErrorCode::kUnavailable},
    {abi::kEwPasswd, "EW_PASSWD", "the data is password protected", ErrorCode::kInvalidArgument},
};

const CodeInfo* find(std::int16_t code) {
  for (const auto& info : kCodes) {
    if (info.code == code) return &info;
  }
  return nullptr;
}

}  // namespace

const char* ewName(std::int16_t code) {
  const CodeInfo* info = find(code);
  return info != nullptr ? info->name : "EW_?";
}

Error ewError(std::string_view function, std::int16_t code) {
  const CodeInfo* info = find(code);
  std::string message(function);
  message += ": ";
  message += info != nullptr ? info->name : "an undocumented code";
  message += " (" + std::to_string(code) + ")";
  if (info != nullptr) {
    message += ": ";
    message += info->meaning;
  }
  return Error(info != nullptr ? info->kind : ErrorCode::kProtocol, std::move(message));
}

bool isUnsupported(const Error& error) { return error.code() == ErrorCode::kNotFound; }

}  // namespace spindle::collectors::focas::fwlib
