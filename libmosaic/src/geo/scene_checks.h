// Validation of a SyntheticScene before writing it, and window cropping.
#ifndef MOSAIC_GEO_SCENE_CHECKS_H_
#define MOSAIC_GEO_SCENE_CHECKS_H_

#include <cstdint>
#include <vector>

#include "mosaic/status.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::geo::internal {

// OK if every buffer has the size the scene header promises: land_cover, s1_vv,
// s1_vh and cloud_mask (may be empty = all clear) width*height; s2 = the 12
// L2A bands in BigEarthNet order, each at its native resolution with
// width*10/res x height*10/res values. InvalidArgument naming the part otherwise.
Status ValidateScene(const synth::SyntheticScene& scene);

// For each scene class, its index in BigEarthNet19Classes(); InvalidArgument
// naming a class that is not a BigEarthNet-19 name.
StatusOr<std::vector<int>> SceneClassesTo19(const synth::SyntheticScene& scene);

// Copies the window [x0, x0+w) x [y0, y0+h) of a row-major image `width` wide.
// REQUIRES: the window lies inside the image.
template <typename T>
std::vector<T> CropWindow(const std::vector<T>& image, int64_t width, int64_t x0, int64_t y0,
                          int64_t w, int64_t h) {
  std::vector<T> out(static_cast<size_t>(w * h));
  for (int64_t r = 0; r < h; ++r) {
    const T* src = image.data() + (y0 + r) * width + x0;
    std::copy(src, src + w, out.data() + r * w);
  }
  return out;
}

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_SCENE_CHECKS_H_
