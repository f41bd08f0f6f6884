#pragma once
/// The Haas codec: the reply stream of one control in, observations of the command waiting for
/// its answer out. Pure (no sockets, no clocks, no logging); the session decides when a command
/// is sent and how long its answer may take.

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "collectors/haas/haas_parser.hpp"
#include "collectors/haas/haas_queries.hpp"
#include "model/item_catalog.hpp"
#include "model/observation.hpp"

namespace spindle::collectors::haas {

struct CodecOutput {
  model::Batch observations;
  std::vector<std::string> rejections;  ///< why a reply or bytes were refused
  bool answered = false;    ///< the waiting query got its answer (or a refusal, or a malformed one)
  bool prompt = false;      ///< the control sent its prompt
  std::size_t foreign = 0;  ///< replies to no waiting query (another NGC client's, late ones)

  void clear() {
    observations.clear();
    rejections.clear();
    answered = false;
    prompt = false;
    foreign = 0;
  }
};

class HaasCodec {
 public:
  HaasCodec(model::ItemCatalog& catalog, model::MachineId machine, std::size_t maxReply = 1024,
            std::uint64_t maxItems = 2000);

  /// Feeds bytes that arrived while `query` waited for its answer (null: none waits). The
  /// first reply that answers it ends its wait (`out.answered`); replies after that, and
  /// replies with another command's label, are counted in `out.foreign` and dropped.
  void feed(std::string_view bytes, const Query* query, TimestampNs now, CodecOutput& out);

  /// After a timeout: the partial reply is dropped and bytes are skipped up to the next
  /// prompt or STX.
  void resync() { m_parser.resync(); }
  /// A new connection: no partial reply is carried over.
  void resetStream() { m_parser = ReplyParser(m_maxReply); }
  bool midReply() const { return m_parser.midReply(); }

  /// Every item reported so far, for UNAVAILABLE when the control is lost.
  std::vector<std::pair<model::ItemId, model::Kind>> knownItems() const;
  std::uint64_t itemsRefused() const { return m_itemsRefused; }

 private:
  void emit(const Reading& reading, TimestampNs now, CodecOutput& out);

  model::ItemCatalog& m_catalog;
  model::MachineId m_machine;
  std::size_t m_maxReply;
  std::uint64_t m_maxItems;
  ReplyParser m_parser;
  std::vector<ReplyEvent> m_events;
  std::map<std::string, std::pair<model::ItemId, model::Kind>, std::less<>> m_items;
  std::uint64_t m_itemsRefused = 0;
};

}  // namespace spindle::collectors::haas
