// The MTConnect interface over real SHDR lines: the codec and the default script feed the
// store as in `spindle run`, and the documents show conditions as conditions, numbers as
// samples, no consumed raw keys, and a device file's model.

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "collectors/shdr/shdr_parser.hpp"
#include "transform/script_loader.hpp"
#include "transform/script_runner.hpp"
#include "web/mtconnect/agent_service.hpp"
#include "web/testing/http_get.hpp"
#include "web/web_server.hpp"

namespace spindle::web::mtconnect {
namespace {

using testing::httpGet;

class AgentModelTest : public ::testing::Test {
 protected:
  AgentModelTest() : m_store(4096), m_work(boost::asio::make_work_guard(m_io)) {
    m_machine = m_catalog.addMachine("mill");
    m_thread = std::thread([this] { m_io.run(); });
    WebOptions o;
    o.bind = "127.0.0.1";
    o.port.value = 0;
    m_server = std::make_unique<Server>(m_io, o, m_store, m_catalog, "edge-1");
    EXPECT_TRUE(m_server->start().ok());
  }
  ~AgentModelTest() override {
    m_server->stop();
    m_work.reset();
    m_io.stop();
    m_thread.join();
  }

  /// As `spindle run` does: the codec (with `options`), then the machine's default script.
  void start(collectors::shdr::ParserOptions options = {}) {
    m_parser =
        std::make_unique<collectors::shdr::ShdrParser>(m_catalog, m_machine, std::move(options));
    auto script = transform::loadDefaultScript("shdr");
    ASSERT_TRUE(script.ok()) << script.error().describe();
    m_runner = std::make_unique<transform::ScriptRunner>(*script, m_catalog, m_machine, m_clock);
  }

  void feed(const std::string& lines) {
    collectors::shdr::ParseOutput out;
    m_parser->feed(lines, wallClockNs(), out);
    for (const auto& r : out.rejections) ADD_FAILURE() << r.reason << ": " << r.excerpt;
    model::Batch batch;
    m_runner->process(out.observations, batch);
    m_store.apply(batch);
  }

  std::string get(const std::string& target) {
    auto r = httpGet(m_server->port(), target);
    EXPECT_EQ(r.status, 200) << target << "\n" << r.body;
    return r.body;
  }

  static bool has(const std::string& body, const std::string& part) {
    return body.find(part) != std::string::npos;
  }

  model::ItemCatalog m_catalog;
  state::StateStore m_store;
  model::MachineId m_machine = 0;
  SystemClock m_clock;
  std::unique_ptr<collectors::shdr::ShdrParser> m_parser;
  std::unique_ptr<transform::ScriptRunner> m_runner;
  boost::asio::io_context m_io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
  std::thread m_thread;
  std::unique_ptr<Server> m_server;
};

TEST_F(AgentModelTest, ConditionsTheAdapterSendsAreServedAsConditions) {
  start();
  feed(
      "2024-05-01T12:00:00Z|servo|NORMAL||||\n"
      "2024-05-01T12:00:00Z|htemp|UNAVAILABLE||||\n");
  std::string current = get("/current");
  ASSERT_TRUE(has(current, "<Normal dataItemId=\"mill_servo\"")) << current;
  EXPECT_LT(current.find("<Condition>"), current.find("<Normal dataItemId=\"mill_servo\""))
      << current;
  EXPECT_TRUE(has(current, "<Unavailable dataItemId=\"mill_htemp\"")) << current;
  EXPECT_FALSE(has(current, "<StringEvent dataItemId=\"mill_servo\"")) << current;

  // Several active conditions by native code (SHDR 1.x and 2.x forms), then a NORMAL of one
  // code, then a NORMAL without a code clears all.
  feed(
      "2024-05-01T12:00:01Z|servo|FAULT|1001|2|HIGH|overload\n"
      "2024-05-01T12:00:02Z|servo|WARNING|1002||LOW|drift\n");
  current = get("/current");
  EXPECT_TRUE(has(current, "<Fault dataItemId=\"mill_servo\"")) << current;
  EXPECT_TRUE(has(current, "nativeCode=\"1001\" nativeSeverity=\"2\" qualifier=\"HIGH\">overload"))
      << current;
  EXPECT_TRUE(has(current, "<Warning dataItemId=\"mill_servo\"")) << current;
  feed("2024-05-01T12:00:03Z|servo|NORMAL|1001|||\n");
  current = get("/current");
  EXPECT_FALSE(has(current, "<Fault dataItemId=\"mill_servo\"")) << current;
  EXPECT_TRUE(has(current, "<Warning dataItemId=\"mill_servo\"")) << current;
  feed("2024-05-01T12:00:04Z|servo|NORMAL||||\n");
  current = get("/current");
  EXPECT_FALSE(has(current, "<Warning dataItemId=\"mill_servo\"")) << current;
  EXPECT_TRUE(has(current, "<Normal dataItemId=\"mill_servo\"")) << current;

  const std::string sample = get("/sample?from=1&count=100");
  EXPECT_TRUE(has(sample, "<Fault dataItemId=\"mill_servo\"")) << sample;
  const std::string probe = get("/probe?path=//DataItem[@category=%22CONDITION%22]");
  EXPECT_TRUE(has(probe, "id=\"mill_servo\"")) << probe;
  EXPECT_TRUE(has(probe, "id=\"mill_htemp\"")) << probe;
}

TEST_F(AgentModelTest, DeclaredKindsMakeConditions) {
  collectors::shdr::ParserOptions o;
  o.kinds["alarm"] = model::Kind::kCondition;
  start(o);
  feed("2024-05-01T12:00:00Z|alarm|FAULT|12|||spindle\n");
  const std::string current = get("/current");
  EXPECT_TRUE(has(current, "<Fault dataItemId=\"mill_alarm\"")) << current;
}

TEST_F(AgentModelTest, NumbersThatPassThroughAreSamplesForGood) {
  start();
  feed(
      "2024-05-01T12:00:00Z|X1load|UNAVAILABLE|X1actm|UNAVAILABLE|block|UNAVAILABLE\n"
      "2024-05-01T12:00:01Z|X1load|56|X1actm|5742.856|block|G01X1\n");
  std::string probe = get("/probe");
  EXPECT_TRUE(has(probe, "category=\"SAMPLE\" id=\"mill_X1load\"")) << probe;
  EXPECT_TRUE(has(probe, "category=\"SAMPLE\" id=\"mill_X1actm\"")) << probe;
  EXPECT_TRUE(has(probe, "category=\"EVENT\" id=\"mill_block\"")) << probe;
  std::string current = get("/current");
  EXPECT_TRUE(has(current, "<CommonSample dataItemId=\"mill_X1load\"")) << current;
  EXPECT_TRUE(has(current, ">5742.856</CommonSample>")) << current;
  // Text later: the item stays a sample, served as UNAVAILABLE (a sample's value is a number).
  feed("2024-05-01T12:00:02Z|X1load|n/a|block|42\n");
  probe = get("/probe");
  EXPECT_TRUE(has(probe, "category=\"SAMPLE\" id=\"mill_X1load\"")) << probe;
  current = get("/current");
  EXPECT_TRUE(has(current, "name=\"X1load\">UNAVAILABLE</CommonSample>")) << current;
  EXPECT_TRUE(has(current, "name=\"block\">42</StringEvent>")) << current;
}

TEST_F(AgentModelTest, EveryItemInProbeHasAValueInCurrent) {
  start();
  feed(
      "2024-05-01T12:00:00Z|avail|AVAILABLE|execution|ACTIVE|mode|AUTOMATIC|Sspeed|1200|"
      "Fact|600|partcount|3|line|42\n");
  const std::string probe = get("/probe");
  const std::string current = get("/current");
  // The raw keys the default script reads became its normalized items.
  for (const char* raw :
       {"mill_Sspeed\"", "mill_Fact\"", "mill_mode\"", "mill_avail\"", "mill_partcount\""}) {
    EXPECT_FALSE(has(probe, raw)) << raw << "\n" << probe;
  }
  EXPECT_TRUE(has(current, "name=\"spindle_speed\" subType=\"ACTUAL\">1200</RotaryVelocity>"))
      << current;
  EXPECT_TRUE(has(current, "name=\"line\">42<")) << current;
  // Every DataItem id of the probe has an observation in current.
  std::size_t at = 0, items = 0;
  while ((at = probe.find("<DataItem ", at)) != std::string::npos) {
    const std::size_t idAt = probe.find(" id=\"", at) + 5;
    const std::string id = probe.substr(idAt, probe.find('"', idAt) - idAt);
    EXPECT_TRUE(has(current, "dataItemId=\"" + id + "\"")) << id << " has no value\n" << current;
    ++items;
    ++at;
  }
  EXPECT_GT(items, 10u);
}

// A device file's components in JSON as in XML: /probe nests them (Components by element name,
// each with its DataItems), /current streams each component's observations on its own.
TEST_F(AgentModelTest, JsonServesTheDeviceFilesComponents) {
  auto file = model::parseDeviceFile(
      R"(<MTConnectDevices xmlns="urn:mtconnect.org:MTConnectDevices:2.0"><Devices>
<Device id="d" name="Mill" uuid="u"><DataItems>
 <DataItem id="av" type="AVAILABILITY" category="EVENT"/></DataItems>
<Components><Axes id="ax"><Components><Linear id="xa" name="X"><DataItems>
 <DataItem id="xpos" name="Xact" category="SAMPLE" type="POSITION" subType="ACTUAL"
  units="MILLIMETER"/></DataItems></Linear></Components></Axes>
<Controller id="ct"><Components><Path id="p1"><DataItems>
 <DataItem id="exec" name="execution" category="EVENT" type="EXECUTION"/></DataItems>
</Path></Components></Controller></Components></Device></Devices></MTConnectDevices>)",
      "");
  ASSERT_TRUE(file.ok()) << file.error().message();
  auto device = std::make_shared<const model::DeviceFile>(std::move(file).value());
  m_catalog.setDeviceFile(m_machine, device);
  collectors::shdr::ParserOptions o;
  o.device = device;
  start(o);
  feed("2024-05-01T12:00:00Z|av|AVAILABLE|Xact|12.5|execution|ACTIVE\n");

  const auto probe = nlohmann::json::parse(get("/probe?format=json"));
  const auto& mill = probe["MTConnectDevices"]["Devices"]["Device"][0];
  EXPECT_EQ(mill["id"], "d");
  const auto& linear = mill["Components"]["Axes"][0]["Components"]["Linear"][0];
  EXPECT_EQ(linear["id"], "xa");
  EXPECT_EQ(linear["name"], "X");
  EXPECT_EQ(linear["DataItems"]["DataItem"][0]["id"], "xpos");
  EXPECT_EQ(linear["DataItems"]["DataItem"][0]["subType"], "ACTUAL");
  const auto& path = mill["Components"]["Controller"][0]["Components"]["Path"][0];
  EXPECT_EQ(path["DataItems"]["DataItem"][0]["type"], "EXECUTION");
  // The file's items are not repeated at the device level.
  for (const auto& item : mill["DataItems"]["DataItem"]) EXPECT_NE(item["id"], "xpos") << item;

  const auto current = nlohmann::json::parse(get("/current?format=json"));
  const auto& streams = current["MTConnectStreams"]["Streams"]["DeviceStream"];
  bool sawLinear = false, sawPath = false;
  for (const auto& ds : streams) {
    if (ds["name"] != "Mill") continue;
    for (const auto& cs : ds["ComponentStream"]) {
      if (cs["componentId"] == "xa") {
        sawLinear = true;
        EXPECT_EQ(cs["component"], "Linear");
        EXPECT_EQ(cs["Samples"]["Position"][0]["value"], 12.5) << cs;
      }
      if (cs["componentId"] == "p1") {
        sawPath = true;
        EXPECT_EQ(cs["Events"]["Execution"][0]["value"], "ACTIVE") << cs;
      }
    }
  }
  EXPECT_TRUE(sawLinear && sawPath) << current.dump();
}

}  // namespace
}  // namespace spindle::web::mtconnect
