// Private: the small, portable random number generator behind the loader's
// shuffling and augmentations (not installed).
//
// std::shuffle and the std:: distributions are implementation-defined, so the
// same seed could give different batches with another standard library; this
// generator and its distributions are fully specified here, which keeps every
// batch a pure function of (seed, epoch, dataset index) on every platform.
#ifndef MOSAIC_SRC_DATA_RNG_H_
#define MOSAIC_SRC_DATA_RNG_H_

#include <cstdint>

#include "common/xoshiro256.h"

namespace mosaic::data::internal {

using mosaic::internal::MixSeed;
using mosaic::internal::SplitMix64;

// xoshiro256** (common/xoshiro256.h) with the loader's distributions.
// Not thread-safe: one generator per sample, view or stream.
class Rng {
 public:
  // (The offset keeps the streams this loader produced before the engine was shared.)
  explicit Rng(uint64_t seed) : engine_(seed + mosaic::internal::kGoldenGamma) {}

  uint64_t Next() { return engine_.Next(); }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return engine_.Uniform(); }
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }

  // Uniform integer in [0, n). REQUIRES: n >= 1. (Lemire's nearly-divisionless
  // method without the rejection step: the bias is below 2^-32 for n < 2^32.)
  int64_t UniformInt(int64_t n) {
    const uint64_t x = Next() >> 32;
    return static_cast<int64_t>((x * static_cast<uint64_t>(n)) >> 32);
  }

  // Always consumes exactly one draw, so the stream layout does not depend on p.
  bool Bernoulli(double p) { return Uniform() < p; }

 private:
  mosaic::internal::Xoshiro256 engine_;
};

}  // namespace mosaic::data::internal

#endif  // MOSAIC_SRC_DATA_RNG_H_
