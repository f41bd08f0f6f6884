#include "model/same_value.hpp"

namespace spindle::model {

bool sameValue(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) -> bool {
        using V = std::decay_t<decltype(x)>;
        const auto& y = std::get<V>(b);
        if constexpr (requires { x.get(); }) {  // a shared payload: compare what it holds
          if (x == y) return true;
          return x && y && *x == *y;
        } else {
          return x == y;
        }
      },
      a);
}

}  // namespace spindle::model
