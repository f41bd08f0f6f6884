// Indented documents: structure kept, text kept, one element per line.

#include "web/mtconnect/pretty.hpp"

#include <gtest/gtest.h>

namespace spindle::web::mtconnect {
namespace {

TEST(Pretty, XmlOneElementPerLineTextKept) {
  const std::string compact =
      "<?xml version=\"1.0\"?>\n<A x=\"a&gt;b\"><B/><C k='>'> two  spaces </C><D><E>1</E></D>"
      "<F></F></A>\n";
  EXPECT_EQ(indentXml(compact),
            "<?xml version=\"1.0\"?>\n"
            "<A x=\"a&gt;b\">\n"
            "  <B/>\n"
            "  <C k='>'> two  spaces </C>\n"
            "  <D>\n"
            "    <E>1</E>\n"
            "  </D>\n"
            "  <F></F>\n"
            "</A>\n");
}

TEST(Pretty, XmlKeepsCommentsAndCdataAndRefusesBrokenInput) {
  EXPECT_EQ(indentXml("<A><!-- a <b> --><![CDATA[<x>]]></A>"),
            "<A>\n  <!-- a <b> -->\n  <![CDATA[<x>]]>\n</A>\n");
  EXPECT_EQ(indentXml("<A><B></A>"), "<A><B></A>");  // unbalanced: as it was
  EXPECT_EQ(indentXml("<A"), "<A");
}

TEST(Pretty, JsonIndentedStringsUntouched) {
  EXPECT_EQ(indentJson(R"({"a":[1,2],"b":{},"c":"x,{}: \"y\"","d":[]})"),
            "{\n"
            "  \"a\": [\n"
            "    1,\n"
            "    2\n"
            "  ],\n"
            "  \"b\": {},\n"
            "  \"c\": \"x,{}: \\\"y\\\"\",\n"
            "  \"d\": []\n"
            "}\n");
  EXPECT_EQ(indentJson("{\"a\":[1}"), "{\"a\":[1}");  // mismatched brackets: unchanged
}

}  // namespace
}  // namespace spindle::web::mtconnect
