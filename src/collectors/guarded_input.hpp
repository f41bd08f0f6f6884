#pragma once
/// The glue every collector puts around InputGuard: filters each batch by the machine's input
/// limits, logs what was refused (rate-limited, network text escaped) and reports the totals to
/// the context (health) when they change. One per machine, on the collector's strand. It also
/// bounds the machine in the item catalog at max_keys (what the catalog refuses shows in the
/// codec's rejections, logged by the collector, and in health as refused.keys).

#include <cstdint>
#include <vector>

#include "base/log_limiter.hpp"
#include "collectors/collector.hpp"
#include "collectors/input_guard.hpp"

namespace spindle::collectors {

class GuardedInput {
 public:
  GuardedInput(CollectorContext& ctx, InputLimits limits) : m_ctx(ctx), m_guard(limits) {
    ctx.catalog().setMachineLimit(ctx.machine(), static_cast<std::size_t>(limits.maxKeys));
  }

  /// Drops the observations over a limit. `itemsRefused` is the codec's own count of new items
  /// it refused (it interns keys, so it enforces max_items itself).
  void filter(model::Batch& batch, std::uint64_t itemsRefused) {
    m_refused.clear();
    m_guard.filter(batch, m_refused);
    for (const auto& r : m_refused) {
      m_log.log(*m_ctx.logger(), spdlog::level::warn, "refused an observation of '{}': {}",
                printable(m_ctx.catalog().item(r.item).key, 64), r.reason);
    }
    InputRefusals totals = m_guard.refusals();
    totals.items = itemsRefused;
    if (totals.total() != m_reported) {
      m_reported = totals.total();
      m_ctx.reportRefusals(totals);
    }
  }
  /// The source is gone (its items are UNAVAILABLE): no condition is active any more.
  void forgetConditions() { m_guard.forgetConditions(); }

 private:
  CollectorContext& m_ctx;
  InputGuard m_guard;
  std::vector<InputGuard::Refused> m_refused;
  std::uint64_t m_reported = 0;
  LogLimiter m_log;
};

}  // namespace spindle::collectors
