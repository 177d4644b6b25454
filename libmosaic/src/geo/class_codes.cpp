#include "mosaic/geo/class_codes.h"

#include "mosaic/label_sets.h"

namespace mosaic::geo {
namespace {

// CLC level-3 codes of BigEarthNet43Classes(), in that order (the 44 CLC
// level-3 classes without 335 "Glaciers and perpetual snow").
constexpr int kClcCodes[43] = {
    111, 112, 121, 122, 123, 124, 131, 132, 133, 141, 142,  // artificial surfaces
    211, 212, 213, 221, 222, 223, 231, 241, 242, 243, 244,  // agricultural areas
    311, 312, 313, 321, 322, 323, 324, 331, 332, 333, 334,  // forest and semi-natural
    411, 412, 421, 422, 423,                                // wetlands
    511, 512, 521, 522, 523,                                // water bodies
};

}  // namespace

StatusOr<int> ClcCodeOf43Class(const std::string& name) {
  const auto& names = BigEarthNet43Classes();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return kClcCodes[i];
  }
  return Status::NotFound("'" + name + "' is not a BigEarthNet-43 class name");
}

StatusOr<std::string> BigEarthNet43ClassOfClcCode(int code) {
  for (size_t i = 0; i < 43; ++i) {
    if (kClcCodes[i] == code) return BigEarthNet43Classes()[i];
  }
  return Status::NotFound("CLC code " + std::to_string(code) +
                          " is not one of the 43 BigEarthNet classes");
}

StatusOr<int> BigEarthNet19IndexOfClcCode(int code) {
  StatusOr<std::string> name = BigEarthNet43ClassOfClcCode(code);
  if (!name.ok()) return name.status();
  return MapBigEarthNet43To19(*name);
}

StatusOr<std::string> Representative43Class(const std::string& name19) {
  // One 43-class per 19-class, chosen as the most common member of the group.
  static const char* const kRepresentative[19] = {
      "Discontinuous urban fabric",
      "Industrial or commercial units",
      "Non-irrigated arable land",
      "Fruit trees and berry plantations",
      "Pastures",
      "Complex cultivation patterns",
      "Land principally occupied by agriculture, with significant areas of natural vegetation",
      "Agro-forestry areas",
      "Broad-leaved forest",
      "Coniferous forest",
      "Mixed forest",
      "Natural grassland",
      "Moors and heathland",
      "Transitional woodland/shrub",
      "Beaches, dunes, sands",
      "Peatbogs",
      "Salt marshes",
      "Water bodies",
      "Sea and ocean",
  };
  const auto& names = BigEarthNet19Classes();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name19) return std::string(kRepresentative[i]);
  }
  return Status::NotFound("'" + name19 + "' is not a BigEarthNet-19 class name");
}

int Sen12msIgbp10IndexOfIgbpCode(int igbp_code) {
  // IGBP code -> simplified class 1..10 (DFC2020 scheme); index 0 unused.
  static constexpr int kIgbpToSimplified[18] = {0, 1, 1, 1, 1, 1, 2, 2, 3,
                                                3, 4, 5, 6, 7, 6, 8, 9, 10};
  if (igbp_code < 1 || igbp_code > 17) return -1;
  return kIgbpToSimplified[igbp_code] - 1;
}

}  // namespace mosaic::geo
