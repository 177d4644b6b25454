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

const std::vector<std::string>& BigEarthNet43Classes() {
  static const std::vector<std::string> kClasses = {
      "Continuous urban fabric",
      "Discontinuous urban fabric",
      "Industrial or commercial units",
      "Road and rail networks and associated land",
      "Port areas",
      "Airports",
      "Mineral extraction sites",
      "Dump sites",
      "Construction sites",
      "Green urban areas",
      "Sport and leisure facilities",
      "Non-irrigated arable land",
      "Permanently irrigated land",
      "Rice fields",
      "Vineyards",
      "Fruit trees and berry plantations",
      "Olive groves",
      "Pastures",
      "Annual crops associated with permanent crops",
      "Complex cultivation patterns",
      "Land principally occupied by agriculture, with significant areas of natural vegetation",
      "Agro-forestry areas",
      "Broad-leaved forest",
      "Coniferous forest",
      "Mixed forest",
      "Natural grassland",
      "Moors and heathland",
      "Sclerophyllous vegetation",
      "Transitional woodland/shrub",
      "Beaches, dunes, sands",
      "Bare rock",
      "Sparsely vegetated areas",
      "Burnt areas",
      "Inland marshes",
      "Peatbogs",
      "Salt marshes",
      "Salines",
      "Intertidal flats",
      "Water courses",
      "Water bodies",
      "Coastal lagoons",
      "Estuaries",
      "Sea and ocean",
  };
  return kClasses;
}

StatusOr<int> MapBigEarthNet43To19(const std::string& name) {
  // Index into BigEarthNet19Classes() for each of the 43 classes, in order
  // (Sumbul et al., 2020); -1 = not part of the 19-class nomenclature.
  static constexpr int kTo19[43] = {
      0,  0,                           // urban fabric (continuous, discontinuous)
      1,                               // industrial or commercial units
      -1, -1, -1, -1, -1, -1, -1, -1,  // roads .. sport and leisure facilities
      2,  2,  2,                       // arable land (non-irrigated, irrigated, rice)
      3,  3,  3,                       // vineyards, fruit trees, olive groves
      4,                               // pastures
      3,                               // annual crops with permanent crops
      5,  6,  7,  8,  9,  10,          // complex cultivation .. mixed forest
      11,                              // natural grassland
      12, 12,                          // moors and heathland, sclerophyllous vegetation
      13, 14,                          // transitional woodland/shrub, beaches
      -1,                              // bare rock
      11,                              // sparsely vegetated areas
      -1,                              // burnt areas
      15, 15,                          // inland marshes, peatbogs
      16, 16,                          // salt marshes, salines
      -1,                              // intertidal flats
      17, 17,                          // water courses, water bodies
      18, 18, 18,                      // coastal lagoons, estuaries, sea and ocean
  };
  const auto& names = BigEarthNet43Classes();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return kTo19[i];
  }
  return Status::NotFound("unknown BigEarthNet class '" + name +
                          "': expected one of the 43 CORINE Land Cover class names of BigEarthNet");
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
