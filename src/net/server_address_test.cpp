#include "net/server_address.hpp"

#include <gtest/gtest.h>

namespace spindle::net {
namespace {

TEST(NetServerAddress, ParsesHostsPortsAndIpv6) {
  auto a = parseServerAddress("8.8.8.8", 53);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "8.8.8.8");
  EXPECT_EQ(a->port, 53);
  EXPECT_TRUE(a->isIpLiteral());
  EXPECT_EQ(a->toString(), "8.8.8.8:53");

  auto b = parseServerAddress("127.0.0.1:5353", 53);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 5353);

  auto c = parseServerAddress("[::1]:5353", 53);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 5353);
  EXPECT_EQ(c->toString(), "[::1]:5353");

  auto d = parseServerAddress("2001:db8::1", 123);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 123);

  auto e = parseServerAddress("pool.ntp.org", 123);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->isIpLiteral());
  EXPECT_EQ(e->toString(), "pool.ntp.org:123");
}

TEST(NetServerAddress, RejectsBadInputWithAReason) {
  for (const char* bad : {"", ":53", "1.2.3.4:", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3.4:5x", "[::1",
                          "[::1]x", "bad host", "[1.2.3.4]:53"}) {
    auto r = parseServerAddress(bad, 53);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message().find("not a server address"), std::string::npos);
    }
  }
  auto name = parseIpServerAddress("dns.example.test", 53);
  ASSERT_FALSE(name.ok());
  EXPECT_NE(name.error().message().find("must be an IP address"), std::string::npos);
}

TEST(NetServerAddress, KnowsLoopback) {
  namespace ip = boost::asio::ip;
  EXPECT_TRUE(isLoopback(ip::make_address("127.0.0.1")));
  EXPECT_TRUE(isLoopback(ip::make_address("127.42.0.9")));
  EXPECT_TRUE(isLoopback(ip::make_address("::1")));
  EXPECT_TRUE(isLoopback(ip::make_address("::ffff:127.0.0.1")));
  EXPECT_FALSE(isLoopback(ip::make_address("8.8.8.8")));
  EXPECT_FALSE(isLoopback(ip::make_address("192.168.1.1")));
}

}  // namespace
}  // namespace spindle::net
