#include "control/config_text.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

namespace spindle::control {
namespace {

TEST(ControlRedact, HidesSecretsAndKeepsTheRest) {
  const std::string yaml =
      "edge:\n  id: plant-7\nuplinks:\n  nats:\n    servers: "
      "[nats://edge:hunter2@hub.example:7422]\n"
      "    user: edge\n    password: hunter2\n    credentials: /etc/spindle/edge.creds\n"
      "machines:\n  - id: m1\n    type: shdr\n    api_token: abc123\n    host: 10.0.0.5\n";
  const std::string out = redactConfig(yaml);
  EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  EXPECT_EQ(out.find("abc123"), std::string::npos) << out;
  EXPECT_NE(out.find("nats://edge:<redacted>@hub.example:7422"), std::string::npos) << out;
  EXPECT_NE(out.find("plant-7"), std::string::npos);
  EXPECT_NE(out.find("10.0.0.5"), std::string::npos);
  EXPECT_NE(out.find("/etc/spindle/edge.creds"), std::string::npos);  // a path, not a secret
}

TEST(ControlRedact, WithholdsTextThatDoesNotParse) {
  const std::string out = redactConfig("password: [unclosed secret");
  EXPECT_EQ(out.find("secret"), out.find("secret can leak"));
  EXPECT_NE(out.find("withheld"), std::string::npos);
}

TEST(ControlRedact, SecretKeyNames) {
  for (const char* k : {"password", "Password", "token", "seed", "db_password", "api_token",
                        "client_secret", "private_key"}) {
    EXPECT_TRUE(isSecretKey(k)) << k;
  }
  for (const char* k : {"user", "host", "tls_key", "nkey_seed_file", "credentials", "servers"}) {
    EXPECT_FALSE(isSecretKey(k)) << k;
  }
}

TEST(ControlConfigDiff, FindsChangedMachinesAndSections) {
  const std::string a =
      "edge: {id: e1}\nmachines:\n  - {id: m1, type: shdr, host: a}\n"
      "  - {id: m2, type: shdr, host: b}\n  - {id: m3, type: shdr, host: c}\n";
  const std::string b =
      "edge: {id: e1}\nmachines:\n  - {type: shdr, id: m1, host: a}\n"
      "  - {id: m2, type: shdr, host: B}\n  - {id: m4, type: shdr, host: d}\n";
  auto d = diffConfigs(a, b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->changed, std::vector<std::string>{"m2"});
  EXPECT_EQ(d->added, std::vector<std::string>{"m4"});
  EXPECT_EQ(d->removed, std::vector<std::string>{"m3"});
  EXPECT_TRUE(d->sections.empty());
  auto e = diffConfigs(a, "edge: {id: e2}\n" + a.substr(a.find("machines")));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->sections, std::vector<std::string>{"edge"});
  EXPECT_TRUE(e->changed.empty());
  EXPECT_TRUE(diffConfigs(a, a)->empty());
  EXPECT_FALSE(diffConfigs(a, "machines: [").ok());
}

TEST(ControlCanonicalYaml, EqualExactlyWhenSameYaml) {
  const char* texts[] = {
      "{id: m1, type: shdr, host: a, port: 7878}",
      "{port: 7878, host: a, type: shdr, id: m1}",    // key order does not count
      "{id: m1, type: shdr, host: a, port: '7878'}",  // quoting does not count
      "{id: m1, type: shdr, host: a, port: 7879}",
      "{id: m1, type: shdr, host: a}",
      "{id: m1, type: shdr, host: a, port: 7878, extra: ~}",
      "{id: m1, tags: [a, b]}",
      "{id: m1, tags: [b, a]}",  // sequence order counts
      "{id: m1, tags: [ab]}",
      "{id: m1, tags: {a: b}}",
      "{id: 'm1:', tags: []}",
      "{id: m1, ':tags': []}",
      "[]",
      "~",
  };
  for (const char* a : texts) {
    for (const char* b : texts) {
      const YAML::Node na = YAML::Load(a), nb = YAML::Load(b);
      EXPECT_EQ(canonicalYaml(na) == canonicalYaml(nb), sameYaml(na, nb)) << a << " vs " << b;
    }
  }
  EXPECT_EQ(canonicalYaml(YAML::Load(texts[0])), canonicalYaml(YAML::Load(texts[1])));
  EXPECT_NE(canonicalYaml(YAML::Load(texts[0])), canonicalYaml(YAML::Load(texts[3])));
}

}  // namespace
}  // namespace spindle::control
