#include "mosaic/process_memory.h"

#include <cstdlib>  // defines __GLIBC__ on glibc systems (checked below)

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mosaic {

bool KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit systems.
  const bool mmap_set = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  const bool trim_set = mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
  return mmap_set && trim_set;
#else
  return false;
#endif
}

}  // namespace mosaic
