#include "mosaic/label_sets.h"

namespace mosaic {

const std::vector<std::string>& BigEarthNet19Classes() {
  static const std::vector<std::string> kClasses = {
      "Urban fabric",
      "Industrial or commercial units",
      "Arable land",
      "Permanent crops",
      "Pastures",
      "Complex cultivation patterns",
      "Land principally occupied by agriculture, with significant areas of natural vegetation",
      "Agro-forestry areas",
      "Broad-leaved forest",
      "Coniferous forest",
      "Mixed forest",
      "Natural grassland and sparsely vegetated areas",
      "Moors, heathland and sclerophyllous vegetation",
      "Transitional woodland, shrub",
      "Beaches, dunes, sands",
      "Inland wetlands",
      "Coastal wetlands",
      "Inland waters",
      "Marine waters",
  };
  return kClasses;
}

const std::vector<std::string>& Sen12msIgbp10Classes() {
  static const std::vector<std::string> kClasses = {
      "Forest",    "Shrubland",      "Savanna",  "Grassland", "Wetlands",
      "Croplands", "Urban/Built-up", "Snow/Ice", "Barren",    "Water",
  };
  return kClasses;
}

StatusOr<std::vector<std::string>> LabelSet(const std::string& name) {
  if (name == "bigearthnet19") return BigEarthNet19Classes();
  if (name == "sen12ms-igbp10") return Sen12msIgbp10Classes();
  return Status::NotFound("unknown label set '" + name +
                          "': expected 'bigearthnet19' or 'sen12ms-igbp10'");
}

}  // namespace mosaic
