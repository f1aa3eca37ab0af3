#include "core/allocator.h"

#include <cstdlib>  // defines __GLIBC__ where the C library is glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace disco {

bool keep_freed_memory_for_reuse() {
#if defined(__GLIBC__)
  // 32 MiB is the largest threshold glibc accepts on 64-bit; blocks above it
  // are rare (and large enough that mmap's cost is small beside their use).
  // Setting either value also turns off glibc's own adaptive threshold.
  const bool mmap_ok = mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024) == 1;
  const bool trim_ok = mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  return mmap_ok && trim_ok;
#else
  return false;
#endif
}

}  // namespace disco
