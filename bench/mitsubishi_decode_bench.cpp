// Mitsubishi EZSocket decode speed on the replies of one poll of a machining centre, as the
// collector asks them (run status, mode, automatic, program, sequence, block, two feeds,
// spindle speed and load, tool, part count, and workpiece position and servo load of three
// axes: 18 mochaGetData replies of T_SHORT, T_DLONG, T_STR, T_FLOATBIN and T_LONG, plus the
// alarms, 10 records): the byte stream fed to the message reader, each reply decoded down to
// its value. Bytes already in memory. Goal (issue 17): >= 1 million values/s on one core. A
// "value" is one decoded mochaGetData value or alarm record.

#include <benchmark/benchmark.h>

#include "collectors/mitsubishi/mitsubishi_codec.hpp"

namespace {

using namespace spindle::collectors::mitsubishi;

struct Stream {
  Bytes bytes;
  std::size_t messages = 0;
};

Stream pollReplies() {
  Stream s;
  std::uint32_t id = 1;
  auto add = [&](std::uint32_t type, const Value& v) {
    const Bytes m = encodeReply(Reply{id++, reply_status::kNoException,
                                      encodeDataResult(type, encodeValue(type, v, true), true)});
    s.bytes.insert(s.bytes.end(), m.begin(), m.end());
    ++s.messages;
  };
  add(data_type::kShort, std::int64_t{3});
  add(data_type::kShort, std::int64_t{0});
  add(data_type::kDLong, std::int64_t{1});
  add(data_type::kString, std::string("O1001"));
  add(data_type::kDLong, std::int64_t{120});
  add(data_type::kDLong, std::int64_t{12});
  add(data_type::kFloatBin, 1250.0);
  add(data_type::kFloatBin, 1500.0);
  add(data_type::kDLong, std::int64_t{8000});
  add(data_type::kDLong, std::int64_t{35});
  add(data_type::kLong, std::int64_t{7});
  add(data_type::kLong, std::int64_t{1234});
  for (double p : {-12.5, 100.25, -310.125}) {
    add(data_type::kFloatBin, p);
    add(data_type::kShort, std::int64_t{20});
  }
  std::vector<AlarmRecord> alarms(kMaxAlarms);
  alarms[0] = {1001, 0, "SPINDLE OVERLOAD"};
  const Bytes m = encodeReply(Reply{id++, reply_status::kNoException, encodeAlarms(alarms, true)});
  s.bytes.insert(s.bytes.end(), m.begin(), m.end());
  ++s.messages;
  return s;
}

void BM_MitsubishiDecodePollReplies(benchmark::State& state) {
  static const Stream stream = pollReplies();
  MessageReader reader;
  std::uint64_t values = 0;
  for (auto _ : state) {
    std::span<const std::uint8_t> rest(stream.bytes);
    std::size_t messages = 0;
    while (!rest.empty()) {
      rest = rest.subspan(reader.feed(rest));
      auto message = reader.next();
      if (!message || !message->has_value()) {
        state.SkipWithError("a reply did not frame");
        return;
      }
      auto reply = decodeReply(**message);
      if (!reply) {
        state.SkipWithError("a reply did not decode");
        return;
      }
      ++messages;
      if (messages == stream.messages) {
        auto alarms = decodeAlarms(*reply);
        if (!alarms) {
          state.SkipWithError("the alarms did not decode");
          return;
        }
        values += alarms->size();
        continue;
      }
      auto data = decodeDataReply(*reply);
      if (!data) {
        state.SkipWithError("a data reply did not decode");
        return;
      }
      auto v = decodeValue(data->type, data->data, reply->littleEndian);
      if (!v) {
        state.SkipWithError("a value did not decode");
        return;
      }
      benchmark::DoNotOptimize(*v);
      ++values;
    }
  }
  state.counters["values_per_s"] =
      benchmark::Counter(static_cast<double>(values), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(static_cast<std::int64_t>(stream.bytes.size() * state.iterations()));
}
BENCHMARK(BM_MitsubishiDecodePollReplies);

}  // namespace

BENCHMARK_MAIN();
