#include "uplinks/nats/hf_codec.hpp"

#include <cmath>

#include <gtest/gtest.h>

namespace spindle::uplinks::nats {
namespace {

TEST(NatsHfCodec, EncodesDeltasAndRoundTrips) {
  HfBatch b;
  b.edge = "e1";
  b.machine = "lathe-2";
  b.dropped = 3;
  HfSeries s;
  s.item = "S1load";
  const TimestampNs t0 = 1700000000000000000;
  for (int i = 0; i < 5; ++i) {
    s.timestamps.push_back(t0 + i * 1'000'000);  // 1 kHz
    s.values.push_back(10.5 + i);
  }
  s.values[3] = NAN;
  b.series.push_back(s);
  std::string body;
  encodeHf(b, body);
  EXPECT_NE(body.find("\"dt_us\":[0,1000,1000,1000,1000]"), std::string::npos) << body;
  EXPECT_NE(body.find("\"values\":[10.5,11.5,12.5,null,14.5]"), std::string::npos) << body;
  EXPECT_NE(body.find("\"t0\":\"2023-11-14T22:13:20.000000Z\""), std::string::npos) << body;
  auto back = decodeHf(body);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->machine, "lathe-2");
  EXPECT_EQ(back->dropped, 3u);
  ASSERT_EQ(back->series.size(), 1u);
  EXPECT_EQ(back->series[0].timestamps, s.timestamps);
  EXPECT_TRUE(std::isnan(back->series[0].values[3]));
  EXPECT_EQ(back->samples(), 5u);
}

TEST(NatsHfCodec, RejectsBadBodies) {
  EXPECT_FALSE(decodeHf("[]").ok());
  EXPECT_FALSE(decodeHf("{\"schema\":\"spindle.hf.v9\",\"series\":[]}").ok());
  EXPECT_FALSE(decodeHf("{\"schema\":\"spindle.hf.v1\"}").ok());
  EXPECT_FALSE(decodeHf("{\"schema\":\"spindle.hf.v1\",\"series\":[{\"item\":\"x\",\"t0_ns\":0,"
                        "\"dt_us\":[0,1],\"values\":[1]}]}")
                   .ok());
  EXPECT_FALSE(
      decodeHf("{\"schema\":\"spindle.hf.v1\",\"series\":[{\"item\":\"x\",\"values\":[1]}]}").ok());
}

}  // namespace
}  // namespace spindle::uplinks::nats
