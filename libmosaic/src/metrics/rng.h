// Private: the seeded generator behind k-means++ and silhouette subsampling
// (not installed). std:: distributions are implementation-defined, so they
// would make results depend on the standard library; this generator and its
// two distributions are fully specified here.
#ifndef MOSAIC_SRC_METRICS_RNG_H_
#define MOSAIC_SRC_METRICS_RNG_H_

#include <cstdint>
#include <limits>

#include "common/xoshiro256.h"

namespace mosaic::metrics::internal {

using mosaic::internal::MixSeed;
using mosaic::internal::SplitMix64;

// xoshiro256** (common/xoshiro256.h) with the two distributions k-means++
// and subsampling need. Not thread-safe: one generator per stream.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed + mosaic::internal::kGoldenGamma) {}

  uint64_t Next() { return engine_.Next(); }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return engine_.Uniform(); }

  // Uniform integer in [0, n), unbiased (rejection). REQUIRES: n >= 1.
  uint64_t UniformIndex(uint64_t n) {
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    const uint64_t limit = kMax - kMax % n;
    uint64_t x = Next();
    while (x >= limit) x = Next();
    return x % n;
  }

 private:
  mosaic::internal::Xoshiro256 engine_;
};

}  // namespace mosaic::metrics::internal

#endif  // MOSAIC_SRC_METRICS_RNG_H_
