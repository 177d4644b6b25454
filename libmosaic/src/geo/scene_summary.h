// Private: the scene-level summary of a probability raster, accumulated pixel
// by pixel as rows are written, then serialised as JSON.
#ifndef MOSAIC_GEO_SCENE_SUMMARY_H_
#define MOSAIC_GEO_SCENE_SUMMARY_H_

#include <cstdint>
#include <string>
#include <vector>

namespace mosaic::geo::internal {

class SceneSummary {
 public:
  SceneSummary(std::vector<std::string> class_names, double threshold, double pixel_area_km2);

  // One output pixel: `probabilities` holds one value per class, strided by
  // `stride` floats; NaN in the first marks nodata.
  void AddPixel(const float* probabilities, int64_t stride);

  // The labels: classes whose share of the valid area with p >= threshold is
  // at least `label_min_share`. `extra` is a JSON object merged into the
  // result (model, inputs, footprint, patch counts).
  std::string ToJson(double label_min_share, const std::string& extra_json) const;

 private:
  std::vector<std::string> class_names_;
  double threshold_;
  double pixel_area_km2_;
  int64_t pixels_ = 0;
  int64_t valid_ = 0;
  std::vector<int64_t> above_;
  std::vector<double> probability_sum_;
};

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_SCENE_SUMMARY_H_
