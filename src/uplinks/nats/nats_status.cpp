#include "uplinks/nats/nats_status.hpp"

#include <algorithm>
#include <chrono>

#include "base/redact.hpp"
#include "base/units.hpp"

namespace spindle::uplinks::nats {

Error natsError(natsStatus status, const std::string& what) {
  natsStatus last = NATS_OK;
  const char* text = nats_GetLastError(&last);
  std::string message = natsStatus_GetText(status);
  if (text != nullptr && *text != '\0' && last == status) message += std::string(": ") + text;
  ErrorCode code = ErrorCode::kUnavailable;
  switch (status) {
    case NATS_INVALID_ARG:
    case NATS_SSL_ERROR:
    case NATS_NOT_PERMITTED:
      code = ErrorCode::kInvalidArgument;
      break;
    case NATS_TIMEOUT:
      code = ErrorCode::kTimeout;
      break;
    case NATS_IO_ERROR:
      code = ErrorCode::kIo;
      break;
    case NATS_PROTOCOL_ERROR:
      code = ErrorCode::kProtocol;
      break;
    default:
      break;
  }
  return Error(code, redactUrl(message)).with(what);
}

namespace {

std::string clockTime(TimestampNs at) { return formatTimestamp(at).substr(11, 8) + " UTC"; }

std::string age(TimestampNs from, TimestampNs now) {
  const auto seconds = std::max<TimestampNs>(0, now - from) / 1'000'000'000;
  return seconds == 0 ? "0s" : formatDuration(std::chrono::seconds(seconds));
}

}  // namespace

std::string describeLink(const ConnectionStatus& status, TimestampNs lastAck, TimestampNs now) {
  std::string out;
  if (status.connected) {
    out = "hub connected since " + clockTime(status.since);
  } else if (status.since == 0) {
    out = "hub not reached yet, connecting";
  } else {
    out = "hub down since " + clockTime(status.since) + " (" + age(status.since, now) +
          "), reconnecting";
  }
  if (!status.connected && status.rebuilds > 0) {
    out += " (connection rebuilt " + std::to_string(status.rebuilds) + "x)";
  }
  if (lastAck == 0) return out + ", no ack yet";
  if (status.connected) return out + ", last ack " + age(lastAck, now) + " ago";
  return out + ", last ack " + clockTime(lastAck);
}

}  // namespace spindle::uplinks::nats
