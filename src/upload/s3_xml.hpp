#pragma once
/// S3's XML answers and the one XML body the uploader sends (pugixml). Pure: text in, values
/// out.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.hpp"

namespace spindle::upload {

/// <Error><Code>..</Code><Message>..</Message></Error>.
struct S3ErrorBody {
  std::string code;  ///< "SignatureDoesNotMatch", "NoSuchBucket", ...
  std::string message;
};
/// Set when `xml` is an S3 <Error> document (S3 may send one with status 200 to a
/// CompleteMultipartUpload).
std::optional<S3ErrorBody> parseErrorBody(std::string_view xml);

/// The UploadId of an InitiateMultipartUploadResult; kProtocol when absent.
Result<std::string> parseUploadId(std::string_view xml);

struct ListedPart {
  int number = 0;
  std::string etag;  ///< as S3 wrote it, quotes included
  std::uint64_t size = 0;
};
/// One page of a ListPartsResult.
struct PartPage {
  std::vector<ListedPart> parts;
  bool truncated = false;
  int nextMarker = 0;  ///< NextPartNumberMarker: ask again from here when truncated
};
Result<PartPage> parseListParts(std::string_view xml);

/// The CompleteMultipartUpload body listing every part's number and ETag in order.
std::string completeMultipartBody(const std::map<int, std::string>& etags);

}  // namespace spindle::upload
