#include "fleet/health_stream.hpp"

#include <algorithm>
#include <map>

namespace spindle::fleet {

namespace {

constexpr int kStreamNotFound = 10059;  // JSStreamNotFoundErr
constexpr int kNoMessage = 10037;       // JSNoMessageFoundErr

std::int64_t toNs(Duration d) { return d.count(); }

Error streamMissing() {
  return Error(ErrorCode::kNotFound,
               std::string("the hub has no stream ") + kHealthStream +
                   " (it keeps the last heartbeat of every edge): run `spindle fleet init`");
}

std::string describeSettings(const StreamSettings& s) {
  return std::string(kHealthSubjects) + ", the last heartbeat of each edge, max age " +
         formatDuration(s.maxAge) + ", file storage, " + std::to_string(s.replicas) +
         (s.replicas == 1 ? " replica" : " replicas");
}

Heartbeat fromMessage(natsMsg* msg, TimestampNs received) {
  Heartbeat h;
  h.subject = natsMsg_GetSubject(msg);
  h.body.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
  h.received = received;
  return h;
}

}  // namespace

Result<std::string> ensureHealthStream(HubConnection& hub, const StreamSettings& settings) {
  jsOptions jo = hub.jsOpts();
  const char* subjects[] = {kHealthSubjects};
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = kHealthStream;
  cfg.Description = "the last heartbeat of every Spindle edge (spindle fleet)";
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.MaxMsgsPerSubject = 1;
  cfg.MaxAge = toNs(settings.maxAge);
  cfg.Storage = js_FileStorage;
  cfg.Replicas = settings.replicas;
  cfg.AllowDirect = true;

  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, hub.js(), kHealthStream, &jo, &jerr);
  if (s == NATS_NOT_FOUND || jerr == kStreamNotFound) {
    jsStreamInfo* created = nullptr;
    s = js_AddStream(&created, hub.js(), &cfg, &jo, &jerr);
    jsStreamInfo_Destroy(created);
    if (s != NATS_OK) return hubError(s, std::string("creating the stream ") + kHealthStream);
    return std::string("stream ") + kHealthStream + ": created (" + describeSettings(settings) +
           ")";
  }
  if (s != NATS_OK) return hubError(s, std::string("asking for the stream ") + kHealthStream);
  const jsStreamConfig* have = info->Config;
  const bool same = have->SubjectsLen == 1 && std::string(have->Subjects[0]) == kHealthSubjects &&
                    have->MaxMsgsPerSubject == 1 && have->MaxAge == cfg.MaxAge &&
                    have->Replicas == cfg.Replicas && have->AllowDirect;
  const bool memory = have->Storage != js_FileStorage;
  jsStreamInfo_Destroy(info);
  if (same) {
    return std::string("stream ") + kHealthStream + ": exists, unchanged (" +
           describeSettings(settings) + ")";
  }
  if (memory) cfg.Storage = js_MemoryStorage;  // JetStream cannot change a stream's storage
  jsStreamInfo* updated = nullptr;
  s = js_UpdateStream(&updated, hub.js(), &cfg, &jo, &jerr);
  jsStreamInfo_Destroy(updated);
  if (s != NATS_OK) return hubError(s, std::string("updating the stream ") + kHealthStream);
  return std::string("stream ") + kHealthStream + ": updated to " + describeSettings(settings);
}

Result<std::string> ensureBucket(HubConnection& hub, const std::string& bucket, int history,
                                 int replicas) {
  kvStore* kv = nullptr;
  if (js_KeyValue(&kv, hub.js(), bucket.c_str()) == NATS_OK) {
    kvStore_Destroy(kv);
    return "KV bucket " + bucket + ": exists, unchanged";
  }
  kvConfig kc;
  kvConfig_Init(&kc);
  kc.Bucket = bucket.c_str();
  kc.History = static_cast<uint8_t>(history);
  kc.Replicas = replicas;
  kc.StorageType = js_FileStorage;
  if (natsStatus s = js_CreateKeyValue(&kv, hub.js(), &kc); s != NATS_OK) {
    return hubError(s, "creating the KV bucket " + bucket);
  }
  kvStore_Destroy(kv);
  return "KV bucket " + bucket + ": created (" + std::to_string(history) + " revisions per key, " +
         std::to_string(replicas) + (replicas == 1 ? " replica)" : " replicas)");
}

Result<std::vector<Heartbeat>> readLatest(HubConnection& hub) {
  jsOptions jo = hub.jsOpts();
  jsStreamInfo* info = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, hub.js(), kHealthStream, &jo, &jerr);
  if (s == NATS_NOT_FOUND || jerr == kStreamNotFound) return streamMissing();
  if (s != NATS_OK) return hubError(s, std::string("asking for the stream ") + kHealthStream);
  const std::uint64_t stored = info->State.Msgs;
  jsStreamInfo_Destroy(info);
  std::vector<Heartbeat> out;
  if (stored == 0) return out;
  out.reserve(stored);

  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = kHealthStream;
  so.Ordered = true;
  so.Config.DeliverPolicy = js_DeliverLastPerSubject;
  natsSubscription* sub = nullptr;
  s = js_SubscribeSync(&sub, hub.js(), kHealthSubjects, &jo, &so, &jerr);
  if (s != NATS_OK) return hubError(s, std::string("reading the stream ") + kHealthStream);
  // Pending messages on the subscription's own side are not capped: a fleet's heartbeats are a
  // few MB.
  natsSubscription_SetPendingLimits(sub, -1, -1);
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(hub.options().timeout);
  Result<std::vector<Heartbeat>> result = std::vector<Heartbeat>();
  while (true) {
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, sub, wait.count());
    if (s == NATS_TIMEOUT) {
      // The stream dropped messages by age meanwhile: what arrived is all there is.
      if (!out.empty()) break;
      result = Error(ErrorCode::kTimeout, "no message within " + formatDuration(wait))
                   .with(std::string("reading the stream ") + kHealthStream);
      break;
    }
    if (s != NATS_OK) {
      result = hubError(s, std::string("reading the stream ") + kHealthStream);
      break;
    }
    jsMsgMetaData* meta = nullptr;
    std::uint64_t pending = 0;
    TimestampNs stamp = wallClockNs();
    if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
      pending = meta->NumPending;
      stamp = meta->Timestamp;
      jsMsgMetaData_Destroy(meta);
    }
    out.push_back(fromMessage(msg, stamp));
    natsMsg_Destroy(msg);
    if (pending == 0) break;
  }
  natsSubscription_Destroy(sub);
  if (!result) return result;
  std::sort(out.begin(), out.end(),
            [](const Heartbeat& a, const Heartbeat& b) { return a.subject < b.subject; });
  return out;
}

Result<std::optional<Heartbeat>> readLatestOf(HubConnection& hub, const std::string& edge) {
  jsOptions jo = hub.jsOpts();
  const std::string subject = "spindle." + edge + ".health";
  natsMsg* msg = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  const natsStatus s = js_GetLastMsg(&msg, hub.js(), kHealthStream, subject.c_str(), &jo, &jerr);
  if (jerr == kStreamNotFound) return streamMissing();
  if (s == NATS_NOT_FOUND || jerr == kNoMessage) return std::optional<Heartbeat>();
  if (s != NATS_OK) return hubError(s, std::string("reading the stream ") + kHealthStream);
  Heartbeat h = fromMessage(msg, natsMsg_GetTime(msg));
  natsMsg_Destroy(msg);
  return std::optional<Heartbeat>(std::move(h));
}

Result<std::vector<Heartbeat>> listenLive(HubConnection& hub, const std::string& subject,
                                          Duration duration, bool untilFirst) {
  natsSubscription* sub = nullptr;
  natsStatus s = natsConnection_SubscribeSync(&sub, hub.nc(), subject.c_str());
  if (s != NATS_OK) return hubError(s, "subscribing to " + subject);
  natsSubscription_SetPendingLimits(sub, -1, -1);
  std::map<std::string, Heartbeat> last;
  const auto end = std::chrono::steady_clock::now() + duration;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    natsMsg* msg = nullptr;
    s = natsSubscription_NextMsg(&msg, sub, left.count());
    if (s == NATS_TIMEOUT) break;
    if (s != NATS_OK) {
      natsSubscription_Destroy(sub);
      return hubError(s, "listening on " + subject);
    }
    Heartbeat h = fromMessage(msg, wallClockNs());
    natsMsg_Destroy(msg);
    last[h.subject] = std::move(h);
    if (untilFirst) break;
  }
  natsSubscription_Destroy(sub);
  std::vector<Heartbeat> out;
  for (auto& [name, h] : last) out.push_back(std::move(h));
  return out;
}

}  // namespace spindle::fleet
