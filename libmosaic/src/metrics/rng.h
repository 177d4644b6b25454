// Private: the seeded generator behind k-means++ and silhouette subsampling
// (not installed). std:: distributions are implementation-defined, so they
// would make results depend on the standard library; this generator and its
// two distributions are fully specified here.
#ifndef MOSAIC_SRC_METRICS_RNG_H_
#define MOSAIC_SRC_METRICS_RNG_H_

#include <cstdint>
#include <limits>

namespace mosaic::metrics::internal {

// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
inline uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// An independent seed for stream `stream` (e.g. a k-means restart) of `seed`.
inline uint64_t MixSeed(uint64_t seed, uint64_t stream) {
  return SplitMix64(SplitMix64(seed) ^ (stream * 0xd1b54a32d192ed03ULL + 0x8cb92ba72f3d8dd7ULL));
}

// xoshiro256** (Blackman & Vigna), its state filled by SplitMix64 from the
// seed. Not thread-safe: one generator per stream.
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

  // Uniform integer in [0, n), unbiased (rejection). REQUIRES: n >= 1.
  uint64_t UniformIndex(uint64_t n) {
    constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
    const uint64_t limit = kMax - kMax % n;
    uint64_t x = Next();
    while (x >= limit) x = Next();
    return x % n;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
};

}  // namespace mosaic::metrics::internal

#endif  // MOSAIC_SRC_METRICS_RNG_H_
