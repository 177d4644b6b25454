// Private: fast per-pixel noise for the S1 augmentations (not installed).
//
// Drawing an exact Gamma or normal variate per pixel costs ~20-50 ns (logs,
// rejection loops) and dominated the loader's time. Instead each pixel takes
// one 64-bit draw and interpolates linearly in a table of the distribution's
// exact quantiles (inverse-CDF sampling). The sampled distribution is the exact
// one with its quantile function made piecewise linear between
// kQuantileIntervals + 1 grid points, and tails beyond the outermost grid
// points (probability 1 / (2 (kQuantileIntervals + 1)) on each side) clipped.
#ifndef MOSAIC_SRC_DATA_NOISE_TABLES_H_
#define MOSAIC_SRC_DATA_NOISE_TABLES_H_

#include <cstdint>
#include <memory>
#include <vector>

namespace mosaic::data::internal {

constexpr int kQuantileBits = 13;
constexpr int kQuantileIntervals = 1 << kQuantileBits;  // 8192: a 32 KiB float table

// Quantiles q[k] = F^-1((k + 0.5) / (kQuantileIntervals + 1)), k = 0..kQuantileIntervals.
// Immutable after construction; thread-safe.
class QuantileTable {
 public:
  explicit QuantileTable(std::vector<float> quantiles) : q_(std::move(quantiles)) {}

  // One variate from 64 random bits (the top 32 are used).
  float Sample(uint64_t bits) const {
    const auto u = static_cast<uint32_t>(bits >> 32);
    const uint32_t k = u >> (32 - kQuantileBits);
    const float frac = static_cast<float>(u & ((1u << (32 - kQuantileBits)) - 1)) *
                       (1.0f / (1u << (32 - kQuantileBits)));
    return q_[k] + frac * (q_[k + 1] - q_[k]);
  }

  const std::vector<float>& quantiles() const { return q_; }

 private:
  std::vector<float> q_;  // kQuantileIntervals + 1 values, non-decreasing
};

// The standard normal distribution. Built once, on first use.
const QuantileTable& StandardNormalTable();

// 10 log10(g) for g ~ Gamma(looks, 1 / looks) (mean 1): multiplicative speckle
// in dB. Built once per distinct `looks` (> 0) and cached for the process.
std::shared_ptr<const QuantileTable> SpeckleDbTable(double looks);

}  // namespace mosaic::data::internal

#endif  // MOSAIC_SRC_DATA_NOISE_TABLES_H_
