#pragma once
/// The input limit keys every collector's option table carries (max_items, max_keys,
/// max_conditions, max_assets, max_asset_size, max_value_size). An options struct T has the
/// members maxItems, maxKeys, maxConditions, maxAssets (std::uint64_t) and maxAssetSize,
/// maxValueSize (ByteSize), defaulted from InputLimits.

#include "collectors/input_guard.hpp"
#include "config/option_table.hpp"

namespace spindle::collectors {

template <typename T>
void addInputLimitOptions(config::OptionTable<T>& t) {
  t.optional("max_items", &T::maxItems, "2000",
             "most data items this machine may have; observations of new items beyond it are "
             "refused and counted",
             {"1", "10000000"});
  t.optional("max_keys", &T::maxKeys, "4000",
             "most keys this machine may hold in the item catalog (its data items, its script's "
             "outputs, connection_status); new keys beyond it are refused, counted and logged; "
             "at least max_items",
             {"1", "10000000"});
  t.optional("max_conditions", &T::maxConditions, "32",
             "most active condition codes per condition item; new codes beyond it are refused",
             {"1", "100000"});
  t.optional("max_assets", &T::maxAssets, "200", "most assets this machine may hold",
             {"1", "1000000"});
  t.optional("max_asset_size", &T::maxAssetSize, "256KiB", "largest asset document accepted",
             {"1B", "1GiB"});
  t.optional("max_value_size", &T::maxValueSize, "64KiB",
             "largest single value (text, message, data set, time series) accepted",
             {"1B", "1GiB"});
}

template <typename T>
InputLimits inputLimits(const T& o) {
  return InputLimits{o.maxItems,     o.maxConditions, o.maxAssets,
                     o.maxAssetSize, o.maxValueSize,  o.maxKeys};
}

/// Adds a diagnostic at `block` when a limit is 0 or max_keys is below max_items; returns
/// false then.
template <typename T>
bool validateInputLimits(const T& o, const YAML::Node& block, config::Diagnostics& diags) {
  if (!(o.maxItems >= 1 && o.maxKeys >= 1 && o.maxConditions >= 1 && o.maxAssets >= 1 &&
        o.maxAssetSize.bytes >= 1 && o.maxValueSize.bytes >= 1)) {
    diags.add(block,
              "max_items, max_keys, max_conditions, max_assets, max_asset_size and "
              "max_value_size must be at least 1");
    return false;
  }
  if (o.maxKeys < o.maxItems) {
    diags.add(block, "max_keys (" + std::to_string(o.maxKeys) + ") must be at least max_items (" +
                         std::to_string(o.maxItems) +
                         "): the catalog holds the machine's items and its script's outputs");
    return false;
  }
  return true;
}

}  // namespace spindle::collectors
