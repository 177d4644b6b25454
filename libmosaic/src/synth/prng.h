// Deterministic random numbers for the scene generator.
//
// Everything here is defined by our own arithmetic (xoshiro256**, SplitMix64,
// Marsaglia's polar method, Marsaglia–Tsang), never by std:: distributions,
// whose output differs between standard libraries. The only library calls are
// std::log / std::sqrt / std::pow: IEEE sqrt is exact, log and pow may differ in
// the last bit between C libraries or CPUs (glibc picks FMA variants at run
// time), so a seed gives the same numbers for the same build on the same kind
// of machine (see docs/synthetic-data.md, Determinism).
#ifndef MOSAIC_SYNTH_PRNG_H_
#define MOSAIC_SYNTH_PRNG_H_

#include <cmath>
#include <cstdint>

#include "common/xoshiro256.h"

namespace mosaic::synth {

// The SplitMix64 finaliser: a stateless 64-bit mixing hash.
inline uint64_t Mix64(uint64_t z) { return internal::SplitMix64Finalize(z); }

inline uint64_t Hash64(uint64_t a, uint64_t b) {
  return Mix64(a ^ Mix64(b + 0x9e3779b97f4a7c15ULL));
}
inline uint64_t Hash64(uint64_t a, uint64_t b, uint64_t c) { return Hash64(Hash64(a, b), c); }
inline uint64_t Hash64(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  return Hash64(Hash64(a, b, c), d);
}

// Top 53 bits of a hash as a double in [0, 1).
inline double HashToUnit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }

// Roughly standard normal from one hash (sum of four 16-bit uniforms, Irwin–Hall,
// rescaled to unit variance; bounded by ±3.46). For per-field jitter, not for
// statistics that depend on the tails.
inline double HashToApproxNormal(uint64_t h) {
  const uint64_t sum =
      (h & 0xffffULL) + ((h >> 16) & 0xffffULL) + ((h >> 32) & 0xffffULL) + (h >> 48);
  return (static_cast<double>(sum) * (1.0 / 65536.0) - 2.0) * 1.7320508075688772;
}

// Independent sub-streams of one scene seed, so that, e.g., switching clouds on
// does not change a single Sentinel-1 sample.
enum class Stream : uint64_t {
  kLandCover = 1,
  kNoiseFields = 2,
  kS2 = 3,
  kS1 = 4,
  kClouds = 5,
};

inline uint64_t StreamSeed(uint64_t seed, Stream stream) {
  return Hash64(seed, static_cast<uint64_t>(stream));
}

// xoshiro256** (common/xoshiro256.h) with the generator's distributions.
class Rng {
 public:
  Rng(uint64_t seed, Stream stream) : Rng(StreamSeed(seed, stream)) {}
  explicit Rng(uint64_t seed) : engine_(seed) {}

  uint64_t Next() { return engine_.Next(); }

  // Uniform in [0, 1).
  double Uniform() { return HashToUnit(Next()); }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  int64_t UniformInt(int64_t n) {
    const auto i = static_cast<int64_t>(Uniform() * static_cast<double>(n));
    return i < n ? i : n - 1;
  }
  // Index drawn with probability proportional to weights[i]. REQUIRES: sum > 0.
  template <typename Container>
  int64_t Pick(const Container& weights) {
    double total = 0.0;
    for (double w : weights) total += w;
    double r = Uniform() * total;
    int64_t i = 0;
    for (double w : weights) {
      if (r < w) return i;
      r -= w;
      ++i;
    }
    return i - 1;
  }

  // Approximate N(0, 1) from one draw (see HashToApproxNormal): cheap sensor noise.
  double FastNormal() { return HashToApproxNormal(Next()); }

  // Exact N(0, 1), Marsaglia's polar method.
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * Uniform() - 1.0;
      v = 2.0 * Uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * m;
    has_spare_ = true;
    return u * m;
  }

 private:
  internal::Xoshiro256 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Gamma(shape, scale = 1 / shape) samples, i.e. mean 1 and variance 1 / shape:
// the multiplicative speckle of an L-look intensity image has shape = L.
// Marsaglia & Tsang (2000); shapes below 1 use Gamma(shape + 1) · U^(1/shape).
class UnitMeanGamma {
 public:
  // REQUIRES: shape > 0.
  explicit UnitMeanGamma(double shape)
      : shape_(shape),
        boost_(shape < 1.0),
        d_((shape < 1.0 ? shape + 1.0 : shape) - 1.0 / 3.0),
        c_(1.0 / std::sqrt(9.0 * d_)) {}

  double Sample(Rng& rng) const {
    double g;
    for (;;) {
      const double x = rng.Normal();
      double v = 1.0 + c_ * x;
      if (v <= 0.0) continue;
      v = v * v * v;
      const double u = rng.Uniform();
      const double x2 = x * x;
      if (u < 1.0 - 0.0331 * x2 * x2) {  // squeeze: accepts ~98 % without a log
        g = d_ * v;
        break;
      }
      if (u > 0.0 && std::log(u) < 0.5 * x2 + d_ * (1.0 - v + std::log(v))) {
        g = d_ * v;
        break;
      }
    }
    if (boost_) g *= std::pow(1.0 - rng.Uniform(), 1.0 / shape_);  // 1 - U lies in (0, 1]
    return g / shape_;
  }

 private:
  double shape_;
  bool boost_;
  double d_;
  double c_;
};

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_PRNG_H_
