#include "web/mtconnect/agent_service.hpp"

#include <charconv>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "web/mtconnect/agent_stream.hpp"
#include "web/mtconnect/path_filter.hpp"
#include "web/mtconnect/pretty.hpp"

namespace spindle::web::mtconnect {

namespace asio = boost::asio;

namespace {

const char* contentType(Format f) { return f == Format::kJson ? "application/json" : "text/xml"; }

std::optional<std::int64_t> integer(const std::map<std::string, std::string>& q, const char* name,
                                    bool& bad) {
  const auto it = q.find(name);
  if (it == q.end()) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size()) {
    bad = true;
    return std::nullopt;
  }
  return v;
}

}  // namespace

AgentService::AgentService(const WebOptions& options, const state::StateStore& store,
                           const model::ItemCatalog& catalog, std::string sender)
    : m_options(options),
      m_catalog(catalog),
      m_model(catalog, std::move(sender)),
      m_index(store, options.assetBufferSize, &catalog, options.bufferMemory.bytes,
              options.filterDuplicates),
      m_version(parseSchemaVersion(options.schemaVersion).value_or(kDefaultSchemaVersion)),
      m_instanceId(static_cast<std::uint64_t>(wallClockNs() / 1'000'000)),
      m_started(wallClockNs()) {}

HeaderInfo AgentService::headerInfo(const Style& st) const {
  HeaderInfo h;
  h.version = st.version;
  h.sender = m_model.sender();
  h.instanceId = m_instanceId;
  h.bufferSize = m_index.bufferSize();
  h.firstSequence = m_index.firstSequence();
  h.nextSequence = m_index.nextSequence();
  h.lastSequence = h.nextSequence > 0 ? h.nextSequence - 1 : 0;
  h.assetBufferSize = m_options.assetBufferSize;
  h.assetCount = m_index.assets().size();
  // The model changes when machines or items are added; until then it is the one of the start.
  const TimestampNs changed = m_index.modelChangeTime();
  h.deviceModelChangeTime = formatTimestamp(changed != 0 ? changed : m_started);
  h.creationTime = wallClockNs();
  return h;
}

void AgentService::reply(Responder& r, const Style& st, std::string body) {
  if (st.pretty) body = st.format == Format::kJson ? indentJson(body) : indentXml(body);
  r.reply(200, contentType(st.format), std::move(body));
}

void AgentService::error(Responder& r, const Style& st, unsigned status, const std::string& code,
                         const std::string& text) const {
  std::string body;
  HeaderInfo h;
  h.version = st.version;
  h.sender = m_model.sender();
  h.instanceId = m_instanceId;
  h.bufferSize = m_index.bufferSize();
  h.creationTime = wallClockNs();
  printError(body, st.format, h, code, text);
  if (st.pretty) body = st.format == Format::kJson ? indentJson(body) : indentXml(body);
  r.reply(status, contentType(st.format), std::move(body));
}

void AgentService::handle(const HttpRequest& req, std::shared_ptr<Responder> responder) {
  const auto fmtIt = req.query.find("format");
  Style f;
  f.format =
      req.accept.find("application/json") != std::string::npos ? Format::kJson : Format::kXml;
  if (fmtIt != req.query.end()) f.format = fmtIt->second == "json" ? Format::kJson : Format::kXml;
  const auto prettyIt = req.query.find("pretty");
  f.pretty = prettyIt != req.query.end() && prettyIt->second == "true";
  f.version = m_version;
  if (const auto v = req.query.find("schemaVersion"); v != req.query.end()) {
    const auto asked = parseSchemaVersion(v->second);
    if (!asked) {
      error(*responder, f, 400, "INVALID_REQUEST",
            "schemaVersion must be one of " + std::string(servedSchemaVersions()) + ", not '" +
                v->second + "'");
      return;
    }
    f.version = *asked;
  }
  if (req.method != "GET") {
    error(*responder, f, 400, "UNSUPPORTED", "only GET requests are served");
    return;
  }
  m_index.refresh();
  // Split "/<device>/<request>" or "/<request>".
  std::string_view path = req.path;
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  std::vector<std::string_view> parts;
  for (size_t i = 1; i <= path.size();) {
    const size_t slash = path.find('/', i);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > i) parts.push_back(path.substr(i, end - i));
    i = end + 1;
  }
  if (!parts.empty() && (parts[0] == "asset" || parts[0] == "assets")) {
    assets(req, *responder, f, parts.size() > 1 ? parts[1] : std::string_view());
    return;
  }
  std::string_view device, request = "probe";
  if (parts.size() == 1) {
    if (parts[0] == "probe" || parts[0] == "current" || parts[0] == "sample") {
      request = parts[0];
    } else {
      device = parts[0];
    }
  } else if (parts.size() == 2) {
    device = parts[0];
    request = parts[1];
  } else if (parts.size() > 2) {
    error(*responder, f, 404, "INVALID_URI", "no such path: " + req.path);
    return;
  }
  Scope scope;
  std::string why;
  const auto pathIt = req.query.find("path");
  const std::string pathText = pathIt == req.query.end() ? "" : pathIt->second;
  const std::string code = makeScope(device, pathText, scope, why);
  if (!code.empty()) {
    error(*responder, f, code == "INVALID_XPATH" ? 400 : 404, code, why);
    return;
  }
  if (request == "probe") {
    probe(req, *responder, f, scope);
  } else if (request == "current") {
    current(req, std::move(responder), f, scope);
  } else if (request == "sample") {
    sample(req, std::move(responder), f, scope);
  } else {
    error(*responder, f, 404, "INVALID_URI", "unknown request '" + std::string(request) + "'");
  }
}

std::string AgentService::makeScope(std::string_view device, const std::string& path, Scope& scope,
                                    std::string& why) {
  scope.snapshot = m_model.snapshot();
  scope.device = std::string(device);
  scope.path = path;
  const Snapshot& s = *scope.snapshot;
  scope.selected.assign(s.items.size(), true);
  if (!device.empty()) {
    const DeviceMeta* found = nullptr;
    for (const auto& d : s.devices) {
      if (d.name == device || d.uuid == device) found = &d;
    }
    if (!found) {
      why = "no device named '" + std::string(device) + "'";
      return "NO_DEVICE";
    }
    scope.selected.assign(s.items.size(), false);
    for (size_t i : found->items) scope.selected[i] = true;
  }
  if (!path.empty()) {
    auto filter = evaluatePath(s, path);
    if (!filter) {
      why = filter.error().message();
      return "INVALID_XPATH";
    }
    for (size_t i = 0; i < s.items.size(); ++i)
      scope.selected[i] = scope.selected[i] && (*filter)[i];
  }
  for (size_t i : s.devices.front().items) {
    if (!scope.selected[i]) continue;
    const std::string_view type = s.items[i].type;
    if (type == "DEVICE_ADDED") scope.agentMeta[0] = static_cast<int>(i);
    if (type == "DEVICE_CHANGED") scope.agentMeta[1] = static_cast<int>(i);
    if (type == "DEVICE_REMOVED") scope.agentMeta[2] = static_cast<int>(i);
  }
  scope.metaOf.assign(s.catalogItems, -1);
  for (size_t i = 0; i < s.items.size(); ++i) {
    if (scope.selected[i] && !s.items[i].synthetic)
      scope.metaOf[s.items[i].item] = static_cast<int>(i);
  }
  return "";
}

bool AgentService::wants(const Scope& scope, model::ItemId id) {
  if (isAgentEvent(id)) return scope.agentMeta[id - kDeviceAddedItem] >= 0;
  return id < scope.metaOf.size() && scope.metaOf[id] >= 0;
}

Row AgentService::rowOf(const Scope& scope, const Entry& e) {
  Row row;
  row.sequence = e.sequence;
  row.timestamp = e.observation.timestamp;
  row.flags = e.observation.flags;
  row.kind = e.observation.kind;
  const model::ItemId id = e.observation.item;
  if (!isAgentEvent(id)) {
    row.meta = static_cast<size_t>(scope.metaOf[id]);
    row.value = &e.observation.value;
    return row;
  }
  // An Agent event names the device it is about by its uuid.
  row.meta = static_cast<size_t>(scope.agentMeta[id - kDeviceAddedItem]);
  row.text = "UNAVAILABLE";
  for (const auto& d : scope.snapshot->devices) {
    if (!d.agent && d.machine == e.observation.machine) row.text = d.uuid;
  }
  return row;
}

void AgentService::probe(const HttpRequest&, Responder& r, const Style& st, const Scope& scope) {
  std::string body;
  printDevices(body, st.format, headerInfo(st), *scope.snapshot, &scope.selected);
  reply(r, st, std::move(body));
}

std::string AgentService::currentDocument(const Style& st, const Scope& scope,
                                          std::optional<std::uint64_t> at, bool& ok) {
  const Snapshot& s = *scope.snapshot;
  std::vector<Entry> entries;
  ok = m_index.current(
      at, [&](model::ItemId id) { return wants(scope, id); }, entries);
  if (!ok) return {};
  HeaderInfo h = headerInfo(st);
  std::vector<Row> rows;
  rows.reserve(entries.size() + s.devices.size() + 8);
  std::vector<std::uint64_t> lastSeq(s.devices.size(), 0);
  std::vector<TimestampNs> lastTs(s.devices.size(), m_started);
  std::vector<bool> available(s.devices.size(), false);
  std::unordered_map<model::MachineId, size_t> deviceOfMachine;
  for (size_t d = 0; d < s.devices.size(); ++d) {
    if (!s.devices[d].agent) deviceOfMachine[s.devices[d].machine] = d;
  }
  std::vector<bool> covered(s.items.size(), false);  // Agent items with an event to show
  for (const auto& e : entries) {
    rows.push_back(rowOf(scope, e));
    if (isAgentEvent(e.observation.item)) {
      covered[rows.back().meta] = true;
      continue;
    }
    const size_t d = deviceOfMachine[e.observation.machine];
    if (e.sequence > lastSeq[d]) {
      lastSeq[d] = e.sequence;
      lastTs[d] = e.observation.timestamp;
    }
    if (!model::isUnavailable(e.observation.value) && e.observation.kind != model::Kind::kCondition)
      available[d] = true;
  }
  // Synthetic items: the Agent's, and the availability of machines that report none. They
  // are not in the buffer; they carry the sequence of the device's latest observation.
  const std::uint64_t anchor = std::max<std::uint64_t>(1, h.firstSequence);
  for (size_t d = 0; d < s.devices.size(); ++d) {
    for (size_t i : s.devices[d].items) {
      const ItemMeta& m = s.items[i];
      if (!m.synthetic || !scope.selected[i] || covered[i]) continue;
      Row row;
      row.meta = i;
      row.sequence = s.devices[d].agent ? anchor : std::max(anchor, lastSeq[d]);
      row.timestamp = s.devices[d].agent ? m_started : lastTs[d];
      row.text = s.devices[d].agent ? (m.type == "AVAILABILITY" ? "AVAILABLE" : "UNAVAILABLE")
                                    : (available[d] ? "AVAILABLE" : "UNAVAILABLE");
      rows.push_back(std::move(row));
    }
  }
  std::string body;
  printStreams(body, st.format, h, s, rows);
  return body;
}

std::string AgentService::sampleDocument(const Style& st, const Scope& scope,
                                         const SampleRange& range, std::uint64_t& next,
                                         std::size_t& observations) {
  std::vector<Entry> entries;
  auto want = [&](model::ItemId id) { return wants(scope, id); };
  HeaderInfo h = headerInfo(st);
  if (range.to) {
    // The newest `count` at or before `to`; the next request goes on after `to`.
    m_index.sampleBackward(range.from, *range.to, static_cast<std::size_t>(range.count), want,
                           entries);
    next = std::min(*range.to + 1, h.nextSequence);
  } else if (range.count < 0) {
    // Backwards from `from` (or the newest): nextSequence is where reading on backwards
    // continues, the sequence before the oldest examined.
    const std::uint64_t last = range.fromGiven ? range.from : h.lastSequence;
    const std::uint64_t lowest = m_index.sampleBackward(
        h.firstSequence, last, static_cast<std::size_t>(-range.count), want, entries);
    next = lowest > 0 ? lowest - 1 : 0;
  } else {
    next = m_index.sample(range.from, static_cast<std::size_t>(range.count), want, entries);
  }
  h.nextSequence = next;
  std::vector<Row> rows;
  rows.reserve(entries.size());
  for (const auto& e : entries) rows.push_back(rowOf(scope, e));
  observations = rows.size();
  std::string body;
  body.reserve(256 + rows.size() * 160);
  printStreams(body, st.format, h, *scope.snapshot, rows);
  return body;
}

void AgentService::current(const HttpRequest& req, std::shared_ptr<Responder> r, const Style& f,
                           const Scope& scope) {
  bool bad = false;
  const auto at = integer(req.query, "at", bad);
  const auto interval = integer(req.query, "interval", bad);
  if (bad || (at && *at < 0)) {
    error(*r, f, 400, "INVALID_REQUEST", "'at' and 'interval' must be non-negative integers");
    return;
  }
  if (interval) {
    if (at) {
      error(*r, f, 400, "INVALID_REQUEST", "'at' cannot be combined with 'interval'");
      return;
    }
    auto stream = std::make_shared<Stream>(shared_from_this(), std::move(r), f, scope, true);
    stream->start(0, 1, *interval, *interval);
    return;
  }
  bool ok = false;
  std::optional<std::uint64_t> atSeq;
  if (at) atSeq = static_cast<std::uint64_t>(*at);
  std::string body = currentDocument(f, scope, atSeq, ok);
  if (!ok) {
    error(*r, f, 400, "OUT_OF_RANGE",
          "'at' must be between " + std::to_string(m_index.firstSequence()) + " and " +
              std::to_string(m_index.nextSequence() - 1));
    return;
  }
  reply(*r, f, std::move(body));
}

void AgentService::sample(const HttpRequest& req, std::shared_ptr<Responder> r, const Style& f,
                          const Scope& scope) {
  bool bad = false;
  auto from = integer(req.query, "from", bad);
  if (!from) from = integer(req.query, "start", bad);  // 1.x name
  const auto to = integer(req.query, "to", bad);
  const auto count = integer(req.query, "count", bad);
  auto interval = integer(req.query, "interval", bad);
  if (!interval) interval = integer(req.query, "frequency", bad);  // 1.x name
  const auto heartbeat = integer(req.query, "heartbeat", bad);
  if (bad) {
    error(*r, f, 400, "INVALID_REQUEST",
          "from, to, count, interval and heartbeat must be integers");
    return;
  }
  const std::int64_t n = count.value_or(100);
  // Combinations the standard does not define: a stream only goes forward, and `to` with a
  // negative count would name the end twice.
  if (interval && (to || n < 0)) {
    error(*r, f, 400, "INVALID_REQUEST",
          to ? "'to' cannot be combined with 'interval'"
             : "a negative 'count' cannot be combined with 'interval'");
    return;
  }
  if (to && n < 0) {
    error(*r, f, 400, "INVALID_REQUEST", "'to' cannot be combined with a negative 'count'");
    return;
  }
  const std::uint64_t first = m_index.firstSequence();
  const std::uint64_t next = m_index.nextSequence();
  SampleRange range;
  range.fromGiven = from && *from > 0;
  range.from = range.fromGiven ? static_cast<std::uint64_t>(*from) : first;
  range.count = n;
  if ((from && *from < 0) || range.from < first || range.from > next) {
    error(*r, f, 400, "OUT_OF_RANGE",
          "'from' must be greater than or equal to " + std::to_string(first) +
              " and less than or equal to " + std::to_string(next));
    return;
  }
  if (to) {
    if (*to < 0 || static_cast<std::uint64_t>(*to) < range.from ||
        static_cast<std::uint64_t>(*to) > next) {
      error(*r, f, 400, "OUT_OF_RANGE",
            "'to' must be greater than or equal to " + std::to_string(range.from) +
                " and less than or equal to " + std::to_string(next));
      return;
    }
    range.to = static_cast<std::uint64_t>(*to);
  }
  const std::uint64_t magnitude = n < 0 ? static_cast<std::uint64_t>(-n) : n;
  if (n == 0 || magnitude > m_options.maxCount) {
    error(*r, f, 400, "OUT_OF_RANGE",
          "'count' must be between 1 and " + std::to_string(m_options.maxCount) + " (or between -" +
              std::to_string(m_options.maxCount) + " and -1 to read backwards)");
    return;
  }
  if ((interval && *interval < 0) || (heartbeat && *heartbeat <= 0)) {
    error(*r, f, 400, "OUT_OF_RANGE", "'interval' must be >= 0 and 'heartbeat' > 0");
    return;
  }
  if (interval) {
    const auto hb =
        heartbeat
            ? *heartbeat
            : std::chrono::duration_cast<std::chrono::milliseconds>(m_options.defaultHeartbeat)
                  .count();
    auto stream = std::make_shared<Stream>(shared_from_this(), std::move(r), f, scope, false);
    stream->start(range.from, static_cast<std::size_t>(n), *interval, hb);
    return;
  }
  std::uint64_t after = 0;
  std::size_t observations = 0;
  std::string body = sampleDocument(f, scope, range, after, observations);
  reply(*r, f, std::move(body));
}

void AgentService::assets(const HttpRequest& req, Responder& r, const Style& f,
                          std::string_view ids) {
  auto all = m_index.assets();
  const auto type = req.query.find("type");
  const bool removed = req.query.count("removed") && req.query.at("removed") == "true";
  std::vector<AssetEntry> picked;
  if (!ids.empty()) {
    std::string wanted(ids);
    size_t pos = 0;
    while (pos <= wanted.size()) {
      const size_t semi = std::min(wanted.find(';', pos), wanted.size());
      const std::string id = wanted.substr(pos, semi - pos);
      auto it =
          std::find_if(all.begin(), all.end(), [&](const AssetEntry& a) { return a.id == id; });
      if (it == all.end()) {
        error(r, f, 404, "ASSET_NOT_FOUND", "no asset with id '" + id + "'");
        return;
      }
      picked.push_back(*it);
      pos = semi + 1;
    }
  } else {
    for (auto& a : all) {
      if (a.removed && !removed) continue;
      if (type != req.query.end() && a.type != type->second) continue;
      picked.push_back(std::move(a));
    }
    bool bad = false;
    const auto count = integer(req.query, "count", bad);
    if (count && *count > 0 && picked.size() > static_cast<size_t>(*count))
      picked.erase(picked.begin(), picked.end() - *count);
  }
  std::string body;
  printAssets(body, f.format, headerInfo(f), picked);
  reply(r, f, std::move(body));
}

}  // namespace spindle::web::mtconnect
