// Every document valid against the official schemas of the version it declares, for each
// version served (web.schema_version): xmllint against ../shared/fixtures/mtconnect/schemas.
// Skipped, saying why, when xmllint or the schemas are absent; a failure where
// SPINDLE_REQUIRE_FIXTURES=1 (CI).

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/testing/fixtures.hpp"
#include "web/mtconnect/schema_version.hpp"
#include "web/testing/agent_fixture.hpp"

namespace spindle::web::mtconnect {
namespace {

namespace fs = std::filesystem;

const fs::path kSchemas = spindle::testing::fixturePath("mtconnect/schemas");

class SchemaVersions : public testing::AgentServiceTest {
 protected:
  void SetUp() override {
    SPINDLE_NEEDS_FIXTURE(std::system("xmllint --version > /dev/null 2>&1") == 0,
                          "xmllint is not installed (scripts/setup installs libxml2-utils)");
    SPINDLE_NEEDS_FIXTURE(fs::exists(kSchemas / "MTConnectStreams_2.2.xsd"),
                          "the MTConnect schemas are absent from " << kSchemas);
    m_dir = fs::temp_directory_path() / ("spindle_versions_" + std::to_string(::getpid()));
    fs::create_directories(m_dir);
  }
  void TearDown() override {
    if (!m_dir.empty()) fs::remove_all(m_dir);
  }

  /// The schema file of `part` ("Streams") in `version`: its XSD-1.0 variant when there is one
  /// (xmllint reads XSD 1.0 only).
  static std::string schemaOf(const std::string& part, const std::string& version) {
    const std::string plain = "MTConnect" + part + "_" + version;
    return fs::exists(kSchemas / (plain + "_1.0.xsd")) ? plain + "_1.0.xsd" : plain + ".xsd";
  }

  /// "" when `body` is valid against `schema`, else xmllint's report and the document's head.
  std::string validate(const std::string& body, const std::string& schema) {
    const fs::path doc = m_dir / "doc.xml";
    std::ofstream(doc) << body;
    const fs::path report = m_dir / "report.txt";
    const std::string cmd = "xmllint --noout --nonet --schema " + (kSchemas / schema).string() +
                            " " + doc.string() + " > " + report.string() + " 2>&1";
    if (std::system(cmd.c_str()) == 0) return "";
    std::ifstream in(report);
    return std::string(std::istreambuf_iterator<char>(in), {}) + "\n" + body.substr(0, 3000);
  }

  /// Items of every kind the interface serves, some of types older versions lack.
  void addEverything() {
    add(m_m1, "execution", model::Kind::kEvent, std::string("ACTIVE"), 0);
    add(m_m1, "Sload", model::Kind::kSample, 12.5, 0);
    add(m_m1, "connection_status", model::Kind::kEvent, std::string("ESTABLISHED"), 0);
    add(m_m1, "raw_text", model::Kind::kEvent, std::string("x"), 0);
    add(m_m1, "raw_number", model::Kind::kSample, 3.5, 0);
    add(m_m1, "partcount", model::Kind::kEvent, std::int64_t{4}, 1);
    auto c = std::make_shared<model::Condition>();
    c->level = model::Level::kFault;
    c->nativeCode = "E1";
    c->text = "overload";
    add(m_m1, "system", model::Kind::kCondition, std::shared_ptr<const model::Condition>(c), 1);
    auto msg = std::make_shared<model::Message>();
    msg->nativeCode = "M1";
    msg->text = "hello";
    add(m_m1, "message", model::Kind::kMessage, std::shared_ptr<const model::Message>(msg), 1);
    auto ds = std::make_shared<model::DataSet>();
    ds->entries.push_back(model::DataSetEntry{"a", "1", {}, false});
    add(m_m1, "vars", model::Kind::kDataSet, std::shared_ptr<const model::DataSet>(ds), 2);
    add(m_m2, "execution", model::Kind::kEvent, std::string("READY"), 3);
  }

  fs::path m_dir;
};

TEST_F(SchemaVersions, EveryDocumentIsValidInTheVersionItDeclares) {
  addEverything();
  for (const char* version : {"1.5", "1.7", "2.0", "2.2"}) {
    SCOPED_TRACE(version);
    WebOptions o;
    o.schemaVersion = version;
    serve(o);
    const std::string v = version;
    const std::string probe = get("/probe");
    EXPECT_NE(probe.find("urn:mtconnect.org:MTConnectDevices:" + v + "\""), std::string::npos);
    EXPECT_EQ(validate(probe, schemaOf("Devices", v)), "");
    const std::string current = get("/current");
    EXPECT_NE(current.find("urn:mtconnect.org:MTConnectStreams:" + v + "\""), std::string::npos);
    EXPECT_EQ(validate(current, schemaOf("Streams", v)), "");
    EXPECT_EQ(validate(get("/sample?count=1000"), schemaOf("Streams", v)), "");
    EXPECT_EQ(validate(get("/sample?from=999999", 400), schemaOf("Error", v)), "");
    // Assets are the sources' own documents; the envelope is the interface's.
    EXPECT_EQ(validate(get("/assets"), schemaOf("Assets", v)), "");
    EXPECT_NE(get("/current?format=json").find("\"schemaVersion\":\"" + v + "\""),
              std::string::npos);
  }
}

TEST_F(SchemaVersions, OlderVersionsAdaptWhatTheyLack) {
  addEverything();
  WebOptions o;
  o.schemaVersion = "1.5";
  serve(o);
  // No Agent element before 1.7, nor deviceModelChangeTime; CONNECTION_STATUS (1.7) becomes an
  // extension type served as a StringEvent.
  const std::string probe = get("/probe");
  EXPECT_EQ(probe.find("<Agent "), std::string::npos) << probe;
  EXPECT_EQ(probe.find("deviceModelChangeTime"), std::string::npos);
  EXPECT_NE(probe.find("type=\"x:CONNECTION_STATUS\""), std::string::npos);
  const std::string current = get("/current");
  EXPECT_NE(current.find("<StringEvent dataItemId=\"m1_connection_status\""), std::string::npos)
      << current;
  EXPECT_EQ(current.find("<DeviceAdded"), std::string::npos);
  // 2.2 serves them as they are.
  o.schemaVersion = "2.2";
  serve(o);
  EXPECT_NE(get("/current").find("<ConnectionStatus dataItemId=\"m1_connection_status\""),
            std::string::npos);
}

// Values the 2.2 schema types as numbers (IntegerEvent, FloatEvent) and a source that sends
// something else: the three numbers of a translation, as a 2.0 agent serves them, and text
// where a part count belongs.
TEST_F(SchemaVersions, NumbersByTheSchemaStayValidWhateverTheSourceSends) {
  const auto translation =
      m_catalog.intern(m_m1, "offset", model::Kind::kEvent, "TRANSLATION", "", "MILLIMETER");
  ASSERT_TRUE(translation.ok());
  model::Batch b{model::Observation{m_m1, translation.value(), testing::kT0, model::Kind::kEvent, 0,
                                    std::string("1.5 -2 30")}};
  m_store.apply(b);
  const auto line = m_catalog.intern(m_m1, "line", model::Kind::kEvent, "LINE_NUMBER", "", "");
  ASSERT_TRUE(line.ok());
  model::Batch b2{model::Observation{m_m1, line.value(), testing::kT0, model::Kind::kEvent, 0,
                                     std::string("N120")}};
  m_store.apply(b2);
  add(m_m1, "partcount", model::Kind::kEvent, std::string("12"), 1);
  for (const char* version : {"1.7", "2.0", "2.2"}) {
    SCOPED_TRACE(version);
    WebOptions o;
    o.schemaVersion = version;
    serve(o);
    const std::string current = get("/current");
    EXPECT_EQ(validate(current, schemaOf("Streams", version)), "");
    EXPECT_EQ(validate(get("/probe"), schemaOf("Devices", version)), "");
    // The translation keeps its three numbers: an extension in 2.2, its own element before.
    EXPECT_NE(current.find(">1.5 -2 30</"), std::string::npos) << current;
    EXPECT_NE(current.find(std::string(version) == "2.2" ? "<StringEvent dataItemId=\"m1_offset\""
                                                         : "<Translation dataItemId=\"m1_offset\""),
              std::string::npos)
        << current;
    // A line number that is not a number is UNAVAILABLE in XML (the journal keeps it).
    EXPECT_NE(current.find("name=\"line\">UNAVAILABLE</LineNumber>"), std::string::npos) << current;
    EXPECT_NE(current.find("name=\"partcount\">12</PartCount>"), std::string::npos) << current;
  }
}

TEST_F(SchemaVersions, AClientMayAskForAnotherServedVersion) {
  addEverything();
  serve(WebOptions{});  // 2.2
  const std::string current = get("/current?schemaVersion=1.5");
  EXPECT_NE(current.find("urn:mtconnect.org:MTConnectStreams:1.5\""), std::string::npos);
  EXPECT_EQ(validate(current, schemaOf("Streams", "1.5")), "");
  EXPECT_EQ(validate(get("/probe?schemaVersion=2.0"), schemaOf("Devices", "2.0")), "");
  EXPECT_EQ(validate(get("/sample?count=5&schemaVersion=1.7"), schemaOf("Streams", "1.7")), "");
  EXPECT_NE(get("/current?format=json&schemaVersion=2.0").find("\"schemaVersion\":\"2.0\""),
            std::string::npos);
  // The JSON document leaves out what its version lacks, as XML does.
  EXPECT_EQ(get("/current?format=json&schemaVersion=1.5").find("ConnectionStatus"),
            std::string::npos);
  const std::string refused = get("/probe?schemaVersion=2.7", 400);
  EXPECT_NE(refused.find("INVALID_REQUEST"), std::string::npos);
  EXPECT_NE(refused.find("1.5, 1.7, 2.0, 2.2"), std::string::npos) << refused;
  EXPECT_EQ(validate(refused, schemaOf("Error", "2.2")), "");
}

TEST(SchemaVersion, NumbersInXmlSchemaForm) {
  EXPECT_TRUE(fitsValueKind(ValueKind::kInteger, "-12"));
  EXPECT_TRUE(fitsValueKind(ValueKind::kInteger, "UNAVAILABLE"));
  EXPECT_FALSE(fitsValueKind(ValueKind::kInteger, "1.5"));
  EXPECT_FALSE(fitsValueKind(ValueKind::kInteger, ""));
  EXPECT_FALSE(fitsValueKind(ValueKind::kInteger, "N120"));
  EXPECT_TRUE(fitsValueKind(ValueKind::kFloat, "1.5e-3"));
  EXPECT_TRUE(fitsValueKind(ValueKind::kFloat, ".5"));
  EXPECT_TRUE(fitsValueKind(ValueKind::kFloat, "-INF"));
  EXPECT_FALSE(fitsValueKind(ValueKind::kFloat, "1 2 3"));
  EXPECT_FALSE(fitsValueKind(ValueKind::kFloat, "."));
  EXPECT_FALSE(fitsValueKind(ValueKind::kFloat, "1e"));
  EXPECT_FALSE(fitsValueKind(ValueKind::kFloat, "inf"));
  EXPECT_EQ(eventValueKind({2, 2}, "PartCount"), ValueKind::kInteger);
  EXPECT_EQ(eventValueKind({1, 5}, "PartCount"), ValueKind::kFloat);
  EXPECT_EQ(eventValueKind({2, 0}, "Translation"), ValueKind::kText);
  EXPECT_EQ(eventValueKind({2, 2}, "Translation"), ValueKind::kFloat);
  EXPECT_EQ(eventValueKind({2, 2}, "Execution"), ValueKind::kText);
}

TEST(SchemaVersion, OnlyServedVersionsParse) {
  EXPECT_TRUE(parseSchemaVersion("2.0"));
  EXPECT_TRUE(parseSchemaVersion("1.5"));
  EXPECT_FALSE(parseSchemaVersion("1.3"));  // no generic elements for unknown types
  EXPECT_FALSE(parseSchemaVersion("2"));
  EXPECT_FALSE(parseSchemaVersion("2.7"));  // conditionId and the 2.6 error elements
  EXPECT_FALSE(parseSchemaVersion("3.0"));
  EXPECT_TRUE(hasElement({1, 5}, "Execution"));
  EXPECT_FALSE(hasElement({1, 5}, "ConnectionStatus"));
  EXPECT_TRUE(hasElement({1, 7}, "ConnectionStatus"));
  EXPECT_FALSE(hasElement({2, 0}, "BatteryState"));
  EXPECT_TRUE(hasElement({2, 2}, "BatteryState"));
}

}  // namespace
}  // namespace spindle::web::mtconnect
