// Golden cases: every testdata/*.case file is a script, a sequence of inputs at times (with
// an injected clock) and the outputs expected, or a script and the load errors expected.
// The format is described in testdata/README.md.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "transform/script_loader.hpp"
#include "transform/script_runner.hpp"

namespace spindle::transform {
namespace {

namespace fs = std::filesystem;

constexpr TimestampNs kBase = 1704067200LL * 1'000'000'000;  // 2024-01-01T00:00:00Z (a Monday)

class FakeClock final : public Clock {
 public:
  TimestampNs now() const override { return m_now; }
  void set(TimestampNs t) { m_now = t; }

 private:
  TimestampNs m_now = kBase;
};

struct GoldenCase {
  std::string script;
  std::vector<std::string> input;
  std::vector<std::string> expect;
  std::vector<std::string> stats;
  std::vector<std::string> errors;
  bool hasExpect = false;
};

GoldenCase readCase(const fs::path& path) {
  std::ifstream in(path);
  GoldenCase c;
  std::string section;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("--- ", 0) == 0) {
      section = line.substr(4);
      if (section == "expect") c.hasExpect = true;
      continue;
    }
    if (section == "script") {
      c.script += line + "\n";
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    if (section == "input") c.input.push_back(line);
    if (section == "expect") c.expect.push_back(line);
    if (section == "stats") c.stats.push_back(line);
    if (section == "errors") c.errors.push_back(line);
  }
  return c;
}

// Splits on spaces outside quotes and parentheses.
std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  int depth = 0;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '(') ++depth;
    if (!quoted && c == ')') --depth;
    if (c == ' ' && !quoted && depth == 0) {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

std::vector<std::string> splitArgs(const std::string& inner) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : inner) {
    if (c == ',') {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

model::Level levelOf(const std::string& s) {
  if (s == "FAULT") return model::Level::kFault;
  if (s == "WARNING") return model::Level::kWarning;
  if (s == "NORMAL") return model::Level::kNormal;
  return model::Level::kUnavailable;
}

// 1 -> int64, 2.5 -> double, true/false, UNAVAILABLE, "text", [1,2], bare words -> text,
// cond(LEVEL,code,text[,severity,qualifier]), msg(code,text).
model::Value parseValue(const std::string& text, model::Kind& kind) {
  kind = model::Kind::kEvent;
  if (text == "UNAVAILABLE") return model::Unavailable{};
  if (text == "true" || text == "false") return text == "true";
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return text.substr(1, text.size() - 2);
  }
  if (text.rfind("cond(", 0) == 0 && text.back() == ')') {
    kind = model::Kind::kCondition;
    auto a = splitArgs(text.substr(5, text.size() - 6));
    a.resize(5);
    return std::make_shared<const model::Condition>(
        model::Condition{levelOf(a[0]), a[1], a[3], a[4], a[2]});
  }
  if (text.rfind("msg(", 0) == 0 && text.back() == ')') {
    kind = model::Kind::kMessage;
    auto a = splitArgs(text.substr(4, text.size() - 5));
    a.resize(2);
    return std::make_shared<const model::Message>(model::Message{a[0], a[1]});
  }
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    std::vector<double> v;
    for (const auto& p : splitArgs(text.substr(1, text.size() - 2))) {
      if (!p.empty()) v.push_back(std::stod(p));
    }
    kind = model::Kind::kSample;
    return v;
  }
  char* end = nullptr;
  const long long i = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && *end == '\0') {
    kind = model::Kind::kSample;
    return static_cast<std::int64_t>(i);
  }
  const double d = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0') {
    kind = model::Kind::kSample;
    return d;
  }
  return text;
}

struct Describe {
  std::string operator()(const model::Unavailable&) { return "UNAVAILABLE"; }
  std::string operator()(bool b) { return b ? "true" : "false"; }
  std::string operator()(std::int64_t i) { return std::to_string(i); }
  std::string operator()(double d) { return formatNumber(d) + "d"; }
  std::string operator()(const std::string& s) { return "\"" + s + "\""; }
  std::string operator()(const std::vector<double>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + formatNumber(v[i]);
    return out + "]";
  }
  std::string operator()(const std::shared_ptr<const model::Condition>& c) {
    std::string out = std::string("cond(") + model::toString(c->level);
    if (!c->nativeCode.empty() || !c->text.empty() || !c->nativeSeverity.empty() ||
        !c->qualifier.empty()) {
      out += "," + c->nativeCode + "," + c->text;
    }
    if (!c->nativeSeverity.empty() || !c->qualifier.empty()) {
      out += "," + c->nativeSeverity + "," + c->qualifier;
    }
    return out + ")";
  }
  std::string operator()(const std::shared_ptr<const model::Message>& m) {
    return "msg(" + m->nativeCode + "," + m->text + ")";
  }
  template <typename T>
  std::string operator()(const T&) {
    return "?";
  }
};

std::string describeValue(const model::Value& v) { return std::visit(Describe{}, v); }

std::string seconds(TimestampNs t) { return formatNumber(static_cast<double>(t - kBase) / 1e9); }

TimestampNs parseTime(const std::string& word) {
  return kBase + static_cast<TimestampNs>(std::llround(std::stod(word.substr(1)) * 1e9));
}

std::vector<fs::path> caseFiles() {
  std::vector<fs::path> files;
  for (const auto& e :
       fs::directory_iterator(fs::path(SPINDLE_SOURCE_DIR) / "src/transform/testdata")) {
    if (e.path().extension() == ".case") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::map<std::string, std::uint64_t> statsMap(const ScriptStats& s) {
  std::map<std::string, std::uint64_t> m = {{"errors", s.errors},
                                            {"inputs", s.inputs},
                                            {"passed_through", s.passedThrough},
                                            {"evaluations", s.evaluations},
                                            {"outputs", s.outputs}};
  for (std::size_t i = 1; i < kRuntimeErrorKinds; ++i) {
    m[toString(static_cast<RuntimeErrorKind>(i))] = s.errorsByKind[i];
  }
  return m;
}

void runCase(const fs::path& file) {
  const GoldenCase c = readCase(file);
  auto compiled = compileScriptDiagnostics(c.script, file.filename().string());
  if (!c.errors.empty()) {
    ASSERT_EQ(compiled.script, nullptr) << "the script was expected not to load";
    std::vector<std::string> got;
    for (const auto& d : compiled.diagnostics.items()) got.push_back(d.describe());
    ASSERT_EQ(got.size(), c.errors.size()) << compiled.diagnostics.describe();
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_NE(got[i].find(c.errors[i]), std::string::npos)
          << "diagnostic " << i << " is: " << got[i] << "\nexpected to contain: " << c.errors[i];
    }
    return;
  }
  ASSERT_NE(compiled.script, nullptr) << compiled.diagnostics.describe();
  ASSERT_TRUE(c.hasExpect) << "a case that loads needs an --- expect section";

  FakeClock clock;
  model::ItemCatalog catalog;
  const auto machine = catalog.addMachine("m");
  ScriptRunner runner(compiled.script, catalog, machine, clock);
  std::vector<std::string> got;
  auto record = [&](const model::Batch& out) {
    for (const auto& o : out) {
      got.push_back("@" + seconds(o.timestamp) + " " + std::string(catalog.item(o.item).key) + "=" +
                    describeValue(o.value));
    }
  };
  for (const auto& line : c.input) {
    const auto w = words(line);
    ASSERT_GE(w.size(), 2u) << line;
    ASSERT_EQ(w[0][0], '@') << line;
    const TimestampNs at = parseTime(w[0]);
    clock.set(at);
    model::Batch out;
    if (w[1] == "tick") {
      runner.tick(out);
    } else if (w[1] == "deadline") {
      ASSERT_EQ(w.size(), 3u) << line;
      const TimestampNs expected = w[2] == "never" ? kNever : parseTime("@" + w[2]);
      EXPECT_EQ(runner.nextDeadline(), expected)
          << line << ": next deadline is @"
          << (runner.nextDeadline() == kNever ? "never" : seconds(runner.nextDeadline()));
      continue;
    } else {
      model::Batch in;
      for (std::size_t i = 1; i < w.size(); ++i) {
        const auto eq = w[i].find('=');
        ASSERT_NE(eq, std::string::npos) << line;
        model::Kind kind;
        model::Value value = parseValue(w[i].substr(eq + 1), kind);
        in.push_back(model::Observation{machine,
                                        catalog.intern(machine, w[i].substr(0, eq), kind).value(),
                                        at, kind, model::kFlagNone, std::move(value)});
      }
      runner.process(in, out);
    }
    record(out);
  }
  EXPECT_EQ(got, c.expect);
  const auto stats = statsMap(runner.stats());
  for (const auto& line : c.stats) {
    const auto eq = line.find('=');
    ASSERT_NE(eq, std::string::npos) << line;
    const std::string name = line.substr(0, eq);
    ASSERT_TRUE(stats.count(name)) << "unknown stat " << name;
    EXPECT_EQ(stats.at(name), std::stoull(line.substr(eq + 1)))
        << name << " (last error: " << runner.stats().lastError << ")";
  }
}

TEST(TransformGolden, CasesProduceExactlyTheExpectedOutput) {
  const auto files = caseFiles();
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    runCase(file);
  }
}

// Every operation and generator has at least one golden case named after it.
TEST(TransformGolden, EveryOperationAndGeneratorHasACase) {
  std::vector<std::string> stems;
  for (const auto& f : caseFiles()) stems.push_back(f.stem().string());
  auto covered = [&](std::string name) {
    std::replace(name.begin(), name.end(), '-', '_');
    return std::any_of(stems.begin(), stems.end(), [&](const std::string& s) {
      return s == name || s.rfind(name + "_", 0) == 0;
    });
  };
  for (const auto& op : operationTypes()) {
    EXPECT_TRUE(covered(std::string(op.name))) << "no testdata case for operation " << op.name;
  }
  for (const auto& g : generatorTypes()) {
    EXPECT_TRUE(covered("generator_" + g)) << "no testdata case for generator " << g;
  }
}

}  // namespace
}  // namespace spindle::transform
