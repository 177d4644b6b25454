#include "mosaic/process_memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mosaic {

bool KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  const bool mmap_set = mallopt(M_MMAP_THRESHOLD, 64 << 20) == 1;
  const bool trim_set = mallopt(M_TRIM_THRESHOLD, 256 << 20) == 1;
  return mmap_set && trim_set;
#else
  return false;
#endif
}

}  // namespace mosaic
