#include "opcua/endpoint_url.hpp"

#include <gtest/gtest.h>

namespace spindle::opcua {
namespace {

TEST(OpcuaEndpointUrl, HostPortAndPath) {
  auto u = parseEndpointUrl("opc.tcp://10.0.0.5:49320/Kepware");
  ASSERT_TRUE(u.ok()) << u.error().describe();
  EXPECT_EQ(u->host, "10.0.0.5");
  EXPECT_EQ(u->port, 49320);
  EXPECT_EQ(u->path, "/Kepware");
  u = parseEndpointUrl("opc.tcp://sinumerik");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "sinumerik");
  EXPECT_EQ(u->port, 4840);
  EXPECT_EQ(u->path, "");
  u = parseEndpointUrl("opc.tcp://[fe80::1]:4880/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "fe80::1");
  EXPECT_EQ(u->port, 4880);
  EXPECT_EQ(u->path, "/");
}

TEST(OpcuaEndpointUrl, MistakesAreNamed) {
  for (const char* url :
       {"http://x:4840", "opc.tcp://", "opc.tcp://:4840", "opc.tcp://x:0", "opc.tcp://x:70000",
        "opc.tcp://x:12ab", "opc.tcp://fe80::1", "opc.tcp://[fe80::1", "opc.tcp://x:"}) {
    const auto u = parseEndpointUrl(url);
    EXPECT_FALSE(u.ok()) << url;
    if (!u.ok()) {
      EXPECT_NE(u.error().message().find(url), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace spindle::opcua
