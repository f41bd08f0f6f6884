#pragma once
/// Text for XML documents: one escaping rule for everything Spindle writes as XML.

#include <string>
#include <string_view>

namespace spindle {

/// Appends `text` with the five XML escapes; control characters XML 1.0 does not allow become
/// spaces, so any input makes well-formed XML.
void appendXmlEscaped(std::string& out, std::string_view text);

}  // namespace spindle
