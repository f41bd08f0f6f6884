#pragma once
/// Limits on what one machine's source may make the edge hold: data items (enforced by the
/// codecs, where keys are interned), and here active conditions per item, assets, and the
/// size of one value. A hostile or broken adapter cannot grow memory without bound; what is
/// refused is counted (health) and the machine keeps working for what it already has. Pure:
/// no I/O, no logging, no clock. One guard per machine, used from the collector's strand only.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/units.hpp"
#include "model/observation.hpp"

namespace spindle::collectors {

/// The limits, from the machine's options (docs/configuration.md, "Limits against hostile
/// input" in docs/security.md).
struct InputLimits {
  std::uint64_t maxItems = 2000;      ///< distinct data items per machine
  std::uint64_t maxConditions = 32;   ///< active condition codes per condition item
  std::uint64_t maxAssets = 200;      ///< assets per machine
  ByteSize maxAssetSize{256 * 1024};  ///< one asset document
  ByteSize maxValueSize{64 * 1024};   ///< one value: text, message, data set, time series
  /// Keys the machine may hold in the item catalog (items, script outputs, connection_status);
  /// enforced by model::ItemCatalog, which counts what it refuses (InputRefusals::keys).
  std::uint64_t maxKeys = 4000;
};

/// What was refused since the start, by cause. The codecs count new items themselves (they
/// intern keys; ParserStats / DecoderStats::itemsRefused); the guard counts the rest.
struct InputRefusals {
  std::uint64_t items = 0;       ///< observations of new items beyond max_items
  std::uint64_t conditions = 0;  ///< activations of new codes beyond max_conditions
  std::uint64_t assets = 0;      ///< new assets beyond max_assets, or documents too large
  std::uint64_t values = 0;      ///< values larger than max_value_size
  std::uint64_t keys = 0;        ///< new keys the item catalog refused beyond max_keys
  std::uint64_t total() const { return items + conditions + assets + values + keys; }
};

/// Bytes a value holds beyond the observation itself (text, entries, samples, document).
std::size_t valueBytes(const model::Value& value);

class InputGuard {
 public:
  explicit InputGuard(InputLimits limits = {});

  const InputLimits& limits() const { return m_limits; }

  /// Removes from `batch` the observations over a limit, keeping the order of the rest. For
  /// each removal `why` gets the reason and the item (ids to name it: the caller logs it).
  struct Refused {
    model::ItemId item = 0;
    std::string reason;
  };
  void filter(model::Batch& batch, std::vector<Refused>& why);

  /// The source is gone (its items are UNAVAILABLE): no condition is active any more.
  void forgetConditions() { m_active.clear(); }

  const InputRefusals& refusals() const { return m_refusals; }

 private:
  bool admitCondition(const model::Observation& obs, std::string& reason);
  bool admitAsset(const model::Observation& obs, std::string& reason);

  InputLimits m_limits;
  InputRefusals m_refusals;
  std::unordered_map<model::ItemId, std::vector<std::string>> m_active;  ///< native codes
  std::unordered_map<std::string, std::string> m_assets;                 ///< id -> type
};

}  // namespace spindle::collectors
