#include "geo/scene_summary.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace mosaic::geo::internal {

SceneSummary::SceneSummary(std::vector<std::string> class_names, double threshold,
                           double pixel_area_km2)
    : class_names_(std::move(class_names)),
      threshold_(threshold),
      pixel_area_km2_(pixel_area_km2),
      above_(class_names_.size(), 0),
      probability_sum_(class_names_.size(), 0.0) {}

void SceneSummary::AddPixel(const float* probabilities, int64_t stride) {
  ++pixels_;
  if (std::isnan(probabilities[0])) return;
  ++valid_;
  for (size_t c = 0; c < class_names_.size(); ++c) {
    const float p = probabilities[static_cast<int64_t>(c) * stride];
    probability_sum_[c] += p;
    if (p >= threshold_) ++above_[c];
  }
}

std::string SceneSummary::ToJson(double label_min_share, const std::string& extra_json) const {
  nlohmann::ordered_json out = nlohmann::ordered_json::parse(extra_json);
  out["pixels"] = pixels_;
  out["valid_pixels"] = valid_;
  out["valid_area_km2"] = static_cast<double>(valid_) * pixel_area_km2_;
  out["nodata_share"] =
      pixels_ > 0 ? 1.0 - static_cast<double>(valid_) / static_cast<double>(pixels_) : 0.0;
  out["threshold"] = threshold_;
  out["label_min_share"] = label_min_share;
  nlohmann::ordered_json classes = nlohmann::ordered_json::array();
  nlohmann::ordered_json labels = nlohmann::ordered_json::array();
  for (size_t c = 0; c < class_names_.size(); ++c) {
    const double share =
        valid_ > 0 ? static_cast<double>(above_[c]) / static_cast<double>(valid_) : 0.0;
    nlohmann::ordered_json entry;
    entry["name"] = class_names_[c];
    entry["area_share"] = share;
    entry["area_km2"] = static_cast<double>(above_[c]) * pixel_area_km2_;
    entry["mean_probability"] =
        valid_ > 0 ? probability_sum_[c] / static_cast<double>(valid_) : 0.0;
    classes.push_back(entry);
    if (valid_ > 0 && share >= label_min_share) labels.push_back(class_names_[c]);
  }
  out["labels"] = labels;
  out["classes"] = classes;
  return out.dump(2) + "\n";
}

}  // namespace mosaic::geo::internal
