#pragma once
/// The management page's static files (HTML, CSS, JavaScript, images), compiled into the binary
/// so the page works on an edge without internet. The definitions are generated at build time by
/// spindle_embed_assets() (cmake/SpindleEmbed.cmake) from src/web/management/assets/.

#include <span>
#include <string_view>

namespace spindle::web::management {

/// One embedded file. Every view points into static storage: valid for the whole program, never
/// freed, safe to read from any thread.
struct Asset {
  std::string_view path;         ///< as requested, rooted: "/app.js", "/pages/machines.js"
  std::string_view contentType;  ///< for the Content-Type header: "text/javascript; charset=utf-8"
  std::string_view body;         ///< the file's bytes, exactly (may hold zero bytes)
  /// For the ETag header, quotes included: the first 128 bits of the file's SHA-256 in hex,
  /// computed at build time, so it changes whenever the content does.
  std::string_view etag;
};

/// The asset served at `path` ("/" is "/index.html"), or nullptr when there is none. Exact match
/// only: no query string, no "..", no case folding; the caller strips the query first.
const Asset* findAsset(std::string_view path);

/// Every embedded asset, in the order they were listed to the build.
std::span<const Asset> allAssets();

}  // namespace spindle::web::management
