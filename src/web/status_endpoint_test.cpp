#include "web/status_endpoint.hpp"

#include <gtest/gtest.h>

namespace spindle::web {
namespace {

struct Recorder : Responder {
  unsigned status = 0;
  std::string type, body;
  void reply(unsigned s, std::string t, std::string b) override {
    status = s;
    type = std::move(t);
    body = std::move(b);
  }
  void startStream(std::string) override {}
  void sendChunk(std::string, std::function<void(bool)>) override {}
  void endStream() override {}
  Executor executor() override { throw std::logic_error("not used"); }
};

HttpRequest request(std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return r;
}

TEST(WebStatusEndpoint, ServesTheDocumentAtItsPathOnly) {
  int calls = 0;
  const StatusEndpoint endpoint([&calls] {
    ++calls;
    return std::string(R"({"edge":"e1"})");
  });
  Recorder r;
  EXPECT_TRUE(endpoint.handle(request("GET", "/.spindle/status"), r));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.type, "application/json");
  EXPECT_EQ(r.body, R"({"edge":"e1"})");
  Recorder slash;
  EXPECT_TRUE(endpoint.handle(request("GET", "/.spindle/status/"), slash));
  EXPECT_EQ(calls, 2);

  // MTConnect paths, devices included, go on to the agent interface untouched.
  for (const char* path : {"/current", "/probe", "/mill-1/sample", "/status", "/spindle/status"}) {
    Recorder other;
    EXPECT_FALSE(endpoint.handle(request("GET", path), other)) << path;
    EXPECT_EQ(other.status, 0u);
  }
  Recorder post;
  EXPECT_TRUE(endpoint.handle(request("POST", "/.spindle/status"), post));
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace spindle::web
