// Sentinel-1 physics of generated scenes: class backscatter, speckle
// statistics and the incidence-angle trend.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mosaic/synth/class_signatures.h"
#include "mosaic/synth/scene_generator.h"
#include "synth/scene_stats.h"

namespace mosaic::synth {
namespace {

using testing::ClassPixels;
using testing::Mean;
using testing::S1Values;
using testing::Scene;

double MeanVv(const SyntheticScene& scene, const std::string& name) {
  return Mean(S1Values(scene, scene.s1_vv, name));
}
double MeanVh(const SyntheticScene& scene, const std::string& name) {
  return Mean(S1Values(scene, scene.s1_vh, name));
}

class S1PhysicsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const std::string& name : scene_.class_names) {
      if (ClassPixels(scene_, name) < 300) continue;
      present_.push_back(name);
    }
    for (const char* name :
         {"Arable land", "Broad-leaved forest", "Coniferous forest", "Mixed forest",
          "Inland waters", "Marine waters", "Urban fabric", "Industrial or commercial units"}) {
      ASSERT_GT(ClassPixels(scene_, name), 300) << name << " barely present; pick another seed";
    }
  }
  const SyntheticScene& scene_ = Scene(testing::PhysicsOptions());
  std::vector<std::string> present_;
};

TEST_F(S1PhysicsTest, WaterIsFarDarkerThanForestInVv) {
  for (const char* water : {"Inland waters", "Marine waters"}) {
    const double vv = MeanVv(scene_, water);
    EXPECT_LT(vv, -19.0) << water;
    EXPECT_GT(vv, -27.0) << water;
    for (const char* forest : {"Broad-leaved forest", "Coniferous forest", "Mixed forest"}) {
      EXPECT_LT(vv, MeanVv(scene_, forest) - 10.0) << water << " vs " << forest;
    }
  }
}

TEST_F(S1PhysicsTest, ForestVhAboveFields) {
  for (const char* forest : {"Broad-leaved forest", "Coniferous forest", "Mixed forest"}) {
    const double vh = MeanVh(scene_, forest);
    EXPECT_GT(vh, -15.0) << forest;
    EXPECT_LT(vh, -11.0) << forest;
    for (const char* field : {"Arable land", "Pastures", "Complex cultivation patterns"}) {
      if (ClassPixels(scene_, field) < 300) continue;
      EXPECT_GT(vh, MeanVh(scene_, field) + 3.0) << forest << " vs " << field;
    }
  }
}

TEST_F(S1PhysicsTest, UrbanIsBrightestInVv) {
  for (const char* urban : {"Urban fabric", "Industrial or commercial units"}) {
    const double vv = MeanVv(scene_, urban);
    EXPECT_GT(vv, -3.0) << urban;
    for (const std::string& other : present_) {
      if (other == "Urban fabric" || other == "Industrial or commercial units") continue;
      EXPECT_GT(vv, MeanVv(scene_, other) + 3.0) << urban << " vs " << other;
    }
  }
}

TEST_F(S1PhysicsTest, FieldsSitInTheMiddle) {
  const double arable = MeanVv(scene_, "Arable land");
  EXPECT_GT(arable, -15.0);
  EXPECT_LT(arable, -10.0);
}

// Digamma by recurrence and the asymptotic series (enough for x >= 0.5).
double Digamma(double x) {
  double result = 0.0;
  while (x < 8.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  return result + std::log(x) - 0.5 * inv -
         inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 / 252.0));
}

SynthOptions HomogeneousWater(double enl) {
  SynthOptions options;
  options.seed = 21;
  options.width_px = 300;
  options.height_px = 300;
  options.class_names = {"Inland waters"};
  options.s1_enl = enl;
  options.incidence_near_deg = kReferenceIncidenceDeg;  // no trend across the scene
  options.incidence_far_deg = kReferenceIncidenceDeg;
  return options;
}

// Speckle is multiplicative Gamma(ENL, 1/ENL): on a homogeneous surface the
// linear intensity divided by its local mean has mean 1 and variance 1/ENL.
TEST(S1Speckle, RatioToLocalMeanHasGammaStatistics) {
  constexpr int kHalf = 5;  // 11 x 11 neighbourhood, centre excluded
  for (double enl : {0.7, 1.0, 4.4, 10.0}) {
    const SyntheticScene& scene = Scene(HomogeneousWater(enl));
    const int64_t w = scene.width;
    std::vector<double> linear(scene.s1_vv.size());
    for (size_t i = 0; i < linear.size(); ++i) linear[i] = std::pow(10.0, scene.s1_vv[i] / 10.0);
    std::vector<double> ratio;
    for (int64_t y = kHalf; y < scene.height - kHalf; y += 2) {
      for (int64_t x = kHalf; x < w - kHalf; x += 2) {
        double sum = 0.0;
        for (int64_t dy = -kHalf; dy <= kHalf; ++dy) {
          for (int64_t dx = -kHalf; dx <= kHalf; ++dx) {
            if (dx != 0 || dy != 0) sum += linear[static_cast<size_t>((y + dy) * w + x + dx)];
          }
        }
        const double local_mean = sum / ((2 * kHalf + 1) * (2 * kHalf + 1) - 1);
        ratio.push_back(linear[static_cast<size_t>(y * w + x)] / local_mean);
      }
    }
    const double mean = Mean(ratio);
    const double var = testing::Variance(ratio);
    EXPECT_NEAR(mean, 1.0, 0.03) << "ENL " << enl;
    EXPECT_NEAR(var, 1.0 / enl, 0.1 / enl) << "ENL " << enl;
    EXPECT_NEAR(mean * mean / var, enl, 0.1 * enl) << "ENL " << enl;
  }
}

// Mean of 10 log10(σ0 · G) is the class σ0 plus 10 log10(e) (ψ(L) - ln L).
TEST(S1Speckle, MeanInDecibelsMatchesTableAndLogGammaBias) {
  for (double enl : {1.0, 4.4}) {
    const SyntheticScene& scene = Scene(HomogeneousWater(enl));
    const double bias_db = 10.0 / std::log(10.0) * (Digamma(enl) - std::log(enl));
    const double expected_vv = FindClassSignature("Inland waters")->s1_vv_db + bias_db;
    const double expected_vh = FindClassSignature("Inland waters")->s1_vh_db + bias_db;
    EXPECT_NEAR(Mean(S1Values(scene, scene.s1_vv, "Inland waters")), expected_vv, 0.2);
    EXPECT_NEAR(Mean(S1Values(scene, scene.s1_vh, "Inland waters")), expected_vh, 0.2);
  }
}

SynthOptions OneClassAcrossTheSwath(const std::string& name) {
  SynthOptions options;
  options.seed = 22;
  options.width_px = 600;
  options.height_px = 240;
  options.class_names = {name};
  return options;  // default swath: 30 deg (left) to 45 deg (right)
}

// σ0 falls with incidence angle: left (near range) is brighter than right.
TEST(S1Incidence, NearRangeIsBrighterThanFarRange) {
  for (const char* name : {"Inland waters", "Broad-leaved forest", "Arable land"}) {
    const SyntheticScene& scene = Scene(OneClassAcrossTheSwath(name));
    const int64_t third = scene.width / 3;
    const double left = Mean(S1Values(scene, scene.s1_vv, name, 0, third));
    const double middle = Mean(S1Values(scene, scene.s1_vv, name, third, 2 * third));
    const double right = Mean(S1Values(scene, scene.s1_vv, name, 2 * third, scene.width));
    const double slope = FindClassSignature(name)->s1_incidence_slope_db_per_deg;
    // The thirds' mean angles are 32.5, 37.5 and 42.5 degrees.
    const double expected_drop = -slope * 10.0;
    EXPECT_GT(left, middle) << name;
    EXPECT_GT(middle, right) << name;
    EXPECT_NEAR(left - right, expected_drop, 0.25 + 0.2 * expected_drop) << name;
    const double vh_left = Mean(S1Values(scene, scene.s1_vh, name, 0, third));
    const double vh_right = Mean(S1Values(scene, scene.s1_vh, name, 2 * third, scene.width));
    EXPECT_GT(vh_left, vh_right) << name;
  }
}

TEST(S1Incidence, FlatWhenNearEqualsFar) {
  SynthOptions options = OneClassAcrossTheSwath("Inland waters");
  options.incidence_near_deg = 35.0;
  options.incidence_far_deg = 35.0;
  const SyntheticScene& scene = Scene(options);
  const int64_t third = scene.width / 3;
  const double left = Mean(S1Values(scene, scene.s1_vv, "Inland waters", 0, third));
  const double right = Mean(S1Values(scene, scene.s1_vv, "Inland waters", 2 * third, scene.width));
  EXPECT_NEAR(left, right, 0.15);
}

TEST(S1Incidence, AngleIsLinearAcrossColumns) {
  SynthOptions options;
  options.width_px = 600;
  EXPECT_NEAR(IncidenceAngleDeg(options, -0.5), 30.0, 1e-12);
  EXPECT_NEAR(IncidenceAngleDeg(options, 599.5), 45.0, 1e-12);
  EXPECT_NEAR(IncidenceAngleDeg(options, 299.5), 37.5, 1e-12);
}

}  // namespace
}  // namespace mosaic::synth
