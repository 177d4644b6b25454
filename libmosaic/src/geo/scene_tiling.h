// Private: where the scene engine puts its patches, how it weights them when
// blending, and how it cuts the scene into vertical strips.
#ifndef MOSAIC_GEO_SCENE_TILING_H_
#define MOSAIC_GEO_SCENE_TILING_H_

#include <cstdint>
#include <vector>

#include "mosaic/geo/scene_predict.h"

namespace mosaic::geo::internal {

// Patch origins along one axis of `size` pixels for the dense grid: 0,
// stride, 2·stride, ... With kShift the last patch ends exactly at the edge
// (needs size >= patch); with kReflect patches continue past the edge until
// one reaches it. Every pixel is covered.
std::vector<int64_t> DensePatchOrigins(int64_t size, int64_t patch, int64_t stride, EdgeMode edges);

// Number of stride cells along an axis of `size` pixels: ceil(size / stride).
int64_t CoarseCellCount(int64_t size, int64_t stride);
// Origin of the patch centred on cell `cell` (may be negative or run past the edge).
int64_t CoarsePatchOrigin(int64_t cell, int64_t patch, int64_t stride);

// The 1-D blending weights of a patch side; all > 0. The 2-D window is the
// outer product w[y] · w[x].
//   uniform: 1
//   hann:    sin²(π (i + ½) / patch)
//   gaussian: exp(-(i + ½ - patch/2)² / (2 (sigma_fraction · patch)²))
std::vector<float> BlendWeights(BlendWindow window, int64_t patch, double sigma_fraction);

// A vertical strip of the output grid: output columns [core_begin, core_end)
// are written from it, using patch columns [first_patch, end_patch).
struct Strip {
  int64_t core_begin = 0;
  int64_t core_end = 0;
  int64_t first_patch = 0;
  int64_t end_patch = 0;
};

// Strips for the dense grid: cores of `strip_width` output pixels; each strip
// takes every patch that overlaps its core.
std::vector<Strip> DenseStrips(const std::vector<int64_t>& origins, int64_t patch, int64_t width,
                               int64_t strip_width);
// Strips for the coarse grid: cores of `cells_per_strip` cells; patch index = cell index.
std::vector<Strip> CoarseStrips(int64_t cells, int64_t cells_per_strip);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_SCENE_TILING_H_
