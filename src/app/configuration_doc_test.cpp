// docs/configuration.md documents every key of every option table, with its default and, for
// numbers, durations and sizes, its range (which every such option declares).

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "app/spindle_config.hpp"

namespace spindle::app {
namespace {

std::string readDoc() {
  std::ifstream in(std::string(SPINDLE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void expectDocumented(const std::string& doc, const std::vector<config::OptionInfo>& options,
                      const std::string& section) {
  for (const auto& o : options) {
    const std::string row = "| `" + o.key + "` | " + o.type + " | ";
    EXPECT_NE(doc.find(row), std::string::npos)
        << section << "." << o.key << " is missing from docs/configuration.md (expected a row "
        << "starting with: " << row << ")";
    const bool numeric = o.type == "integer" || o.type == "integer >= 0" || o.type == "number" ||
                         o.type == "duration" || o.type == "size";
    const std::string range = o.bounds.describe();
    EXPECT_TRUE(!numeric || !range.empty())
        << section << "." << o.key << " is a " << o.type << " without bounds in its option table";
    if (!range.empty()) {
      // Keys such as `heartbeat` have rows in several sections: one of them must say it.
      bool said = false;
      for (auto at = doc.find(row); at != std::string::npos && !said; at = doc.find(row, at + 1)) {
        said = doc.substr(at, doc.find('\n', at) - at).find("(" + range + ")") != std::string::npos;
      }
      EXPECT_TRUE(said) << section << "." << o.key << ": its row should say (" << range << ")";
    }
    if (!o.defaultText.empty()) {
      const std::string withDefault = row + (o.defaultText.find(' ') == std::string::npos &&
                                                     o.defaultText.find(',') == std::string::npos
                                                 ? "`" + o.defaultText + "`"
                                                 : o.defaultText);
      EXPECT_NE(doc.find(withDefault), std::string::npos)
          << section << "." << o.key << ": default should read " << withDefault;
    }
  }
}

TEST(ConfigurationDoc, EveryKeyIsDocumentedWithItsDefault) {
  const std::string doc = readDoc();
  ASSERT_FALSE(doc.empty());
  expectDocumented(doc, edgeOptionTable().describe(), "edge");
  expectDocumented(doc, stateOptionTable().describe(), "state");
  expectDocumented(doc, simulatorOptionTable().describe(), "simulator");
  expectDocumented(doc, journal::optionTable().describe(), "journal");
  expectDocumented(doc, net::optionTable().describe(), "net");
  expectDocumented(doc, web::webOptionTable().describe(), "web");
  expectDocumented(doc, web::management::optionTable().describe(), "web.management");
  expectDocumented(doc, control::optionTable().describe(), "control");
  expectDocumented(doc, update::optionTable().describe(), "update");
  expectDocumented(doc, net::http::httpsOptionTable().describe(), "https");
  expectDocumented(doc, control::crash::crashReportOptionTable().describe(), "crash_reports");
  expectDocumented(doc, transform::store::optionTable().describe(), "adapter_store");
  expectDocumented(doc, upload::optionTable().describe(), "uploads");
  collectors::Registry registry;
  collectors::registerBuiltinCollectors(registry);
  for (const auto& name : registry.names()) {
    EXPECT_NE(doc.find("### type: " + name), std::string::npos) << name;
    expectDocumented(doc, registry.find(name)->options, name);
  }
  const auto& uplinks = uplinks::builtinUplinks();
  for (const auto& name : uplinks.names()) {
    EXPECT_NE(doc.find("## uplinks." + name), std::string::npos) << name;
    expectDocumented(doc, uplinks.find(name)->options, "uplinks." + name);
  }
}

}  // namespace
}  // namespace spindle::app
