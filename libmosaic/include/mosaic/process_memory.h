// Process-wide allocator settings for programs built on libmosaic. Torch-free.
#ifndef MOSAIC_PROCESS_MEMORY_H_
#define MOSAIC_PROCESS_MEMORY_H_

#include "mosaic/export.h"

namespace mosaic {

// LibTorch allocates and frees multi-megabyte activation buffers for every
// batch. By default glibc returns such blocks to the kernel at once and
// faults them in again on the next batch (about 15 % of the time of a small
// model). This keeps up to 256 MiB of freed memory in the process instead
// (mmap threshold 32 MiB, trim threshold 256 MiB); peak RSS grows by 5-10 %.
//
// It changes the whole process, so the library never calls it: executables do
// (the `mosaic` CLI and the benchmarks), first thing in main(). Returns false
// where it has no effect (not glibc).
MOSAIC_EXPORT bool KeepFreedMemoryForReuse();

}  // namespace mosaic

#endif  // MOSAIC_PROCESS_MEMORY_H_
