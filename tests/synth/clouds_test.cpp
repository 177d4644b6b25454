// Clouds and shadows: coverage, brightness, darkening, and no effect on S1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "mosaic/synth/scene_generator.h"
#include "synth/scene_stats.h"

namespace mosaic::synth {
namespace {

using testing::Scene;

SynthOptions Cloudy(double fraction) {
  SynthOptions options;
  options.seed = 31;
  options.width_px = 360;
  options.height_px = 360;
  options.cloud_fraction = fraction;
  return options;
}

double Share(const std::vector<uint8_t>& mask, uint8_t value) {
  return static_cast<double>(std::count(mask.begin(), mask.end(), value)) /
         static_cast<double>(mask.size());
}

// Mean of a band over the native pixels whose whole block has mask `value`.
double MaskedBandMean(const SyntheticScene& scene, const S2Band& band, uint8_t value) {
  const int64_t f = band.resolution_m / 10;
  double sum = 0.0;
  int64_t count = 0;
  for (int64_t by = 0; by < band.height; ++by) {
    for (int64_t bx = 0; bx < band.width; ++bx) {
      bool all = true;
      for (int64_t y = by * f; y < (by + 1) * f && all; ++y) {
        for (int64_t x = bx * f; x < (bx + 1) * f && all; ++x) {
          all = scene.cloud_mask[static_cast<size_t>(y * scene.width + x)] == value;
        }
      }
      if (!all) continue;
      sum += band.data[static_cast<size_t>(by * band.width + bx)] / 10000.0;
      ++count;
    }
  }
  return count ? sum / static_cast<double>(count) : -1.0;
}

TEST(Clouds, CoverTheRequestedFraction) {
  for (double fraction : {0.1, 0.3, 0.6}) {
    for (uint64_t seed : {31, 32}) {
      SynthOptions options = Cloudy(fraction);
      options.seed = seed;
      const SyntheticScene& scene = Scene(options);
      EXPECT_NEAR(Share(scene.cloud_mask, 1), fraction, 0.1) << fraction << " seed " << seed;
    }
  }
}

TEST(Clouds, ClearSkyAndOvercastAreExact) {
  EXPECT_EQ(Share(Scene(Cloudy(0.0)).cloud_mask, 0), 1.0);
  EXPECT_EQ(Share(Scene(Cloudy(1.0)).cloud_mask, 1), 1.0);
}

TEST(Clouds, CloudsAreBrightInEveryBand) {
  const SyntheticScene& scene = Scene(Cloudy(0.3));
  for (const S2Band& band : scene.s2) {
    const double cloud = MaskedBandMean(scene, band, 1);
    const double clear = MaskedBandMean(scene, band, 0);
    ASSERT_GE(cloud, 0.0) << band.name << ": no pure cloud block";
    EXPECT_GT(cloud, 0.2) << band.name;
    EXPECT_GT(cloud, clear + 0.02) << band.name;
  }
}

// True where no cloud pixel lies within `radius` px (clouds have soft, hazy
// edges that brighten their surroundings).
std::vector<uint8_t> FarFromClouds(const SyntheticScene& scene, int64_t radius) {
  std::vector<uint8_t> far(scene.cloud_mask.size(), 1);
  for (int64_t y = 0; y < scene.height; ++y) {
    for (int64_t x = 0; x < scene.width; ++x) {
      if (scene.cloud_mask[static_cast<size_t>(y * scene.width + x)] != 1) continue;
      for (int64_t yy = std::max<int64_t>(0, y - radius);
           yy <= std::min(scene.height - 1, y + radius); ++yy) {
        for (int64_t xx = std::max<int64_t>(0, x - radius);
             xx <= std::min(scene.width - 1, x + radius); ++xx) {
          far[static_cast<size_t>(yy * scene.width + xx)] = 0;
        }
      }
    }
  }
  return far;
}

TEST(Clouds, ShadowsAreDarkenedCopiesOfTheGround) {
  const SyntheticScene& cloudy = Scene(Cloudy(0.3));
  const SyntheticScene& clear = Scene(Cloudy(0.0));
  ASSERT_GT(Share(cloudy.cloud_mask, 2), 0.02);
  const std::vector<uint8_t> far = FarFromClouds(cloudy, 24);
  for (const char* name : {"B02", "B04", "B08", "B11"}) {
    const S2Band& shaded = testing::Band(cloudy, name);
    const S2Band& lit = testing::Band(clear, name);
    const int64_t f = shaded.resolution_m / 10;
    double sum_shaded = 0.0;
    double sum_lit = 0.0;
    for (int64_t y = 0; y < cloudy.height; y += f) {
      for (int64_t x = 0; x < cloudy.width; x += f) {
        const auto i = static_cast<size_t>(y * cloudy.width + x);
        if (cloudy.cloud_mask[i] != 2 || !far[i]) continue;
        const auto j = static_cast<size_t>((y / f) * shaded.width + x / f);
        sum_shaded += shaded.data[j];
        sum_lit += lit.data[j];
      }
    }
    const double ratio = sum_shaded / sum_lit;
    EXPECT_GT(ratio, 0.3) << name;
    EXPECT_LT(ratio, 0.65) << name;
  }
}

TEST(Clouds, LeaveSentinel1AndLandCoverUntouched) {
  const SyntheticScene& cloudy = Scene(Cloudy(0.6));
  const SyntheticScene& clear = Scene(Cloudy(0.0));
  EXPECT_EQ(cloudy.land_cover, clear.land_cover);
  ASSERT_EQ(cloudy.s1_vv.size(), clear.s1_vv.size());
  EXPECT_EQ(std::memcmp(cloudy.s1_vv.data(), clear.s1_vv.data(), clear.s1_vv.size() * 4), 0);
  EXPECT_EQ(std::memcmp(cloudy.s1_vh.data(), clear.s1_vh.data(), clear.s1_vh.size() * 4), 0);
}

TEST(Clouds, ClearPixelsAwayFromCloudsKeepTheirValues) {
  const SyntheticScene& cloudy = Scene(Cloudy(0.3));
  const SyntheticScene& clear = Scene(Cloudy(0.0));
  const S2Band& a = testing::Band(cloudy, "B02");
  const S2Band& b = testing::Band(clear, "B02");
  int64_t clear_pixels = 0;
  int64_t unchanged = 0;
  for (size_t i = 0; i < cloudy.cloud_mask.size(); ++i) {
    if (cloudy.cloud_mask[i] != 0) continue;
    ++clear_pixels;
    unchanged += a.data[i] == b.data[i];
  }
  ASSERT_GT(clear_pixels, 0);
  // Only thin haze at cloud edges and shadow fringes may differ.
  EXPECT_GT(static_cast<double>(unchanged) / static_cast<double>(clear_pixels), 0.8);
}

}  // namespace
}  // namespace mosaic::synth
