#include "geo/scene_checks.h"

#include <algorithm>
#include <string>

#include "mosaic/bands.h"
#include "mosaic/label_sets.h"

namespace mosaic::geo::internal {

Status ValidateScene(const synth::SyntheticScene& scene) {
  if (scene.width <= 0 || scene.height <= 0 || scene.width % 6 != 0 || scene.height % 6 != 0) {
    return Status::InvalidArgument("scene is " + std::to_string(scene.width) + " x " +
                                   std::to_string(scene.height) +
                                   " px, expected positive multiples of 6");
  }
  const size_t pixels = static_cast<size_t>(scene.width * scene.height);
  auto check = [&](size_t size, const char* what, bool may_be_empty) -> Status {
    if (size == pixels || (may_be_empty && size == 0)) return Status::OK();
    return Status::InvalidArgument(std::string("scene ") + what + " has " + std::to_string(size) +
                                   " values, expected width * height = " + std::to_string(pixels));
  };
  MOSAIC_RETURN_IF_ERROR(check(scene.land_cover.size(), "land_cover", false));
  MOSAIC_RETURN_IF_ERROR(check(scene.s1_vv.size(), "s1_vv", false));
  MOSAIC_RETURN_IF_ERROR(check(scene.s1_vh.size(), "s1_vh", false));
  MOSAIC_RETURN_IF_ERROR(check(scene.cloud_mask.size(), "cloud_mask", true));
  const std::vector<std::string> bands = ModalityBands(Modality::kS2);
  if (scene.s2.size() != bands.size()) {
    return Status::InvalidArgument("scene has " + std::to_string(scene.s2.size()) +
                                   " S2 bands, expected the 12 L2A bands");
  }
  for (size_t i = 0; i < bands.size(); ++i) {
    const synth::S2Band& band = scene.s2[i];
    const int resolution = FindBand(bands[i])->native_resolution_m;
    const int64_t w = scene.width * 10 / resolution;
    const int64_t h = scene.height * 10 / resolution;
    if (band.name != bands[i] || band.resolution_m != resolution || band.width != w ||
        band.height != h || band.data.size() != static_cast<size_t>(w * h)) {
      return Status::InvalidArgument("scene S2 band " + std::to_string(i) + " ('" + band.name +
                                     "') is not " + bands[i] + " at " + std::to_string(resolution) +
                                     " m with " + std::to_string(w) + " x " + std::to_string(h) +
                                     " values");
    }
  }
  for (uint8_t c : scene.land_cover) {
    if (c >= scene.class_names.size()) {
      return Status::InvalidArgument("scene land_cover holds class index " + std::to_string(c) +
                                     " but the scene has " +
                                     std::to_string(scene.class_names.size()) + " classes");
    }
  }
  return Status::OK();
}

StatusOr<std::vector<int>> SceneClassesTo19(const synth::SyntheticScene& scene) {
  const auto& classes = BigEarthNet19Classes();
  std::vector<int> indices;
  for (const std::string& name : scene.class_names) {
    const auto it = std::find(classes.begin(), classes.end(), name);
    if (it == classes.end()) {
      return Status::InvalidArgument("scene class '" + name +
                                     "' is not a BigEarthNet-19 class name");
    }
    indices.push_back(static_cast<int>(it - classes.begin()));
  }
  return indices;
}

}  // namespace mosaic::geo::internal
