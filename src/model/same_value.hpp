#pragma once
/// Equality of observation values by content: two conditions, messages, time series, data sets
/// or assets are the same when what they hold is the same (Value's own == compares their
/// shared pointers). What duplicate filters and "emit on change" ask.

#include "model/value.hpp"

namespace spindle::model {

bool sameValue(const Value& a, const Value& b);

}  // namespace spindle::model
