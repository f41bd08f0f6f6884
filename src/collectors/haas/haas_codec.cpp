#include "collectors/haas/haas_codec.hpp"

namespace spindle::collectors::haas {

HaasCodec::HaasCodec(model::ItemCatalog& catalog, model::MachineId machine, std::size_t maxReply,
                     std::uint64_t maxItems)
    : m_catalog(catalog),
      m_machine(machine),
      m_maxReply(maxReply),
      m_maxItems(maxItems),
      m_parser(maxReply) {}

void HaasCodec::feed(std::string_view bytes, const Query* query, TimestampNs now,
                     CodecOutput& out) {
  m_events.clear();
  m_parser.feed(bytes, m_events);
  for (const auto& e : m_events) {
    switch (e.type) {
      case ReplyEvent::Type::kPrompt:
        out.prompt = true;
        break;
      case ReplyEvent::Type::kEcho:
        break;
      case ReplyEvent::Type::kGarbage:
        out.rejections.push_back(e.text);
        break;
      case ReplyEvent::Type::kReply: {
        if (query == nullptr || out.answered) {
          ++out.foreign;
          break;
        }
        const Decoded d = decodeReply(*query, e.text);
        switch (d.match) {
          case Decoded::Match::kNotOurs:
            ++out.foreign;
            break;
          case Decoded::Match::kRefused:
            out.answered = true;
            out.rejections.push_back(d.detail);
            break;
          case Decoded::Match::kMalformed:
            out.answered = true;
            out.rejections.push_back(d.detail + " (reply '" + e.text + "')");
            break;
          case Decoded::Match::kAnswer:
            out.answered = true;
            for (const auto& r : d.readings) emit(r, now, out);
            break;
        }
        break;
      }
    }
  }
}

void HaasCodec::emit(const Reading& reading, TimestampNs now, CodecOutput& out) {
  auto it = m_items.find(reading.key);
  if (it == m_items.end()) {
    if (m_items.size() >= m_maxItems) {
      ++m_itemsRefused;
      return;
    }
    auto id = m_catalog.intern(m_machine, reading.key, reading.kind);
    if (!id) {
      ++m_itemsRefused;
      out.rejections.push_back(id.error().message());
      return;
    }
    it = m_items.emplace(reading.key, std::make_pair(*id, reading.kind)).first;
  }
  model::Observation o;
  o.machine = m_machine;
  o.item = it->second.first;
  o.timestamp = now;
  o.kind = reading.kind;
  o.flags = model::kFlagArrivalTime;
  o.value = reading.value;
  out.observations.push_back(std::move(o));
}

std::vector<std::pair<model::ItemId, model::Kind>> HaasCodec::knownItems() const {
  std::vector<std::pair<model::ItemId, model::Kind>> out;
  out.reserve(m_items.size());
  for (const auto& [key, item] : m_items) out.push_back(item);
  return out;
}

}  // namespace spindle::collectors::haas
