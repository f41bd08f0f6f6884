#include "net/proxy.hpp"

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

namespace spindle::net {
namespace {

namespace fs = std::filesystem;

/// An environment made of a map, for the env precedence tests.
EnvironmentGetter fakeEnvironment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

const EnvironmentGetter kNoEnvironment = fakeEnvironment({});

std::string writeFile(const std::string& name, const std::string& text) {
  const auto dir = fs::temp_directory_path() / "spindle_proxy_test";
  fs::create_directories(dir);
  const auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

ProxySettings withNoProxy(std::vector<std::string> entries) {
  ProxySettings p;
  p.host = "proxy.plant";
  p.noProxy = std::move(entries);
  return p;
}

TEST(ProxySettingsUrl, ParsesHostPortAndDefaults) {
  auto url = parseProxyUrl("http://Proxy.Plant:8080");
  ASSERT_TRUE(url) << url.error().describe();
  EXPECT_EQ(url->host, "proxy.plant");
  EXPECT_EQ(url->port, 8080);
  EXPECT_FALSE(url->hasCredentials);

  url = parseProxyUrl("http://10.0.0.5/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, kDefaultProxyPort);

  url = parseProxyUrl("proxy.plant:3129");  // no scheme: http, as curl
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "proxy.plant");
  EXPECT_EQ(url->port, 3129);

  url = parseProxyUrl("http://[fd00::1]:3128");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "fd00::1");
}

TEST(ProxySettingsUrl, RefusesOtherSchemesAndBadParts) {
  auto https = parseProxyUrl("https://proxy.plant:3128");
  ASSERT_FALSE(https);
  EXPECT_NE(https.error().message().find("only http:// proxies"), std::string::npos);
  EXPECT_NE(https.error().message().find("CONNECT"), std::string::npos);
  EXPECT_FALSE(parseProxyUrl("socks5://proxy.plant:1080"));
  EXPECT_FALSE(parseProxyUrl("http://"));
  EXPECT_FALSE(parseProxyUrl("http://proxy.plant:0"));
  EXPECT_FALSE(parseProxyUrl("http://proxy.plant:70000"));
  EXPECT_FALSE(parseProxyUrl("http://proxy.plant:3128/path"));
  EXPECT_FALSE(parseProxyUrl("http://proxy plant:3128"));
}

TEST(ProxySettingsUrl, TakesCredentialsApartPercentDecoded) {
  auto url = parseProxyUrl("http://edge:p%40ss%3Aword@proxy.plant:3128");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->hasCredentials);
  EXPECT_EQ(url->user, "edge");
  EXPECT_EQ(url->password, "p@ss:word");
  EXPECT_EQ(url->host, "proxy.plant");
}

TEST(ProxySettingsConfigured, NoneWhenEmpty) {
  NetOptions o;
  auto p = proxySettings(o, kNoEnvironment);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_value());
}

TEST(ProxySettingsConfigured, UrlCredentialsFileAndNoProxy) {
  NetOptions o;
  o.proxy = "http://proxy.plant:3128";
  o.proxyCredentials = writeFile("good.pass", "edge:s3cret:with:colons\n");
  o.noProxy = {".Plant.Local", "10.0.0.0/8"};
  auto p = proxySettings(o, fakeEnvironment({{"https_proxy", "http://other:1"}}));
  ASSERT_TRUE(p) << p.error().describe();
  ASSERT_TRUE(p->has_value());
  const ProxySettings& s = **p;
  EXPECT_EQ(s.host, "proxy.plant");
  EXPECT_EQ(s.port, 3128);
  EXPECT_EQ(s.user, "edge");
  EXPECT_EQ(s.password, "s3cret:with:colons");
  EXPECT_EQ(s.source, "configured");
  EXPECT_EQ(s.credentialsFile, o.proxyCredentials);
  EXPECT_EQ(s.noProxy, (std::vector<std::string>{".plant.local", "10.0.0.0/8"}));
}

TEST(ProxySettingsConfigured, RefusesCredentialsInTheUrl) {
  NetOptions o;
  o.proxy = "http://edge:secret@proxy.plant:3128";
  auto p = proxySettings(o, kNoEnvironment);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().describe().find("net.proxy_credentials"), std::string::npos);
  EXPECT_EQ(p.error().describe().find("secret"), std::string::npos);
}

TEST(ProxySettingsConfigured, ACredentialsFileThatIsMissingOrMalformedIsNamed) {
  NetOptions o;
  o.proxy = "http://proxy.plant";
  o.proxyCredentials = "/nonexistent/proxy.pass";
  auto missing = proxySettings(o, kNoEnvironment);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kIo);
  EXPECT_NE(missing.error().describe().find("/nonexistent/proxy.pass"), std::string::npos);

  o.proxyCredentials = writeFile("bad.pass", "no-colon-here\n");
  auto bad = proxySettings(o, kNoEnvironment);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("user:password"), std::string::npos);
  EXPECT_EQ(bad.error().describe().find("no-colon-here"), std::string::npos);
}

TEST(ProxySettingsEnvironment, HttpsProxyFirstThenAllProxyLowerCaseFirst) {
  NetOptions o;
  o.proxy = "env";
  auto p = proxySettings(o, fakeEnvironment({{"https_proxy", "http://low:1"},
                                             {"HTTPS_PROXY", "http://up:2"},
                                             {"all_proxy", "http://all:3"}}));
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->has_value());
  EXPECT_EQ((*p)->host, "low");
  EXPECT_EQ((*p)->source, "environment");

  p = proxySettings(
      o, fakeEnvironment({{"HTTPS_PROXY", "http://up:2"}, {"all_proxy", "http://all:3"}}));
  EXPECT_EQ((*p)->host, "up");
  p = proxySettings(o, fakeEnvironment({{"https_proxy", ""}, {"ALL_PROXY", "all-up:4"}}));
  EXPECT_EQ((*p)->host, "all-up");
  EXPECT_EQ((*p)->port, 4);
  // http_proxy is for http:// URLs: the edge's traffic is HTTPS, so it is not read.
  p = proxySettings(o, fakeEnvironment({{"http_proxy", "http://plain:5"}}));
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_value());
}

TEST(ProxySettingsEnvironment, CredentialsInTheUrlAndNoProxyMerged) {
  NetOptions o;
  o.proxy = "env";
  o.noProxy = {"mes.plant"};
  o.proxyCredentials = writeFile("unused.pass", "file:user\n");
  auto p = proxySettings(o, fakeEnvironment({{"https_proxy", "http://edge:pw@proxy:3128"},
                                             {"no_proxy", "localhost, .corp.example,,bad/x"},
                                             {"NO_PROXY", "ignored.example"}}));
  ASSERT_TRUE(p) << p.error().describe();
  const ProxySettings& s = **p;
  EXPECT_EQ(s.user, "edge");
  EXPECT_EQ(s.password, "pw");
  EXPECT_TRUE(s.credentialsFile.empty());
  EXPECT_EQ(s.noProxy, (std::vector<std::string>{"localhost", ".corp.example", "mes.plant"}));
}

TEST(ProxySettingsEnvironment, ANonHttpProxyIsRefusedNamingTheVariable) {
  NetOptions o;
  o.proxy = "env";
  auto p = proxySettings(o, fakeEnvironment({{"HTTPS_PROXY", "socks5h://proxy:1080"}}));
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().describe().find("$HTTPS_PROXY"), std::string::npos);
}

TEST(ProxySettingsNoProxy, SuffixMatchesOnLabelBoundariesOnly) {
  for (const char* entry : {"example.com", ".example.com", "*.example.com"}) {
    const auto p = withNoProxy({entry});
    EXPECT_TRUE(goesDirect(p, "example.com")) << entry;
    EXPECT_TRUE(goesDirect(p, "a.example.com")) << entry;
    EXPECT_TRUE(goesDirect(p, "A.B.EXAMPLE.COM")) << entry;
    EXPECT_TRUE(goesDirect(p, "a.example.com.")) << entry;
    EXPECT_FALSE(goesDirect(p, "notexample.com")) << entry;
    EXPECT_FALSE(goesDirect(p, "example.com.evil")) << entry;
    EXPECT_FALSE(goesDirect(p, "example.org")) << entry;
  }
}

TEST(ProxySettingsNoProxy, AddressesNetworksAndStar) {
  const auto p = withNoProxy({"10.0.0.0/8", "192.168.1.20", "fd00::/8", "mes.plant"});
  EXPECT_TRUE(goesDirect(p, "10.1.2.3"));
  EXPECT_FALSE(goesDirect(p, "11.0.0.1"));
  EXPECT_TRUE(goesDirect(p, "192.168.1.20"));
  EXPECT_FALSE(goesDirect(p, "192.168.1.21"));
  EXPECT_TRUE(goesDirect(p, "[fd00::1]"));
  EXPECT_TRUE(goesDirect(p, "fd12::1"));
  EXPECT_FALSE(goesDirect(p, "fe80::1"));
  EXPECT_TRUE(goesDirect(p, "MES.plant"));
  EXPECT_FALSE(goesDirect(p, "api.machinemetrics.com"));
  // A network never matches a name, even one that looks like its digits.
  EXPECT_FALSE(goesDirect(withNoProxy({"10.0.0.0/8"}), "10.example.com"));
  EXPECT_TRUE(goesDirect(withNoProxy({"10.0.0.0/32"}), "10.0.0.0"));
  EXPECT_TRUE(goesDirect(withNoProxy({"0.0.0.0/0"}), "8.8.8.8"));
  EXPECT_TRUE(goesDirect(withNoProxy({"*"}), "anything.example"));
  EXPECT_FALSE(goesDirect(withNoProxy({}), "anything.example"));
}

TEST(ProxySettingsNoProxy, EntriesAreChecked) {
  for (const char* good : {"*", "example.com", ".example.com", "*.example.com", "10.0.0.0/8",
                           "192.168.1.1", "::1", "fd00::/8", "localhost"}) {
    EXPECT_TRUE(checkNoProxyEntry(good)) << good;
  }
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/x", "exa mple.com", "a..b", "host:80", "*.",
                          "http://example.com"}) {
    EXPECT_FALSE(checkNoProxyEntry(bad)) << bad;
  }
}

TEST(ProxySettingsRedaction, DescribeNeverShowsThePassword) {
  ProxySettings p;
  p.host = "proxy.plant";
  p.port = 3128;
  p.user = "edge";
  p.password = "hunter2";
  EXPECT_EQ(describe(p), "http://proxy.plant:3128 as user 'edge'");
  p.user.clear();
  p.password.clear();
  EXPECT_EQ(describe(p), "http://proxy.plant:3128 (no credentials)");
}

TEST(ProxySettingsRedaction, BasicAuthorizationIsBase64OfUserColonPassword) {
  ProxySettings p;
  EXPECT_EQ(basicAuthorization(p), "");
  p.user = "Aladdin";
  p.password = "open sesame";  // RFC 7617's example
  EXPECT_EQ(basicAuthorization(p), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  p.user = "edge";
  p.password = "";
  EXPECT_EQ(basicAuthorization(p), "Basic ZWRnZTo=");
}

}  // namespace
}  // namespace spindle::net
