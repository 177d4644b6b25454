#include "geo/scene_tiling.h"

#include <algorithm>
#include <cmath>

namespace mosaic::geo::internal {

std::vector<int64_t> DensePatchOrigins(int64_t size, int64_t patch, int64_t stride,
                                       EdgeMode edges) {
  std::vector<int64_t> origins;
  if (edges == EdgeMode::kShift && size >= patch) {
    for (int64_t o = 0; o + patch < size; o += stride) origins.push_back(o);
    origins.push_back(size - patch);
    // A shifted last patch that lands on the previous origin is a duplicate.
    if (origins.size() >= 2 && origins[origins.size() - 2] == origins.back()) origins.pop_back();
    return origins;
  }
  for (int64_t o = 0;; o += stride) {
    origins.push_back(o);
    if (o + patch >= size) break;
  }
  return origins;
}

int64_t CoarseCellCount(int64_t size, int64_t stride) { return (size + stride - 1) / stride; }

int64_t CoarsePatchOrigin(int64_t cell, int64_t patch, int64_t stride) {
  // Centre of the cell (cell·stride + stride/2) minus half a patch, in whole pixels.
  const int64_t twice = 2 * cell * stride + stride - patch;
  return twice >= 0 ? twice / 2 : -((-twice + 1) / 2);
}

std::vector<float> BlendWeights(BlendWindow window, int64_t patch, double sigma_fraction) {
  std::vector<float> w(static_cast<size_t>(patch), 1.0f);
  const double pi = 3.14159265358979323846;
  for (int64_t i = 0; i < patch; ++i) {
    const double t = static_cast<double>(i) + 0.5;
    switch (window) {
      case BlendWindow::kUniform:
        break;
      case BlendWindow::kHann: {
        const double s = std::sin(pi * t / static_cast<double>(patch));
        w[i] = static_cast<float>(s * s);
        break;
      }
      case BlendWindow::kGaussian: {
        const double sigma = sigma_fraction * static_cast<double>(patch);
        const double d = t - 0.5 * static_cast<double>(patch);
        w[i] = static_cast<float>(std::exp(-d * d / (2.0 * sigma * sigma)));
        break;
      }
    }
    w[i] = std::max(w[i], 1e-6f);  // keep every pixel of a patch weighted
  }
  return w;
}

std::vector<Strip> DenseStrips(const std::vector<int64_t>& origins, int64_t patch, int64_t width,
                               int64_t strip_width) {
  std::vector<Strip> strips;
  for (int64_t begin = 0; begin < width; begin += strip_width) {
    Strip s;
    s.core_begin = begin;
    s.core_end = std::min(width, begin + strip_width);
    s.first_patch = -1;
    for (size_t i = 0; i < origins.size(); ++i) {
      const bool overlaps = origins[i] < s.core_end && origins[i] + patch > s.core_begin;
      if (!overlaps) continue;
      if (s.first_patch < 0) s.first_patch = static_cast<int64_t>(i);
      s.end_patch = static_cast<int64_t>(i) + 1;
    }
    strips.push_back(s);
  }
  return strips;
}

std::vector<Strip> CoarseStrips(int64_t cells, int64_t cells_per_strip) {
  std::vector<Strip> strips;
  for (int64_t begin = 0; begin < cells; begin += cells_per_strip) {
    const int64_t end = std::min(cells, begin + cells_per_strip);
    strips.push_back(Strip{begin, end, begin, end});
  }
  return strips;
}

}  // namespace mosaic::geo::internal
