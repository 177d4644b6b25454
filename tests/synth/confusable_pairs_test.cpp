// The designed confusable pairs hold in generated scenes: close in one
// modality, clearly separable in the other (distances in units of the pooled
// within-class standard deviation, averaged over the modality's bands).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <string>
#include <vector>

#include "mosaic/label_sets.h"
#include "mosaic/synth/class_signatures.h"
#include "mosaic/synth/scene_generator.h"
#include "synth/scene_stats.h"

namespace mosaic::synth {
namespace {

using testing::ClassPixels;
using testing::S1Distance;
using testing::S2Distance;
using testing::Scene;

// A scene of just the pairs' classes, every structure drawn, no incidence
// trend (it would mix each class's position in the swath into its mean).
// 900 px: within-class variation is spatially correlated (fields, stands), so
// a class's scene mean needs a few dozen stands to settle.
SynthOptions PairsScene(uint64_t seed) {
  SynthOptions options;
  options.seed = seed;
  options.width_px = 900;
  options.height_px = 900;
  options.always_draw_structures = true;
  options.incidence_near_deg = kReferenceIncidenceDeg;
  options.incidence_far_deg = kReferenceIncidenceDeg;
  for (const ConfusablePair& pair : ConfusablePairs()) {
    for (const std::string& name : {pair.class_a, pair.class_b}) {
      if (std::find(options.class_names.begin(), options.class_names.end(), name) ==
          options.class_names.end()) {
        options.class_names.push_back(name);
      }
    }
  }
  return options;
}

TEST(ConfusablePairs, AtLeastTwoEachWayAndValidNames) {
  int s1 = 0;
  int s2 = 0;
  const std::vector<std::string>& names = BigEarthNet19Classes();
  for (const ConfusablePair& pair : ConfusablePairs()) {
    EXPECT_NE(std::find(names.begin(), names.end(), pair.class_a), names.end()) << pair.class_a;
    EXPECT_NE(std::find(names.begin(), names.end(), pair.class_b), names.end()) << pair.class_b;
    EXPECT_FALSE(pair.reason.empty());
    (pair.confusable_in == Modality::kS1 ? s1 : s2)++;
  }
  EXPECT_GE(s1, 2);
  EXPECT_GE(s2, 2);
}

TEST(ConfusablePairs, HoldInGeneratedScenes) {
  for (uint64_t seed : {1, 2}) {
    const SyntheticScene& scene = Scene(PairsScene(seed));
    for (const ConfusablePair& pair : ConfusablePairs()) {
      ASSERT_GT(ClassPixels(scene, pair.class_a), 1000) << pair.class_a << " seed " << seed;
      ASSERT_GT(ClassPixels(scene, pair.class_b), 1000) << pair.class_b << " seed " << seed;
      const double d_s1 = S1Distance(scene, pair.class_a, pair.class_b);
      const double d_s2 = S2Distance(scene, pair.class_a, pair.class_b);
      const std::string what = pair.class_a + " / " + pair.class_b + " seed " +
                               std::to_string(seed) + ": S1 " + std::to_string(d_s1) + ", S2 " +
                               std::to_string(d_s2);
      if (pair.confusable_in == Modality::kS2) {
        EXPECT_LT(d_s2, 0.3) << what;
        EXPECT_GT(d_s1, 1.0) << what;
        EXPECT_LT(d_s2, 0.25 * d_s1) << what;
      } else {
        EXPECT_LT(d_s1, 0.3) << what;
        EXPECT_GT(d_s2, 1.0) << what;
        EXPECT_LT(d_s1, 0.25 * d_s2) << what;
      }
      std::cout << "[ distance ] " << what << "\n";
    }
  }
}

// The tables themselves: a confusable pair's means are close in the confusing
// modality (relative to how far apart they are in the other).
TEST(ConfusablePairs, HoldInTheSignatureTables) {
  for (const ConfusablePair& pair : ConfusablePairs()) {
    const ClassSignature a = FindClassSignature(pair.class_a).value();
    const ClassSignature b = FindClassSignature(pair.class_b).value();
    double s2_relative = 0.0;  // largest relative band difference
    for (int k = 0; k < kNumS2Bands; ++k) {
      const double mean = 0.5 * (a.s2_reflectance[k] + b.s2_reflectance[k]);
      s2_relative =
          std::max(s2_relative, std::fabs(a.s2_reflectance[k] - b.s2_reflectance[k]) / mean);
    }
    const double s1_db =
        std::max(std::fabs(a.s1_vv_db - b.s1_vv_db), std::fabs(a.s1_vh_db - b.s1_vh_db));
    if (pair.confusable_in == Modality::kS2) {
      EXPECT_LT(s2_relative, 0.05) << pair.class_a;
      EXPECT_GT(s1_db, 3.0) << pair.class_a;
    } else {
      EXPECT_LT(s1_db, 0.25) << pair.class_a;
      EXPECT_GT(s2_relative, 0.25) << pair.class_a;
    }
  }
}

}  // namespace
}  // namespace mosaic::synth
