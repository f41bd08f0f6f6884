// Golden cases (collectors/testing/golden_cases.hpp): GIOP byte streams in hex, one read per
// line, and what the codec makes of them: each request's operation and arguments, and each
// reply decoded as the answer to the request before it (a value, alarms, a program block or an
// exception). A framing error ends the stream.

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "collectors/mitsubishi/mitsubishi_codec.hpp"
#include "collectors/testing/golden_cases.hpp"

namespace spindle::collectors::mitsubishi {
namespace {

std::string show(const Value& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", *d);
    return text;
  }
  return std::get<std::string>(v);
}

std::string describeRequest(const Request& q) {
  std::string s = "request id=" + std::to_string(q.requestId) + (q.littleEndian ? "" : " BE") +
                  " " + q.operation;
  if (auto a = dataAddressOf(q)) {
    return s + " " + std::to_string(a->section) + "/" + std::to_string(a->subSection) +
           " system=" + std::to_string(a->system) + " axis=" + std::to_string(a->axisFlag) + " " +
           dataTypeName(a->type);
  }
  std::string args;
  for (auto x : q.args) args += (args.empty() ? "" : ",") + std::to_string(x);
  return s + " args=" + args;
}

/// The answer as text, or the error of its decoder (`head` alone goes to the frames then).
Result<std::string> describeReply(const Reply& r, const std::string& op, std::string& head) {
  head = "reply id=" + std::to_string(r.requestId) + (r.littleEndian ? "" : " BE");
  if (r.status == reply_status::kUserException || r.status == reply_status::kSystemException) {
    head += r.status == reply_status::kUserException ? " user exception" : " system exception";
    auto e = decodeException(r);
    if (!e) return std::move(e).error();
    return head + " " + errorName(e->code) + (e->id.empty() ? "" : " " + e->id);
  }
  if (op == operation::kAlarms) {
    auto list = decodeAlarms(r);
    if (!list) return std::move(list).error();
    std::string s = head + " alarms " + std::to_string(list->size());
    for (const auto& a : *list) {
      s += " [" + std::to_string(a.number) + " kind=" + std::to_string(a.kind) + " " + a.text + "]";
    }
    return s;
  }
  if (op == operation::kProgramBlock) {
    auto rows = decodeProgramBlock(r);
    if (!rows) return std::move(rows).error();
    std::string s = head + " block " + std::to_string(rows->size());
    for (const auto& b : *rows) {
      s += " [" + std::to_string(b.block) + " row=" + std::to_string(b.row) + " " + b.text + "]";
    }
    return s;
  }
  auto d = decodeDataReply(r);
  if (!d) return std::move(d).error();
  auto v = decodeValue(d->type, d->data, r.littleEndian);
  if (!v) return std::move(v).error();
  return head + " " + dataTypeName(d->type) + " " + show(*v);
}

testing::GoldenOutput run(const testing::GoldenCase& c) {
  testing::GoldenOutput out;
  auto& frames = out.exact["frames"];
  MessageReader reader;
  std::string lastOp;
  auto handle = [&](const Message& m) {
    if (m.type == message_type::kRequest) {
      auto q = decodeRequest(m);
      if (!q) return out.rejections.push_back(q.error().message());
      frames.push_back(describeRequest(*q));
      lastOp = q->operation;
    } else if (m.type == message_type::kReply) {
      auto r = decodeReply(m);
      if (!r) return out.rejections.push_back(r.error().message());
      std::string head;
      auto text = describeReply(*r, lastOp, head);
      frames.push_back(text ? *text : head);
      if (!text) out.rejections.push_back(text.error().message());
    } else {
      frames.push_back(messageTypeName(m.type));
    }
  };
  testing::feedHexStream(c.input, reader, out, "message", handle);
  return out;
}

TEST(MitsubishiGolden, CasesProduceExactlyTheExpectedFrames) {
  testing::runGoldenCases(
      std::filesystem::path(SPINDLE_SOURCE_DIR) / "src/collectors/mitsubishi/testdata", 8, run);
}

}  // namespace
}  // namespace spindle::collectors::mitsubishi
