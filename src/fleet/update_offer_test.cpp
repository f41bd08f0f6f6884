// What `fleet update` checks in an envelope before it offers it: that it is one, and that it
// offers the version the operator named.

#include "fleet/update_offer.hpp"

#include <gtest/gtest.h>

namespace spindle::fleet {
namespace {

std::string envelopeFor(const std::string& version) {
  update::Manifest m;
  m.version = update::Version::parse(version).value();
  m.url = "https://deploy.example.com/spindle";
  m.size = 1000;
  m.sha256 = std::string(64, 'a');
  update::Envelope e;
  e.manifest = update::manifestJson(m);
  e.signatures.push_back({"0123456789abcdef", std::string(64, 'x')});
  return update::envelopeJson(e);
}

TEST(FleetUpdateOffer, ReadsTheManifestVersionAndChecksTheOneNamed) {
  auto any = inspectEnvelope(envelopeFor("0.3.0"), "");
  ASSERT_TRUE(any) << any.error().describe();
  EXPECT_EQ(any->version.text(), "0.3.0");
  EXPECT_TRUE(inspectEnvelope(envelopeFor("0.3.0"), "0.3.0"));
  auto other = inspectEnvelope(envelopeFor("0.3.0"), "0.4.0");
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().describe(), "the envelope offers version 0.3.0, not 0.4.0 (--version)");
}

TEST(FleetUpdateOffer, RefusesWhatIsNotAnEnvelope) {
  auto bad = inspectEnvelope("{\"version\":\"1.0.0\"}", "");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("spindle update sign"), std::string::npos);
  EXPECT_FALSE(inspectEnvelope("not json", ""));
}

TEST(FleetUpdateOffer, KeyOfOneEdgeOrTheChannel) {
  EXPECT_EQ(offerKey("plant-7", "stable"), "edge.plant-7");
  EXPECT_EQ(offerKey("", "beta"), "beta");
}

}  // namespace
}  // namespace spindle::fleet
