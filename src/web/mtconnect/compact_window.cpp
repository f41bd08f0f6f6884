#include "web/mtconnect/compact_window.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace spindle::web::mtconnect {

namespace {

using model::payloadBytes;
constexpr std::size_t alloc(std::size_t n) { return model::allocationBytes(n); }

// The entry's first byte: the value's form (low 4 bits), the kind (3 bits), flags present.
enum Tag : std::uint8_t {
  kUnavailable = 0,
  kFalse = 1,
  kTrue = 2,
  kInteger = 3,
  kWholeDouble = 4,  ///< a double holding an integer: its varint
  kDecimal1 = 5,     ///< kDecimal1..kDecimal6: a double written with 1..6 decimals
  kFloat = 11,       ///< a double a float holds exactly
  kDouble = 12,
  kString = 13,
  kDoubles = 14,  ///< an array of doubles
  kShared = 15,   ///< the block's next shared payload
};
constexpr std::uint8_t kHasFlags = 0x80;
constexpr double kPow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}

void putVarint(std::vector<std::uint8_t>& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(v));
}
std::uint64_t getVarint(const std::uint8_t* p, std::size_t& at) {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const std::uint8_t b = p[at++];
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (b < 0x80) return v;
  }
}
template <typename T>
void putRaw(std::vector<std::uint8_t>& out, T v) {
  const auto* b = reinterpret_cast<const std::uint8_t*>(&v);
  out.insert(out.end(), b, b + sizeof v);
}
template <typename T>
T getRaw(const std::uint8_t* p, std::size_t& at) {
  T v;
  std::memcpy(&v, p + at, sizeof v);
  at += sizeof v;
  return v;
}

/// The smallest exact form of `d`: its tag, and the integer it carries when it has one.
std::uint8_t doubleForm(double d, std::int64_t& integer) {
  const bool negativeZero = d == 0 && std::signbit(d);
  if (std::isfinite(d) && !negativeZero && std::fabs(d) < 9.0e18) {
    if (d == std::trunc(d)) {
      integer = static_cast<std::int64_t>(d);
      return kWholeDouble;
    }
    // Written with up to six decimals (as most machine values are): the decoder's one
    // division gives back exactly this double.
    for (int scale = 1; scale <= 6; ++scale) {
      const double scaled = std::nearbyint(d * kPow10[scale]);
      if (std::fabs(scaled) >= 9.0e15) break;
      if (scaled / kPow10[scale] == d) {
        integer = static_cast<std::int64_t>(scaled);
        return static_cast<std::uint8_t>(kDecimal1 + scale - 1);
      }
    }
  }
  const auto f = static_cast<float>(d);
  return std::bit_cast<std::uint64_t>(static_cast<double>(f)) == std::bit_cast<std::uint64_t>(d)
             ? kFloat
             : kDouble;
}

}  // namespace

bool CompactWindow::encode(const Entry& e, Base base) {
  const model::Observation& o = e.observation;
  std::vector<std::uint8_t>& out = m_scratch;
  out.clear();
  out.push_back(0);  // the header, written last
  if (o.flags != 0) out.push_back(o.flags);
  putVarint(out, e.sequence - base.seq);
  putVarint(out, o.machine);
  putVarint(out, o.item);
  putVarint(out, zigzag(static_cast<std::int64_t>(static_cast<std::uint64_t>(o.timestamp) -
                                                  static_cast<std::uint64_t>(base.time))));
  std::uint8_t tag = kShared;
  std::visit(
      [&](const auto& x) {
        using V = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<V, model::Unavailable>) {
          tag = kUnavailable;
        } else if constexpr (std::is_same_v<V, bool>) {
          tag = x ? kTrue : kFalse;
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          tag = kInteger;
          putVarint(out, zigzag(x));
        } else if constexpr (std::is_same_v<V, double>) {
          std::int64_t integer = 0;
          tag = doubleForm(x, integer);
          if (tag == kFloat) {
            putRaw(out, static_cast<float>(x));
          } else if (tag == kDouble) {
            putRaw(out, x);
          } else {
            putVarint(out, zigzag(integer));
          }
        } else if constexpr (std::is_same_v<V, std::string>) {
          tag = kString;
          putVarint(out, x.size());
          out.insert(out.end(), x.begin(), x.end());
        } else if constexpr (std::is_same_v<V, std::vector<double>>) {
          tag = kDoubles;
          putVarint(out, x.size());
          for (const double d : x) putRaw(out, d);
        }
      },
      o.value);
  out[0] = static_cast<std::uint8_t>(tag | (static_cast<std::uint8_t>(o.kind) << 4) |
                                     (o.flags != 0 ? kHasFlags : 0));
  return tag == kShared;
}

void CompactWindow::decode(const Block& b, Cursor& c, Entry& out) {
  const std::uint8_t* p = b.bytes.data();
  std::size_t& at = c.offset;
  const std::uint8_t header = p[at++];
  model::Observation& o = out.observation;
  o.flags = (header & kHasFlags) != 0 ? p[at++] : 0;
  o.kind = static_cast<model::Kind>((header >> 4) & 0x7);
  c.seq += getVarint(p, at);
  out.sequence = c.seq;
  o.machine = static_cast<model::MachineId>(getVarint(p, at));
  o.item = static_cast<model::ItemId>(getVarint(p, at));
  c.time = static_cast<TimestampNs>(static_cast<std::uint64_t>(c.time) +
                                    static_cast<std::uint64_t>(unzigzag(getVarint(p, at))));
  o.timestamp = c.time;
  const std::uint8_t tag = header & 0x0F;
  switch (tag) {
    case kUnavailable:
      o.value = model::Unavailable{};
      break;
    case kFalse:
    case kTrue:
      o.value = tag == kTrue;
      break;
    case kInteger:
      o.value = unzigzag(getVarint(p, at));
      break;
    case kWholeDouble:
      o.value = static_cast<double>(unzigzag(getVarint(p, at)));
      break;
    case kFloat:
      o.value = static_cast<double>(getRaw<float>(p, at));
      break;
    case kDouble:
      o.value = getRaw<double>(p, at);
      break;
    case kString: {
      const auto n = static_cast<std::size_t>(getVarint(p, at));
      o.value = std::string(reinterpret_cast<const char*>(p + at), n);
      at += n;
      break;
    }
    case kDoubles: {
      const auto n = static_cast<std::size_t>(getVarint(p, at));
      std::vector<double> v(n);
      if (n != 0) std::memcpy(v.data(), p + at, n * sizeof(double));
      at += n * sizeof(double);
      o.value = std::move(v);
      break;
    }
    case kShared:
      o.value = b.heavy[c.heavy++];
      break;
    default:  // kDecimal1 .. kDecimal6
      o.value = static_cast<double>(unzigzag(getVarint(p, at))) / kPow10[tag - kDecimal1 + 1];
      break;
  }
}

std::size_t CompactWindow::footprint(const Block& b) {
  return sizeof(Block) + 8 + alloc(b.bytes.capacity()) +
         alloc(b.heavy.capacity() * sizeof(model::Value)) + b.heavyBytes;
}

void CompactWindow::push(const Entry& e) {
  const bool heavy = encode(e, m_last);
  Block* b = m_blocks.empty() ? nullptr : &m_blocks.back();
  if (b == nullptr || b->bytes.size() + m_scratch.size() > b->bytes.capacity()) {
    Block& fresh = m_blocks.emplace_back();
    fresh.bytes.reserve(std::max(kBlockBytes, m_scratch.size()));
    fresh.baseSeq = m_last.seq;
    fresh.baseTime = m_last.time;
    fresh.firstSeq = e.sequence;
    m_bytes += footprint(fresh);
    b = &fresh;
  }
  const std::size_t before = footprint(*b);
  b->bytes.insert(b->bytes.end(), m_scratch.begin(), m_scratch.end());
  if (heavy) {
    b->heavy.push_back(e.observation.value);
    b->heavyBytes += payloadBytes(e.observation.value);
  }
  b->lastSeq = e.sequence;
  b->lastTime = e.observation.timestamp;
  ++b->count;
  m_bytes += footprint(*b) - before;
  ++m_count;
  m_last = Base{e.sequence, e.observation.timestamp};
}

Entry CompactWindow::pop() {
  Block& b = m_blocks.front();
  Cursor c = start(b);
  Entry out;
  decode(b, c, out);
  const std::size_t before = footprint(b);
  --m_count;
  if (--b.count == 0) {
    m_bytes -= before;
    m_blocks.pop_front();
    return out;
  }
  if (c.heavy != b.heavyBegin) {  // the payload goes now, not with the block
    b.heavyBytes -= payloadBytes(b.heavy[b.heavyBegin]);
    b.heavy[b.heavyBegin] = model::Value{};
    b.heavyBegin = c.heavy;
  }
  b.begin = c.offset;
  b.baseSeq = c.seq;
  b.baseTime = c.time;
  Cursor next = c;
  Entry peek;
  decode(b, next, peek);
  b.firstSeq = peek.sequence;
  m_bytes -= before - footprint(b);
  return out;
}

std::size_t CompactWindow::popBlock(const std::function<void(const Entry&)>& f) {
  const Block& b = m_blocks.front();
  Cursor c = start(b);
  Entry e;
  const std::size_t n = b.count;
  for (std::size_t i = 0; i < n; ++i) {
    decode(b, c, e);
    f(e);
  }
  m_bytes -= footprint(b);
  m_count -= n;
  m_blocks.pop_front();
  return n;
}

void CompactWindow::forEachFrom(std::uint64_t from,
                                const std::function<bool(const Entry&)>& f) const {
  auto it = std::partition_point(m_blocks.begin(), m_blocks.end(),
                                 [&](const Block& b) { return b.lastSeq < from; });
  Entry e;
  for (; it != m_blocks.end(); ++it) {
    Cursor c = start(*it);
    for (std::size_t i = 0; i < it->count; ++i) {
      decode(*it, c, e);
      if (e.sequence >= from && !f(e)) return;
    }
  }
}

void CompactWindow::forEachBackFrom(std::uint64_t last,
                                    const std::function<bool(const Entry&)>& f) const {
  // The blocks that start at or before `last`, newest first.
  auto end = std::partition_point(m_blocks.begin(), m_blocks.end(),
                                  [&](const Block& b) { return b.firstSeq <= last; });
  std::vector<Entry> entries;
  while (end != m_blocks.begin()) {
    --end;
    const Block& b = *end;
    entries.resize(b.count);
    Cursor c = start(b);
    for (Entry& e : entries) decode(b, c, e);
    for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
      if (e->sequence <= last && !f(*e)) return;
    }
  }
}

}  // namespace spindle::web::mtconnect
