#pragma once
/// What the library's EW_* return codes mean, as Spindle errors.

#include <cstdint>
#include <string_view>

#include "base/error.hpp"

namespace spindle::collectors::focas::fwlib {

/// "EW_NOOPT"; "EW_?" for a code the documentation does not list.
const char* ewName(std::int16_t code);

/// The error for `function` answering `code` (not EW_OK): "cnc_rdtofs: EW_NOOPT (6): the
/// control lacks the option this function needs". The error code says what the caller can do:
/// - kNotFound: EW_FUNC or EW_NOOPT, the control will never answer this; stop asking
///   (isUnsupported()). An optional function missing from the library gives the same.
/// - kUnavailable: the session is gone or busy (EW_SOCKET, EW_HANDLE, EW_BUSY, EW_RESET...);
///   reconnecting may help.
/// - kInvalidArgument: the request was wrong for this control (EW_NUMBER, EW_LENGTH, EW_ATTRIB,
///   EW_PARAM, EW_PATH...), e.g. a macro or parameter number it does not have.
/// - kProtocol: EW_PROTOCOL and codes the documentation does not list.
Error ewError(std::string_view function, std::int16_t code);

/// True for the errors that mean "this control or this library cannot answer that function".
bool isUnsupported(const Error& error);

}  // namespace spindle::collectors::focas::fwlib
