#pragma once
/// Indented copies of the documents the printers make (`pretty=true`, as a person reads them).
/// The compact form stays the default: it is what clients parse fastest.

#include <string>
#include <string_view>

namespace spindle::web::mtconnect {

/// `xml` re-indented by two spaces per level: one element per line, an element holding only
/// text kept on its line with the text unchanged. Whitespace-only text between elements is
/// dropped; comments, CDATA and processing instructions are kept as they are. Input that is
/// not well-formed is returned unchanged.
std::string indentXml(std::string_view xml);

/// `json` re-indented by two spaces per level; strings are copied unchanged. Input that does
/// not balance its brackets is returned unchanged.
std::string indentJson(std::string_view json);

}  // namespace spindle::web::mtconnect
