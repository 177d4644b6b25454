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

namespace mosaic::data::internal {

// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Derives an independent seed from a parent seed and a stream id.
inline uint64_t MixSeed(uint64_t seed, uint64_t stream) {
  return SplitMix64(SplitMix64(seed) ^ (stream * 0xd1b54a32d192ed03ULL + 0x8cb92ba72f3d8dd7ULL));
}

// xoshiro256** (Blackman & Vigna), seeded through SplitMix64.
// Not thread-safe: one generator per sample, view or stream.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed += 0x9e3779b97f4a7c15ULL;
      word = SplitMix64(seed);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
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
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
};

}  // namespace mosaic::data::internal

#endif  // MOSAIC_SRC_DATA_RNG_H_
