#include "net/net_options.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace spindle::net {
namespace {

TEST(NetOptionsTable, DefaultsFollowTheRequirementsSheet) {
  const NetOptions o;
  EXPECT_EQ(o.dnsPreferred, (std::vector<std::string>{"8.8.8.8", "8.8.4.4"}));
  EXPECT_EQ(o.ntpServers, (std::vector<std::string>{"pool.ntp.org"}));
  const ClockOptions c = clockOptions(o);
  ASSERT_EQ(c.servers.size(), 1u);
  EXPECT_EQ(c.servers[0].toString(), "pool.ntp.org:123");
}

TEST(NetOptionsTable, LoadsTheChainInOrder) {
  const auto dir = std::filesystem::temp_directory_path() / "spindle_net_options_test";
  std::filesystem::create_directories(dir);
  const auto resolv = (dir / "resolv.conf").string();
  std::ofstream(resolv) << "nameserver 10.1.1.1\nnameserver 127.0.0.1\n";
  const YAML::Node block = YAML::Load(
      "dns_preferred: [127.0.0.1]\n"
      "dns_servers: ['127.0.0.2:5353']\n"
      "resolv_conf: " +
      resolv +
      "\n"
      "dns_timeout: 300ms\n"
      "ntp_servers: ['127.0.0.1:1123', ntp.plant.test]\n"
      "max_clock_offset: 250ms\n");
  NetOptions o;
  config::Diagnostics diags("spindle.yaml");
  optionTable().load(block, o, diags, "net");
  EXPECT_TRUE(validate(o, block, diags));
  ASSERT_TRUE(diags.empty()) << diags.describe();
  const ResolverOptions r = resolverOptions(o);
  ASSERT_EQ(r.servers.size(), 3u);  // 127.0.0.1 from resolv.conf is a duplicate
  EXPECT_EQ(r.servers[0].name(), "127.0.0.1:53");
  EXPECT_EQ(r.servers[0].source, DnsSource::kPreferred);
  EXPECT_EQ(r.servers[1].name(), "127.0.0.2:5353");
  EXPECT_EQ(r.servers[1].source, DnsSource::kConfigured);
  EXPECT_EQ(r.servers[2].name(), "10.1.1.1:53");
  EXPECT_EQ(r.servers[2].source, DnsSource::kSystem);
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(300));
  const ClockOptions c = clockOptions(o);
  ASSERT_EQ(c.servers.size(), 2u);
  EXPECT_EQ(c.servers[0].port, 1123);
  EXPECT_EQ(c.maxOffset, std::chrono::milliseconds(250));
  std::filesystem::remove_all(dir);
}

TEST(NetOptionsTable, ReportsBadValuesWithTheirLine) {
  const YAML::Node block = YAML::Load(
      "dns_servers:\n"
      "  - 192.168.1.1\n"
      "  - dns.plant.test\n"
      "dns_timeout: 0s\n"
      "ntp_srvers: [x]\n");
  NetOptions o;
  config::Diagnostics diags("spindle.yaml");
  optionTable().load(block, o, diags, "net");
  EXPECT_FALSE(validate(o, block, diags));
  const std::string text = diags.describe();
  EXPECT_NE(text.find("spindle.yaml:3:"), std::string::npos) << text;
  EXPECT_NE(text.find("must be an IP address"), std::string::npos) << text;
  EXPECT_NE(text.find("spindle.yaml:4:14: 'dns_timeout' in net must be 1ms to 1m, not 0s"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("did you mean 'ntp_servers'"), std::string::npos) << text;
}

TEST(NetOptionsProxy, AcceptsAUrlACredentialsFileAndNoProxy) {
  const auto pass = std::filesystem::temp_directory_path() / "spindle_net_options_proxy.pass";
  std::ofstream(pass) << "edge:secret\n";
  const YAML::Node block =
      YAML::Load("proxy: http://proxy.plant:3128\nproxy_credentials: " + pass.string() +
                 "\nno_proxy: [.plant.local, 10.0.0.0/8, '*']\n");
  NetOptions o;
  config::Diagnostics diags("spindle.yaml");
  optionTable().load(block, o, diags, "net");
  EXPECT_TRUE(validate(o, block, diags)) << diags.describe();
  EXPECT_EQ(o.proxy, "http://proxy.plant:3128");
  EXPECT_EQ(o.noProxy.size(), 3u);
  std::filesystem::remove(pass);
}

TEST(NetOptionsProxy, RefusesCredentialsInTheUrlHttpsAndBadEntries) {
  const YAML::Node block = YAML::Load(
      "proxy: http://edge:secret@proxy.plant:3128\n"
      "proxy_credentials: /nonexistent/proxy.pass\n"
      "no_proxy:\n"
      "  - .plant.local\n"
      "  - 10.0.0.0/40\n");
  NetOptions o;
  config::Diagnostics diags("spindle.yaml");
  optionTable().load(block, o, diags, "net");
  EXPECT_FALSE(validate(o, block, diags));
  const std::string text = diags.describe();
  EXPECT_NE(text.find("spindle.yaml:1:"), std::string::npos) << text;
  EXPECT_NE(text.find("net.proxy_credentials"), std::string::npos) << text;
  EXPECT_EQ(text.find("secret"), std::string::npos) << text;
  EXPECT_NE(text.find("cannot read the proxy credentials file /nonexistent/proxy.pass"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("spindle.yaml:5:"), std::string::npos) << text;

  const YAML::Node https = YAML::Load("proxy: https://proxy.plant:3128\n");
  config::Diagnostics httpsDiags("spindle.yaml");
  NetOptions h;
  optionTable().load(https, h, httpsDiags, "net");
  EXPECT_FALSE(validate(h, https, httpsDiags));
  EXPECT_NE(httpsDiags.describe().find("only http:// proxies"), std::string::npos)
      << httpsDiags.describe();
}

TEST(NetOptionsProxy, EnvIsAcceptedAsIs) {
  const YAML::Node block = YAML::Load("proxy: env\n");
  NetOptions o;
  config::Diagnostics diags("spindle.yaml");
  optionTable().load(block, o, diags, "net");
  EXPECT_TRUE(validate(o, block, diags)) << diags.describe();
}

}  // namespace
}  // namespace spindle::net
