#include "base/free_memory.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace spindle {

bool releaseFreeMemory() {
#if defined(__GLIBC__)
  return ::malloc_trim(0) == 1;
#else
  return false;
#endif
}

}  // namespace spindle
