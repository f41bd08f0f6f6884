#include "uplinks/nats/hf_codec.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "model/json_encoder.hpp"
#include "uplinks/payload/payload_codec.hpp"

namespace spindle::uplinks::nats {
namespace {

template <typename T>
void appendNumber(std::string& out, T v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ptr);
}

Result<HfBatch> decodeHfOrThrow(std::string_view body);

}  // namespace

std::size_t HfBatch::samples() const {
  std::size_t n = 0;
  for (const auto& s : series) n += s.values.size();
  return n;
}

void encodeHf(const HfBatch& batch, std::string& out) {
  out += "{\"schema\":\"";
  out += kHfSchema;
  out += "\",\"edge\":";
  model::appendJsonString(out, batch.edge);
  out += ",\"machine\":";
  model::appendJsonString(out, batch.machine);
  out += ",\"dropped\":";
  appendNumber(out, batch.dropped);
  out += ",\"series\":[";
  bool firstSeries = true;
  for (const auto& s : batch.series) {
    if (s.values.empty()) continue;
    if (!firstSeries) out += ',';
    firstSeries = false;
    out += "{\"item\":";
    model::appendJsonString(out, s.item);
    const TimestampNs t0 = s.timestamps.front();
    out += ",\"t0\":\"";
    out += formatTimestamp(t0);
    out += "\",\"t0_ns\":";
    appendNumber(out, t0);
    out += ",\"dt_us\":[";
    TimestampNs prevUs = t0 / 1000;
    for (std::size_t i = 0; i < s.timestamps.size(); ++i) {
      const TimestampNs us = s.timestamps[i] / 1000;
      if (i) out += ',';
      appendNumber(out, us - prevUs);
      prevUs = us;
    }
    out += "],\"values\":[";
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      if (i) out += ',';
      if (std::isfinite(s.values[i])) {
        appendNumber(out, s.values[i]);
      } else {
        out += "null";
      }
    }
    out += "]}";
  }
  out += "]}";
}

Result<HfBatch> decodeHf(std::string_view body) {
  try {
    return decodeHfOrThrow(body);
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::kProtocol, e.what());
  }
}

namespace {
Result<HfBatch> decodeHfOrThrow(std::string_view body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(ErrorCode::kProtocol, "not a JSON object");
  if (j.value("schema", "") != kHfSchema) {
    return Error(ErrorCode::kProtocol, "unknown schema '" + j.value("schema", "") + "'");
  }
  HfBatch out;
  out.edge = j.value("edge", "");
  out.machine = j.value("machine", "");
  out.dropped = j.value("dropped", std::uint64_t{0});
  if (!j.contains("series") || !j["series"].is_array()) {
    return Error(ErrorCode::kProtocol, "missing series");
  }
  for (const auto& js : j["series"]) {
    HfSeries s;
    s.item = js.value("item", "");
    const auto& dts = js.at("dt_us");
    const auto& values = js.at("values");
    if (!dts.is_array() || !values.is_array() || dts.size() != values.size()) {
      return Error(ErrorCode::kProtocol, "series '" + s.item + "': dt_us and values differ");
    }
    TimestampNs us = js.value("t0_ns", TimestampNs{0}) / 1000;
    for (std::size_t i = 0; i < dts.size(); ++i) {
      us += dts[i].get<TimestampNs>();
      s.timestamps.push_back(us * 1000);
      s.values.push_back(values[i].is_number() ? values[i].get<double>() : NAN);
    }
    out.series.push_back(std::move(s));
  }
  return out;
}

}  // namespace

}  // namespace spindle::uplinks::nats
