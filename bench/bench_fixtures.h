// Synthetic in-memory data shared by the benchmarks.
#ifndef MOSAIC_BENCH_BENCH_FIXTURES_H_
#define MOSAIC_BENCH_BENCH_FIXTURES_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "mosaic/data/memory_dataset.h"

namespace mosaic::bench {

inline constexpr int64_t kPatchPx = 120;
inline constexpr int64_t kNumClasses = 19;

// `count` BigEarthNet-like samples (12 S2 + 2 S1 bands, 120 x 120, 19
// classes) with random values in physical units; the same count gives the
// same data. Built once per count and kept for the process.
std::shared_ptr<const data::MemoryDataset> BigEarthNetLikeDataset(size_t count);

}  // namespace mosaic::bench

#endif  // MOSAIC_BENCH_BENCH_FIXTURES_H_
