// Private: the portable pseudo-random engine shared by the synthetic-data
// generator and the data loader (not installed).
//
// std:: engines' seeding helpers and distributions are implementation-defined;
// this engine and the mixing function are fully specified here, so a seed
// gives the same stream with every compiler and standard library.
#ifndef MOSAIC_SRC_COMMON_XOSHIRO256_H_
#define MOSAIC_SRC_COMMON_XOSHIRO256_H_

#include <cstdint>

namespace mosaic::internal {

// The SplitMix64 finaliser: a stateless, bijective 64-bit mix with good avalanche.
inline uint64_t SplitMix64Finalize(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

inline constexpr uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

// One SplitMix64 step: advance by the golden gamma, then mix.
inline uint64_t SplitMix64(uint64_t x) { return SplitMix64Finalize(x + kGoldenGamma); }

// An independent seed for sub-stream `stream` (a sample, a view, a restart) of `seed`.
inline uint64_t MixSeed(uint64_t seed, uint64_t stream) {
  return SplitMix64(SplitMix64(seed) ^ (stream * 0xd1b54a32d192ed03ULL + 0x8cb92ba72f3d8dd7ULL));
}

// xoshiro256** (Blackman & Vigna, 2018), its state seeded by SplitMix64.
// Not thread-safe: one engine per stream.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    for (uint64_t& word : state_) {
      seed += kGoldenGamma;
      word = SplitMix64Finalize(seed);
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

  // Uniform in [0, 1) from the top 53 bits of one draw.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
};

}  // namespace mosaic::internal

#endif  // MOSAIC_SRC_COMMON_XOSHIRO256_H_
