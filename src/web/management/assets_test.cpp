#include "web/management/assets.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

namespace spindle::web::management {
namespace {

bool endsWith(std::string_view text, std::string_view tail) {
  return text.size() >= tail.size() && text.substr(text.size() - tail.size()) == tail;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// The first `on<letters>=` that follows white space (an HTML event-handler attribute), or npos.
std::size_t findHandlerAttribute(std::string_view text) {
  for (std::size_t i = 1; i + 3 < text.size(); ++i) {
    if (!std::isspace(static_cast<unsigned char>(text[i - 1])) || text[i] != 'o' ||
        text[i + 1] != 'n') {
      continue;
    }
    std::size_t j = i + 2;
    while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j]))) ++j;
    if (j == i + 2) continue;
    while (j < text.size() && text[j] == ' ') ++j;
    if (j < text.size() && text[j] == '=') return i;
  }
  return std::string_view::npos;
}

TEST(ManagementAssets, IndexIsServedAtRootAndByName) {
  const Asset* root = findAsset("/");
  const Asset* named = findAsset("/index.html");
  ASSERT_NE(root, nullptr);
  ASSERT_EQ(root, named);
  EXPECT_EQ(root->path, "/index.html");
  EXPECT_EQ(root->contentType, "text/html; charset=utf-8");
  EXPECT_NE(root->body.find("<!doctype html>"), std::string_view::npos);
  EXPECT_NE(root->body.find("src=\"/app.js\""), std::string_view::npos);
}

TEST(ManagementAssets, ContentTypesFollowTheExtension) {
  ASSERT_NE(findAsset("/app.js"), nullptr);
  EXPECT_EQ(findAsset("/app.js")->contentType, "text/javascript; charset=utf-8");
  ASSERT_NE(findAsset("/app.css"), nullptr);
  EXPECT_EQ(findAsset("/app.css")->contentType, "text/css; charset=utf-8");
  ASSERT_NE(findAsset("/logo.svg"), nullptr);
  EXPECT_EQ(findAsset("/logo.svg")->contentType, "image/svg+xml");
  ASSERT_NE(findAsset("/pages/machines.js"), nullptr);
  EXPECT_EQ(findAsset("/pages/machines.js")->contentType, "text/javascript; charset=utf-8");
  for (const Asset& asset : allAssets()) {
    if (endsWith(asset.path, ".js")) {
      EXPECT_EQ(asset.contentType.substr(0, 15), "text/javascript") << asset.path;
    }
    if (endsWith(asset.path, ".css")) {
      EXPECT_EQ(asset.contentType.substr(0, 8), "text/css") << asset.path;
    }
    if (endsWith(asset.path, ".html")) {
      EXPECT_EQ(asset.contentType.substr(0, 9), "text/html") << asset.path;
    }
  }
}

TEST(ManagementAssets, BodiesAreWholeFiles) {
  for (const Asset& asset : allAssets()) {
    EXPECT_FALSE(asset.body.empty()) << asset.path;
    // A text file that was cut short would rarely end in a newline; every asset here does.
    if (!endsWith(asset.path, ".png") && !endsWith(asset.path, ".ico")) {
      EXPECT_EQ(asset.body.back(), '\n') << asset.path;
      EXPECT_EQ(asset.body.find('\0'), std::string_view::npos) << asset.path;
    }
  }
  const std::string_view css = findAsset("/app.css")->body;
  EXPECT_NE(css.find(":root"), std::string_view::npos);
  EXPECT_NE(css.find("@media (max-width: 800px)"), std::string_view::npos);
}

TEST(ManagementAssets, EtagsAreQuotedAndDifferPerFile) {
  std::set<std::string_view> seen;
  for (const Asset& asset : allAssets()) {
    ASSERT_EQ(asset.etag.size(), 34u) << asset.path;  // 32 hex digits in quotes
    EXPECT_EQ(asset.etag.front(), '"');
    EXPECT_EQ(asset.etag.back(), '"');
    EXPECT_TRUE(std::all_of(asset.etag.begin() + 1, asset.etag.end() - 1, [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c));
    })) << asset.etag;
    EXPECT_TRUE(seen.insert(asset.etag).second) << asset.path << " shares its etag";
  }
  EXPECT_GE(seen.size(), 5u);
}

TEST(ManagementAssets, NothingTheContentSecurityPolicyForbids) {
  for (const Asset& asset : allAssets()) {
    std::string text = lower(asset.body);
    // An SVG's namespace name is an identifier, not an address anything is fetched from.
    const std::string svgNamespace = "xmlns=\"http://www.w3.org/2000/svg\"";
    if (const auto at = text.find(svgNamespace); at != std::string::npos) {
      text.erase(at, svgNamespace.size());
    }
    // Inline code: every <script> element must load a file and have an empty body.
    for (std::size_t at = text.find("<script"); at != std::string::npos;
         at = text.find("<script", at + 1)) {
      const std::size_t close = text.find('>', at);
      ASSERT_NE(close, std::string::npos) << asset.path;
      const std::string_view tag = std::string_view(text).substr(at, close - at);
      EXPECT_NE(tag.find(" src="), std::string_view::npos) << asset.path << ": " << tag;
      EXPECT_EQ(text.compare(close + 1, 9, "</script>"), 0) << asset.path << ": inline script";
    }
    EXPECT_EQ(text.find("style="), std::string::npos) << asset.path << ": style attribute";
    EXPECT_EQ(text.find("<style"), std::string::npos) << asset.path << ": style element";
    EXPECT_EQ(text.find("javascript:"), std::string::npos) << asset.path;
    EXPECT_EQ(findHandlerAttribute(text), std::string::npos)
        << asset.path << ": event-handler attribute";
    EXPECT_EQ(text.find("eval("), std::string::npos) << asset.path;
    EXPECT_EQ(text.find("new function("), std::string::npos) << asset.path;
    // Nothing from the internet: the edge is often offline.
    EXPECT_EQ(text.find("http://"), std::string::npos) << asset.path;
    EXPECT_EQ(text.find("https://"), std::string::npos) << asset.path;
  }
}

TEST(ManagementAssets, HandlerAttributeScanFindsWhatItShould) {
  EXPECT_NE(findHandlerAttribute("<a href=x onclick=\"go()\">"), std::string_view::npos);
  EXPECT_NE(findHandlerAttribute("<body\nonload = x>"), std::string_view::npos);
  EXPECT_EQ(findHandlerAttribute("el.addEventListener(\"click\", go)"), std::string_view::npos);
  EXPECT_EQ(findHandlerAttribute("const json = 1; const done = 2;"), std::string_view::npos);
}

TEST(ManagementAssets, UnknownPathsAreNotFound) {
  EXPECT_EQ(findAsset(""), nullptr);
  EXPECT_EQ(findAsset("/nope.js"), nullptr);
  EXPECT_EQ(findAsset("app.js"), nullptr);  // not rooted
  EXPECT_EQ(findAsset("/APP.JS"), nullptr);
  EXPECT_EQ(findAsset("/app.js?v=1"), nullptr);
  EXPECT_EQ(findAsset("/../app.js"), nullptr);
  EXPECT_EQ(findAsset("/index.html/"), nullptr);
}

}  // namespace
}  // namespace spindle::web::management
