// Sentinel-2 physics of generated scenes: vegetation indices, water, band
// resolutions and block averaging.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "mosaic/synth/class_signatures.h"
#include "mosaic/synth/scene_generator.h"
#include "synth/scene_stats.h"

namespace mosaic::synth {
namespace {

using testing::Band;
using testing::ClassPixels;
using testing::Mean;
using testing::PureValues;
using testing::Scene;

const char* const kForests[] = {"Broad-leaved forest", "Coniferous forest", "Mixed forest"};
const char* const kWaters[] = {"Inland waters", "Marine waters"};

// Mean NDVI = (B08 - B04) / (B08 + B04) over the pixels of a class.
double MeanNdvi(const SyntheticScene& scene, const std::string& name) {
  const std::vector<double> nir = PureValues(scene, Band(scene, "B08"), name);
  const std::vector<double> red = PureValues(scene, Band(scene, "B04"), name);
  std::vector<double> ndvi;
  for (size_t i = 0; i < nir.size(); ++i) {
    ndvi.push_back((nir[i] - red[i]) / std::max(1e-4, nir[i] + red[i]));
  }
  return Mean(ndvi);
}

class S2PhysicsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"Arable land", "Broad-leaved forest", "Coniferous forest",
                             "Mixed forest", "Inland waters", "Marine waters", "Urban fabric"}) {
      ASSERT_GT(ClassPixels(scene_, name), 1000) << name << " barely present; pick another seed";
    }
  }
  const SyntheticScene& scene_ = Scene(testing::PhysicsOptions());
};

TEST_F(S2PhysicsTest, ForestNdviClearlyAboveArableLand) {
  const double arable = MeanNdvi(scene_, "Arable land");
  for (const char* forest : kForests) {
    const double ndvi = MeanNdvi(scene_, forest);
    EXPECT_GT(ndvi, 0.75) << forest;
    EXPECT_GT(ndvi, arable + 0.15) << forest << " vs arable " << arable;
  }
}

TEST_F(S2PhysicsTest, WaterNdviIsNegative) {
  for (const char* water : kWaters) EXPECT_LT(MeanNdvi(scene_, water), 0.0) << water;
}

TEST_F(S2PhysicsTest, WaterIsDarkestInNearInfrared) {
  for (const char* band : {"B08", "B8A", "B11", "B12"}) {
    double brightest_water = 0.0;
    for (const char* water : kWaters) {
      brightest_water =
          std::max(brightest_water, Mean(PureValues(scene_, Band(scene_, band), water)));
    }
    EXPECT_LT(brightest_water, 0.03) << band;
    for (const std::string& name : scene_.class_names) {
      if (name == kWaters[0] || name == kWaters[1]) continue;
      const std::vector<double> values = PureValues(scene_, Band(scene_, band), name);
      if (values.size() < 20) continue;  // too few pure 20 m blocks to judge
      EXPECT_GT(Mean(values), std::max(3.0 * brightest_water, brightest_water + 0.03))
          << name << " in " << band;
    }
  }
}

TEST_F(S2PhysicsTest, VegetationHasRedEdge) {
  for (const char* forest : kForests) {
    const double red = Mean(PureValues(scene_, Band(scene_, "B04"), forest));
    const double re1 = Mean(PureValues(scene_, Band(scene_, "B05"), forest));
    const double re3 = Mean(PureValues(scene_, Band(scene_, "B07"), forest));
    const double nir = Mean(PureValues(scene_, Band(scene_, "B8A"), forest));
    EXPECT_LT(red, re1) << forest;
    EXPECT_LT(re1 * 2.0, re3) << forest;  // steep rise across the red edge
    EXPECT_LE(re3, nir) << forest;
  }
}

TEST_F(S2PhysicsTest, UrbanIsBrightAndFlat) {
  const std::vector<double> blue = PureValues(scene_, Band(scene_, "B02"), "Urban fabric");
  const std::vector<double> nir = PureValues(scene_, Band(scene_, "B08"), "Urban fabric");
  EXPECT_GT(Mean(blue), 2.0 * Mean(PureValues(scene_, Band(scene_, "B02"), "Broad-leaved forest")));
  EXPECT_LT(Mean(nir) / Mean(blue), 3.0);  // vegetation: > 10
}

TEST_F(S2PhysicsTest, PixelsVaryAroundTheClassMean) {
  // Within-class variation exists (per field, texture, noise) but stays moderate.
  for (const char* name : {"Arable land", "Coniferous forest", "Marine waters"}) {
    const StatusOr<ClassSignature> signature = FindClassSignature(name);
    ASSERT_TRUE(signature.ok());
    const std::vector<double> nir = PureValues(scene_, Band(scene_, "B08"), name);
    const double expected = signature->s2_reflectance[7];
    EXPECT_NEAR(Mean(nir), expected, 0.1 * expected + 0.002) << name;
    const double cv = std::sqrt(testing::Variance(nir)) / Mean(nir);
    EXPECT_GT(cv, 0.01) << name;
    EXPECT_LT(cv, 0.6) << name;
  }
}

// The 20 m and 60 m bands are block means of the 10 m signal: at a coastline
// a block's value follows the mix of sea and forest pixels inside it.
TEST(S2Resolution, CoarseBandsAverageTheTenMetreSignal) {
  SynthOptions options;
  options.seed = 11;
  options.width_px = 360;
  options.height_px = 360;
  options.always_draw_structures = true;
  options.class_names = {"Marine waters", "Coniferous forest"};
  const SyntheticScene& scene = Scene(options);
  ASSERT_GT(ClassPixels(scene, "Marine waters"), 5000);
  ASSERT_GT(ClassPixels(scene, "Coniferous forest"), 5000);
  const ClassSignature sea = FindClassSignature("Marine waters").value();
  const ClassSignature forest = FindClassSignature("Coniferous forest").value();
  for (const char* name : {"B8A", "B07", "B09", "B01"}) {
    const S2Band& band = Band(scene, name);
    const int64_t f = band.resolution_m / 10;
    const size_t b = static_cast<size_t>(&band - scene.s2.data());
    int mixed = 0;
    int mixed_closer_to_mix = 0;
    double sum_xy = 0, sum_x = 0, sum_y = 0, sum_xx = 0, sum_yy = 0;
    int64_t blocks = 0;
    for (int64_t by = 0; by < band.height; ++by) {
      for (int64_t bx = 0; bx < band.width; ++bx) {
        int sea_pixels = 0;
        for (int64_t y = by * f; y < (by + 1) * f; ++y) {
          for (int64_t x = bx * f; x < (bx + 1) * f; ++x) {
            sea_pixels += scene.land_cover[static_cast<size_t>(y * scene.width + x)] == 0;
          }
        }
        const double share = static_cast<double>(sea_pixels) / static_cast<double>(f * f);
        const double predicted =
            share * sea.s2_reflectance[b] + (1.0 - share) * forest.s2_reflectance[b];
        const double actual = band.data[static_cast<size_t>(by * band.width + bx)] / 10000.0;
        sum_x += predicted;
        sum_y += actual;
        sum_xy += predicted * actual;
        sum_xx += predicted * predicted;
        sum_yy += actual * actual;
        ++blocks;
        if (share > 0.25 && share < 0.75) {
          ++mixed;
          const double nearest_pure =
              share > 0.5 ? sea.s2_reflectance[b] : forest.s2_reflectance[b];
          mixed_closer_to_mix += std::fabs(actual - predicted) < std::fabs(actual - nearest_pure);
        }
      }
    }
    const double n = static_cast<double>(blocks);
    const double corr =
        (sum_xy / n - sum_x * sum_y / (n * n)) /
        std::sqrt((sum_xx / n - sum_x * sum_x / (n * n)) * (sum_yy / n - sum_y * sum_y / (n * n)));
    EXPECT_GT(corr, 0.98) << name;
    ASSERT_GE(mixed, 5) << name;
    EXPECT_GE(mixed_closer_to_mix, 0.9 * mixed)
        << name << ": " << mixed_closer_to_mix << "/" << mixed;
  }
}

}  // namespace
}  // namespace mosaic::synth
