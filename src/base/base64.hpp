#pragma once
/// Base64, standard alphabet with padding (RFC 4648): HTTP Basic credentials, update keys and
/// signatures.

#include <string>
#include <string_view>

#include "base/error.hpp"

namespace spindle {

std::string base64Encode(std::string_view bytes);
/// Whitespace is ignored; kInvalidArgument on anything else that is not base64.
Result<std::string> base64Decode(std::string_view text);

}  // namespace spindle
