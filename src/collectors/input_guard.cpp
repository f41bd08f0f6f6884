#include "collectors/input_guard.hpp"

#include <algorithm>

namespace spindle::collectors {

namespace {

struct Size {
  std::size_t operator()(const std::string& s) const { return s.size(); }
  std::size_t operator()(const std::vector<double>& v) const { return v.size() * sizeof(double); }
  std::size_t operator()(const std::shared_ptr<const model::Condition>& c) const {
    return c ? c->nativeCode.size() + c->nativeSeverity.size() + c->qualifier.size() +
                   c->text.size()
             : 0;
  }
  std::size_t operator()(const std::shared_ptr<const model::Message>& m) const {
    return m ? m->nativeCode.size() + m->text.size() : 0;
  }
  std::size_t operator()(const std::shared_ptr<const model::TimeSeries>& t) const {
    return t ? t->samples.size() * sizeof(double) : 0;
  }
  std::size_t operator()(const std::shared_ptr<const model::DataSet>& d) const {
    if (!d) return 0;
    std::size_t n = 0;
    for (const auto& e : d->entries) {
      n += e.key.size() + e.value.size() + 16;
      for (const auto& [k, v] : e.cells) n += k.size() + v.size() + 16;
    }
    return n;
  }
  std::size_t operator()(const std::shared_ptr<const model::Asset>& a) const {
    return a ? a->id.size() + a->type.size() + a->document.size() : 0;
  }
  std::size_t operator()(const auto&) const { return 0; }
};

}  // namespace

std::size_t valueBytes(const model::Value& value) { return std::visit(Size{}, value); }

InputGuard::InputGuard(InputLimits limits) : m_limits(limits) {}

bool InputGuard::admitCondition(const model::Observation& obs, std::string& reason) {
  const auto* cond = std::get_if<std::shared_ptr<const model::Condition>>(&obs.value);
  if (cond == nullptr || !*cond) {
    m_active.erase(obs.item);  // UNAVAILABLE clears every code
    return true;
  }
  const model::Condition& c = **cond;
  switch (c.level) {
    case model::Level::kNormal:
      if (c.nativeCode.empty()) {
        m_active.erase(obs.item);
      } else if (auto it = m_active.find(obs.item); it != m_active.end()) {
        std::erase(it->second, c.nativeCode);
      }
      return true;
    case model::Level::kUnavailable:
      m_active.erase(obs.item);
      return true;
    default:
      break;
  }
  auto& codes = m_active[obs.item];
  if (std::find(codes.begin(), codes.end(), c.nativeCode) != codes.end()) return true;
  if (codes.size() >= m_limits.maxConditions) {
    ++m_refusals.conditions;
    reason = "condition code beyond max_conditions (" + std::to_string(m_limits.maxConditions) +
             " active on this item)";
    return false;
  }
  codes.push_back(c.nativeCode);
  return true;
}

bool InputGuard::admitAsset(const model::Observation& obs, std::string& reason) {
  const auto* a = std::get_if<std::shared_ptr<const model::Asset>>(&obs.value);
  if (a == nullptr || !*a) return true;
  const model::Asset& asset = **a;
  switch (asset.action) {
    case model::Asset::Action::kRemove:
      m_assets.erase(asset.id);
      return true;
    case model::Asset::Action::kRemoveAll:
      std::erase_if(m_assets,
                    [&](const auto& kv) { return asset.type.empty() || kv.second == asset.type; });
      return true;
    case model::Asset::Action::kAdd:
      break;
  }
  if (asset.document.size() > m_limits.maxAssetSize.bytes) {
    ++m_refusals.assets;
    reason = "asset document of " + std::to_string(asset.document.size()) +
             " bytes beyond max_asset_size";
    return false;
  }
  if (auto it = m_assets.find(asset.id); it != m_assets.end()) {
    it->second = asset.type;
    return true;
  }
  if (m_assets.size() >= m_limits.maxAssets) {
    ++m_refusals.assets;
    reason = "new asset beyond max_assets (" + std::to_string(m_limits.maxAssets) + ")";
    return false;
  }
  m_assets.emplace(asset.id, asset.type);
  return true;
}

void InputGuard::filter(model::Batch& batch, std::vector<Refused>& why) {
  auto out = batch.begin();
  for (auto& obs : batch) {
    std::string reason;
    bool keep = true;
    if (obs.kind == model::Kind::kAsset) {
      keep = admitAsset(obs, reason);
    } else if (const std::size_t bytes = valueBytes(obs.value);
               bytes > m_limits.maxValueSize.bytes) {
      ++m_refusals.values;
      reason = "value of " + std::to_string(bytes) + " bytes beyond max_value_size";
      keep = false;
    } else if (obs.kind == model::Kind::kCondition) {
      keep = admitCondition(obs, reason);
    }
    if (keep) {
      if (&*out != &obs) *out = std::move(obs);
      ++out;
    } else {
      why.push_back(Refused{obs.item, std::move(reason)});
    }
  }
  batch.erase(out, batch.end());
}

}  // namespace spindle::collectors
