#include "update/offer_checks.hpp"

#include "base/units.hpp"
#include "update/refusal.hpp"

namespace spindle::update {

Status checkOffer(const Manifest& m, const OfferContext& c) {
  const std::string v = m.version.text();
  if (c.state != nullptr && c.state->hasFailed(v)) {
    return refuse(Reason::kFailedBefore,
                  v + " failed its trial on this edge before; offer a new version instead");
  }
  if (m.version < c.running && !m.rollback) {
    return refuse(Reason::kDowngrade, v + " is older than the running " + c.running.text() +
                                          " and its manifest is not marked rollback: true");
  }
  if (c.running < m.minVersion) {
    return refuse(Reason::kMinVersion, v + " updates only from " + m.minVersion.text() +
                                           " and later; this edge runs " + c.running.text());
  }
  if (c.maxSize > 0 && m.size > c.maxSize) {
    return refuse(Reason::kTooLarge, v + " is " + formatByteSize(ByteSize{m.size}) +
                                         ", more than update.max_size " +
                                         formatByteSize(ByteSize{c.maxSize}));
  }
  const std::uint64_t needed = 2 * m.size + c.margin;
  if (c.freeBytes < needed) {
    return refuse(Reason::kDiskFull, "the data directory has " +
                                         formatByteSize(ByteSize{c.freeBytes}) + " free; " + v +
                                         " needs " + formatByteSize(ByteSize{needed}) +
                                         " (twice its size plus update.disk_margin)");
  }
  return okStatus();
}

}  // namespace spindle::update
