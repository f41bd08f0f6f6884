#pragma once
/// Gives the operating system back the heap memory the process freed but the allocator kept.
/// After a burst (a backlog after a pause, a fleet reconnecting at once) glibc keeps the freed
/// pages for reuse, so RSS stays at the burst's high-water mark; the edge calls this every few
/// seconds (Gateway), which returns them (glibc's malloc_trim: it takes each arena's lock in
/// turn, a millisecond or two for a hundred megabytes). A no-op on other C libraries.

#include <cstddef>

namespace spindle {

/// True when memory was returned.
bool releaseFreeMemory();

}  // namespace spindle
