#pragma once
/// Growing tables indexed by item or machine id.

#include <cstddef>
#include <vector>

namespace spindle {

/// Makes `v` hold at least `n` elements, reserving an eighth more when it must reallocate (not
/// twice as many, as std::vector's own growth does): tables indexed by item id grow with the
/// fleet while it starts, and doubling would leave up to half of each one unused for good.
template <typename T>
void growTo(std::vector<T>& v, std::size_t n) {
  if (n <= v.size()) return;
  if (n > v.capacity()) v.reserve(n + n / 8);
  v.resize(n);
}

}  // namespace spindle
