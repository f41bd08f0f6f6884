#include "journal/batch_codec.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "base/grow.hpp"

namespace spindle::journal {
namespace {

using model::Observation;

// Value tags (low 4 bits of an observation's head byte).
enum Tag : std::uint8_t {
  kUnavailable = 0,
  kFalse = 1,
  kTrue = 2,
  kInt = 3,
  kDouble = 4,
  kString = 5,
  kVector = 6,
  kCondition = 7,
  kMessage = 8,
  kTimeSeries = 9,
  kDataSet = 10,
  kAsset = 11,
};
constexpr std::uint8_t kHeadHasFlags = 0x80;
constexpr std::uint8_t kMaxKind = static_cast<std::uint8_t>(model::Kind::kAsset);

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

class Writer {
 public:
  explicit Writer(std::string& out) : m_out(out) {}
  void byte(std::uint8_t b) { m_out.push_back(static_cast<char>(b)); }
  void varint(std::uint64_t v) {
    char buf[10];
    int n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    m_out.append(buf, n);
  }
  void f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(bits >> (8 * i));
    m_out.append(buf, 8);
  }
  void str(std::string_view s) {
    varint(s.size());
    m_out.append(s);
  }
  void doubles(const std::vector<double>& v) {
    varint(v.size());
    if constexpr (std::endian::native == std::endian::little) {
      m_out.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    } else {
      for (double d : v) f64(d);
    }
  }

 private:
  std::string& m_out;
};

struct ValueEncoder {
  Writer& w;
  std::uint8_t tag(const model::Value& v) const {
    static constexpr std::uint8_t kTags[] = {kUnavailable, kFalse,   kInt,       kDouble,
                                             kString,      kVector,  kCondition, kMessage,
                                             kTimeSeries,  kDataSet, kAsset};
    if (const bool* b = std::get_if<bool>(&v)) return *b ? kTrue : kFalse;
    return kTags[v.index()];
  }
  void operator()(const model::Unavailable&) {}
  void operator()(bool) {}
  void operator()(std::int64_t v) { w.varint(zigzag(v)); }
  void operator()(double v) { w.f64(v); }
  void operator()(const std::string& v) { w.str(v); }
  void operator()(const std::vector<double>& v) { w.doubles(v); }
  void operator()(const std::shared_ptr<const model::Condition>& c) {
    w.byte(static_cast<std::uint8_t>(c->level));
    w.str(c->nativeCode);
    w.str(c->nativeSeverity);
    w.str(c->qualifier);
    w.str(c->text);
  }
  void operator()(const std::shared_ptr<const model::Message>& m) {
    w.str(m->nativeCode);
    w.str(m->text);
  }
  void operator()(const std::shared_ptr<const model::TimeSeries>& t) {
    w.f64(t->sampleRate);
    w.doubles(t->samples);
  }
  void operator()(const std::shared_ptr<const model::DataSet>& d) {
    w.byte(d->reset ? 1 : 0);
    w.varint(d->entries.size());
    for (const auto& e : d->entries) {
      w.str(e.key);
      w.str(e.value);
      w.byte(e.removed ? 1 : 0);
      w.varint(e.cells.size());
      for (const auto& [k, v] : e.cells) {
        w.str(k);
        w.str(v);
      }
    }
  }
  void operator()(const std::shared_ptr<const model::Asset>& a) {
    w.byte(static_cast<std::uint8_t>(a->action));
    w.str(a->id);
    w.str(a->type);
    w.str(a->document);
  }
};

/// Bounds-checked reading; the first failure sticks and names its offset.
class Reader {
 public:
  explicit Reader(std::string_view in) : m_in(in) {}
  bool failed() const { return m_failed; }
  std::size_t offset() const { return m_pos; }
  const char* what() const { return m_what; }

  std::uint8_t byte() {
    if (!need(1, "byte")) return 0;
    return static_cast<std::uint8_t>(m_in[m_pos++]);
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!need(1, "varint")) return 0;
      const auto b = static_cast<std::uint8_t>(m_in[m_pos++]);
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
    return 0;
  }
  double f64() {
    if (!need(8, "double")) return 0;
    std::uint64_t bits = 0;
    for (int i = 7; i >= 0; --i) bits = (bits << 8) | static_cast<std::uint8_t>(m_in[m_pos + i]);
    m_pos += 8;
    double d;
    std::memcpy(&d, &bits, 8);
    return d;
  }
  std::string_view view() {
    const std::uint64_t n = varint();
    if (!need(n, "string")) return {};
    std::string_view s = m_in.substr(m_pos, n);
    m_pos += n;
    return s;
  }
  std::string str() { return std::string(view()); }
  /// A count of elements each at least `minSize` bytes: rejects counts the payload cannot hold.
  std::uint64_t count(std::size_t minSize) {
    const std::uint64_t n = varint();
    if (!m_failed && n > (m_in.size() - m_pos) / std::max<std::size_t>(1, minSize)) {
      fail("count larger than the payload");
      return 0;
    }
    return n;
  }
  std::vector<double> doubles() {
    std::vector<double> v(count(8));
    if constexpr (std::endian::native == std::endian::little) {
      if (!v.empty() && need(v.size() * 8, "doubles")) {
        std::memcpy(v.data(), m_in.data() + m_pos, v.size() * 8);
        m_pos += v.size() * 8;
      }
    } else {
      for (double& d : v) d = f64();
    }
    return v;
  }
  void fail(const char* what) {
    if (!m_failed) m_what = what;
    m_failed = true;
  }

 private:
  bool need(std::uint64_t n, const char* what) {
    if (m_failed) return false;
    if (n > m_in.size() - m_pos) {
      fail(what);
      return false;
    }
    return true;
  }

  std::string_view m_in;
  std::size_t m_pos = 0;
  bool m_failed = false;
  const char* m_what = "";
};

model::Value decodeValue(Reader& r, std::uint8_t tag) {
  switch (tag) {
    case kUnavailable:
      return model::Unavailable{};
    case kFalse:
      return false;
    case kTrue:
      return true;
    case kInt:
      return unzigzag(r.varint());
    case kDouble:
      return r.f64();
    case kString:
      return r.str();
    case kVector:
      return r.doubles();
    case kCondition: {
      auto c = std::make_shared<model::Condition>();
      const std::uint8_t level = r.byte();
      if (level > static_cast<std::uint8_t>(model::Level::kUnavailable)) r.fail("condition level");
      c->level = static_cast<model::Level>(level);
      c->nativeCode = r.str();
      c->nativeSeverity = r.str();
      c->qualifier = r.str();
      c->text = r.str();
      return std::shared_ptr<const model::Condition>(std::move(c));
    }
    case kMessage: {
      auto m = std::make_shared<model::Message>();
      m->nativeCode = r.str();
      m->text = r.str();
      return std::shared_ptr<const model::Message>(std::move(m));
    }
    case kTimeSeries: {
      auto t = std::make_shared<model::TimeSeries>();
      t->sampleRate = r.f64();
      t->samples = r.doubles();
      return std::shared_ptr<const model::TimeSeries>(std::move(t));
    }
    case kDataSet: {
      auto d = std::make_shared<model::DataSet>();
      d->reset = r.byte() != 0;
      d->entries.resize(r.count(4));
      for (auto& e : d->entries) {
        e.key = r.str();
        e.value = r.str();
        e.removed = r.byte() != 0;
        e.cells.resize(r.count(2));
        for (auto& [k, v] : e.cells) {
          k = r.str();
          v = r.str();
        }
      }
      return std::shared_ptr<const model::DataSet>(std::move(d));
    }
    case kAsset: {
      auto a = std::make_shared<model::Asset>();
      const std::uint8_t action = r.byte();
      if (action > static_cast<std::uint8_t>(model::Asset::Action::kRemoveAll)) {
        r.fail("asset action");
      }
      a->action = static_cast<model::Asset::Action>(action);
      a->id = r.str();
      a->type = r.str();
      a->document = r.str();
      return std::shared_ptr<const model::Asset>(std::move(a));
    }
    default:
      r.fail("unknown value tag");
      return model::Unavailable{};
  }
}

template <typename T>
void growTo(std::vector<T>& v, std::size_t n) {
  if (v.size() < n) v.resize(std::max(n, v.size() * 2), T{});
}

}  // namespace

void BatchEncoder::encode(const model::Batch& batch, const model::ItemCatalog& catalog,
                          std::string& out) {
  if (++m_stamp == 0) {  // stamps wrapped: forget every old one
    std::fill(m_itemStamp.begin(), m_itemStamp.end(), 0);
    std::fill(m_machineStamp.begin(), m_machineStamp.end(), 0);
    m_stamp = 1;
  }
  m_items.clear();
  m_machines.clear();
  m_itemMachines.clear();
  for (const Observation& obs : batch) {
    growTo(m_itemStamp, obs.item + 1);
    growTo(m_itemIndex, obs.item + 1);
    if (m_itemStamp[obs.item] != m_stamp) {
      m_itemStamp[obs.item] = m_stamp;
      m_itemIndex[obs.item] = static_cast<std::uint32_t>(m_items.size());
      m_items.push_back(obs.item);
      growTo(m_machineStamp, obs.machine + 1);
      growTo(m_machineIndex, obs.machine + 1);
      if (m_machineStamp[obs.machine] != m_stamp) {
        m_machineStamp[obs.machine] = m_stamp;
        m_machineIndex[obs.machine] = static_cast<std::uint32_t>(m_machines.size());
        m_machines.push_back(obs.machine);
      }
      m_itemMachines.push_back(obs.machine);
    }
  }
  Writer w(out);
  w.varint(m_machines.size());
  for (const auto m : m_machines) w.str(catalog.machineName(m));
  w.varint(m_items.size());
  for (std::size_t i = 0; i < m_items.size(); ++i) {
    w.varint(m_machineIndex[m_itemMachines[i]]);
    w.str(catalog.item(m_items[i]).key);
  }
  TimestampNs previous = batch.front().timestamp;
  w.varint(zigzag(previous));
  ValueEncoder values{w};
  for (const Observation& obs : batch) {
    w.varint(m_itemIndex[obs.item]);
    const std::uint8_t head = values.tag(obs.value) |
                              static_cast<std::uint8_t>(static_cast<std::uint8_t>(obs.kind) << 4) |
                              (obs.flags ? kHeadHasFlags : 0);
    w.byte(head);
    if (obs.flags) w.byte(obs.flags);
    w.varint(zigzag(obs.timestamp - previous));
    previous = obs.timestamp;
    std::visit(values, obs.value);
  }
}

Result<model::MachineId> BatchDecoder::machine(std::string_view name) {
  auto it = m_machineCache.find(name);
  if (it != m_machineCache.end()) return it->second;
  auto id = m_catalog.admitMachine(name);
  if (id) m_machineCache.emplace(std::string(name), *id);
  return id;
}

Result<model::ItemId> BatchDecoder::item(model::MachineId machine, std::string_view key,
                                         model::Kind kind, std::uint32_t hint) {
  growTo(m_known, static_cast<std::size_t>(machine) + 1);
  KnownKeys& known = m_known[machine];
  if (hint < known.keys.size() && known.keys[hint] == key) return known.ids[hint];
  const auto at =
      std::lower_bound(known.sorted.begin(), known.sorted.end(), key,
                       [&](std::uint32_t i, std::string_view k) { return known.keys[i] < k; });
  if (at != known.sorted.end() && known.keys[*at] == key) return known.ids[*at];
  auto id = m_catalog.internAdmitted(machine, key, kind);
  if (!id.ok()) return id;
  known.sorted.insert(at, static_cast<std::uint32_t>(known.keys.size()));
  known.keys.emplace_back(m_catalog.item(*id).key);
  known.ids.push_back(*id);
  return id;
}

Status BatchDecoder::decode(std::string_view payload, std::uint32_t count, model::Batch& out) {
  Reader r(payload);
  const std::size_t machines = r.count(1);
  m_tableMachines.clear();
  for (std::size_t i = 0; i < machines && !r.failed(); ++i) {
    const std::string_view name = r.view();
    if (r.failed()) break;
    auto id = machine(name);
    if (!id) return std::move(id).error().with("decoding a journal batch");
    m_tableMachines.push_back(*id);
  }
  const std::size_t items = r.count(2);
  m_tableKeys.clear();
  m_tableKeyMachine.clear();
  m_tableKeyPosition.clear();
  m_tableSeen.assign(m_tableMachines.size(), 0);
  for (std::size_t i = 0; i < items && !r.failed(); ++i) {
    const std::uint64_t machineIndex = r.varint();
    const std::string_view key = r.view();
    if (machineIndex >= m_tableMachines.size()) {
      r.fail("item refers to an unknown machine");
      break;
    }
    m_tableKeys.push_back(key);
    m_tableKeyMachine.push_back(static_cast<std::uint32_t>(machineIndex));
    m_tableKeyPosition.push_back(m_tableSeen[machineIndex]++);
  }
  constexpr model::ItemId kUnresolved = ~model::ItemId{0};
  m_tableIds.assign(m_tableKeys.size(), kUnresolved);
  TimestampNs previous = unzigzag(r.varint());
  const std::size_t before = out.size();
  if (!r.failed()) out.reserve(before + count);
  for (std::uint32_t i = 0; i < count && !r.failed(); ++i) {
    const std::uint64_t index = r.varint();
    const std::uint8_t head = r.byte();
    if (r.failed()) break;
    if (index >= m_tableKeys.size()) {
      r.fail("observation refers to an unknown item");
      break;
    }
    const std::uint8_t kind = (head >> 4) & 0x7;
    if (kind > kMaxKind) r.fail("unknown kind");
    Observation obs;
    obs.kind = static_cast<model::Kind>(kind);
    obs.flags = (head & kHeadHasFlags) ? r.byte() : 0;
    previous += unzigzag(r.varint());
    obs.timestamp = previous;
    obs.value = decodeValue(r, head & 0x0F);
    obs.machine = m_tableMachines[m_tableKeyMachine[index]];
    if (m_tableIds[index] == kUnresolved) {
      auto id = item(obs.machine, m_tableKeys[index], obs.kind, m_tableKeyPosition[index]);
      if (!id.ok()) {
        out.resize(before);
        return std::move(id).error().with("decoding a journal record");
      }
      m_tableIds[index] = *id;
    }
    obs.item = m_tableIds[index];
    out.push_back(std::move(obs));
  }
  if (!r.failed() && r.offset() != payload.size()) r.fail("bytes left after the last observation");
  if (r.failed()) {
    out.resize(before);
    return Error(ErrorCode::kProtocol, std::string("payload breaks at byte ") +
                                           std::to_string(r.offset()) + ": " + r.what());
  }
  return okStatus();
}

}  // namespace spindle::journal
