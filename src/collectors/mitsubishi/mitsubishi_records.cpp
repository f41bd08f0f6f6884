// The records of mochaGetCurrentAlarmMsgFirst and mochaGetCurrentPrgBlockFirst (fixed-size,
// in the message's byte order): part of the codec declared in mitsubishi_codec.hpp.

#include "collectors/mitsubishi/mitsubishi_cdr.hpp"
#include "collectors/mitsubishi/mitsubishi_codec.hpp"

namespace spindle::collectors::mitsubishi {

Request alarmRequest(std::uint32_t id, std::uint32_t system, std::uint32_t count,
                     std::uint32_t type, bool le) {
  return Request{id, true, {1, 0, 0, 0}, operation::kAlarms, {system, count, type}, le};
}

Result<std::vector<AlarmRecord>> decodeAlarms(const Reply& r) {
  if (r.status != reply_status::kNoException) {
    return Error(ErrorCode::kProtocol,
                 "reply status " + std::to_string(r.status) + " carries no alarms");
  }
  if (r.result.size() % kAlarmRecordSize != 0 || r.result.size() > kMaxAlarms * kAlarmRecordSize) {
    return Error(ErrorCode::kProtocol, "alarm reply of " + std::to_string(r.result.size()) +
                                           " bytes is not 0 to 10 records of 264");
  }
  std::vector<AlarmRecord> out;
  const std::span<const std::uint8_t> b(r.result);
  for (std::size_t at = 0; at < b.size(); at += kAlarmRecordSize) {
    out.push_back({static_cast<std::int32_t>(load32(b, at, r.littleEndian)),
                   static_cast<std::int32_t>(load32(b, at + 4, r.littleEndian)),
                   fixedText(b.subspan(at + 8, kAlarmTextSize), kAlarmTextSize)});
  }
  return out;
}

Bytes encodeAlarms(const std::vector<AlarmRecord>& records, bool le) {
  Bytes out;
  CdrWriter w(out, le);
  for (const auto& a : records) {
    w.raw32(static_cast<std::uint32_t>(a.number));
    w.raw32(static_cast<std::uint32_t>(a.kind));
    putText(out, a.text, kAlarmTextSize);
  }
  return out;
}

Request programBlockRequest(std::uint32_t id, std::uint32_t system, std::uint32_t rows, bool le) {
  return Request{id, true, {1, 0, 0, 0}, operation::kProgramBlock, {system, rows}, le};
}

Result<std::vector<BlockRecord>> decodeProgramBlock(const Reply& r) {
  if (r.status != reply_status::kNoException) {
    return Error(ErrorCode::kProtocol,
                 "reply status " + std::to_string(r.status) + " carries no program block");
  }
  if (r.result.size() % kBlockRecordSize != 0 || r.result.size() > 10 * kBlockRecordSize) {
    return Error(ErrorCode::kProtocol, "program block reply of " + std::to_string(r.result.size()) +
                                           " bytes is not 0 to 10 records of 528");
  }
  std::vector<BlockRecord> out;
  const std::span<const std::uint8_t> b(r.result);
  for (std::size_t at = 0; at < b.size(); at += kBlockRecordSize) {
    const std::uint32_t length = load32(b, at + 12, r.littleEndian);
    if (length > kBlockTextSize) {
      return Error(ErrorCode::kProtocol,
                   "program block text length " + std::to_string(length) + " passes 512");
    }
    out.push_back({static_cast<std::int32_t>(load32(b, at, r.littleEndian)),
                   static_cast<std::int32_t>(load32(b, at + 4, r.littleEndian)),
                   static_cast<std::int32_t>(load32(b, at + 8, r.littleEndian)),
                   fixedText(b.subspan(at + 16, kBlockTextSize), length)});
  }
  return out;
}

Bytes encodeProgramBlock(const std::vector<BlockRecord>& records, bool le) {
  Bytes out;
  CdrWriter w(out, le);
  for (const auto& r : records) {
    w.raw32(static_cast<std::uint32_t>(r.block));
    w.raw32(static_cast<std::uint32_t>(r.row));
    w.raw32(static_cast<std::uint32_t>(r.unknown));
    w.raw32(static_cast<std::uint32_t>(std::min(r.text.size(), kBlockTextSize - 1)));
    putText(out, r.text, kBlockTextSize);
  }
  return out;
}

}  // namespace spindle::collectors::mitsubishi
