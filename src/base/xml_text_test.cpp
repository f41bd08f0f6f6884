#include "base/xml_text.hpp"

#include <gtest/gtest.h>

namespace spindle {
namespace {

TEST(XmlText, EscapesTheFiveAndReplacesDisallowedControlCharacters) {
  std::string out;
  appendXmlEscaped(out, "a<b>&\"c'\x01\td\n");
  EXPECT_EQ(out, "a&lt;b&gt;&amp;&quot;c&apos; \td\n");
}

}  // namespace
}  // namespace spindle
