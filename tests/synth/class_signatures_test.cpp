#include "mosaic/synth/class_signatures.h"

#include <gtest/gtest.h>

#include "mosaic/label_sets.h"

namespace mosaic::synth {
namespace {

TEST(ClassSignatures, CoverBigEarthNet19InOrder) {
  const std::vector<std::string>& names = BigEarthNet19Classes();
  ASSERT_EQ(ClassSignatures().size(), names.size());
  for (size_t k = 0; k < names.size(); ++k) EXPECT_EQ(ClassSignatures()[k].name, names[k]);
}

TEST(ClassSignatures, ArePhysicallyPlausible) {
  for (const ClassSignature& s : ClassSignatures()) {
    for (double r : s.s2_reflectance) {
      EXPECT_GT(r, 0.0) << s.name;
      EXPECT_LT(r, 0.5) << s.name;  // snow-free: nothing is brighter than dry sand
    }
    EXPECT_LT(s.s1_vh_db, s.s1_vv_db) << s.name;  // cross-pol is always weaker
    EXPECT_LT(s.s1_incidence_slope_db_per_deg, 0.0) << s.name;
    EXPECT_GT(s.s1_vv_db, -30.0) << s.name;
    EXPECT_LT(s.s1_vv_db, 6.0) << s.name;
  }
}

TEST(ClassSignatures, FindByName) {
  StatusOr<ClassSignature> water = FindClassSignature("Inland waters");
  ASSERT_TRUE(water.ok());
  EXPECT_LT(water->s1_vv_db, -20.0);
  StatusOr<ClassSignature> missing = FindClassSignature("Glaciers");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("Glaciers"), std::string::npos);
}

}  // namespace
}  // namespace mosaic::synth
