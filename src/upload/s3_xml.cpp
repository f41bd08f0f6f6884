#include "upload/s3_xml.hpp"

#include <charconv>
#include <sstream>

#include <pugixml.hpp>

#include "base/xml_text.hpp"

namespace spindle::upload {
namespace {

bool load(pugi::xml_document& doc, std::string_view xml) {
  return static_cast<bool>(doc.load_buffer(xml.data(), xml.size(), pugi::parse_default));
}

std::string text(const pugi::xml_node& node, const char* child) {
  return node.child(child).text().as_string();
}

std::string escape(std::string_view value) {
  std::string out;
  appendXmlEscaped(out, value);
  return out;
}

}  // namespace

std::optional<S3ErrorBody> parseErrorBody(std::string_view xml) {
  pugi::xml_document doc;
  if (!load(doc, xml)) return std::nullopt;
  const pugi::xml_node error = doc.child("Error");
  if (!error) return std::nullopt;
  return S3ErrorBody{text(error, "Code"), text(error, "Message")};
}

Result<std::string> parseUploadId(std::string_view xml) {
  pugi::xml_document doc;
  const std::string id =
      load(doc, xml) ? text(doc.child("InitiateMultipartUploadResult"), "UploadId") : "";
  if (id.empty()) {
    return Error(ErrorCode::kProtocol,
                 "the answer to CreateMultipartUpload holds no InitiateMultipartUploadResult/"
                 "UploadId");
  }
  return id;
}

Result<PartPage> parseListParts(std::string_view xml) {
  pugi::xml_document doc;
  const pugi::xml_node root = load(doc, xml) ? doc.child("ListPartsResult") : pugi::xml_node();
  if (!root) {
    return Error(ErrorCode::kProtocol, "the answer to ListParts is not a ListPartsResult");
  }
  PartPage page;
  page.truncated = text(root, "IsTruncated") == "true";
  page.nextMarker = root.child("NextPartNumberMarker").text().as_int(0);
  for (const pugi::xml_node part : root.children("Part")) {
    ListedPart p;
    p.number = part.child("PartNumber").text().as_int(0);
    p.etag = text(part, "ETag");
    p.size = part.child("Size").text().as_ullong(0);
    if (p.number < 1 || p.number > 10000 || p.etag.empty()) {
      return Error(ErrorCode::kProtocol,
                   "ListParts lists a part without a valid PartNumber "
                   "(1 to 10000) and ETag");
    }
    page.parts.push_back(std::move(p));
  }
  return page;
}

std::string completeMultipartBody(const std::map<int, std::string>& etags) {
  std::ostringstream out;
  out << "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& [number, etag] : etags) {
    out << "<Part><PartNumber>" << number << "</PartNumber><ETag>" << escape(etag)
        << "</ETag></Part>";
  }
  out << "</CompleteMultipartUpload>";
  return out.str();
}

}  // namespace spindle::upload
