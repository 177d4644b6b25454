#include "mosaic/synth/scene_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/label_sets.h"
#include "synth/scene_stats.h"

namespace mosaic::synth {
namespace {

using testing::ClassIndex;
using testing::Scene;

SynthOptions Small(uint64_t seed) {
  SynthOptions options;
  options.seed = seed;
  options.width_px = 240;
  options.height_px = 240;
  options.cloud_fraction = 0.2;
  return options;
}

void ExpectIdentical(const SyntheticScene& a, const SyntheticScene& b) {
  EXPECT_EQ(a.width, b.width);
  EXPECT_EQ(a.height, b.height);
  EXPECT_EQ(a.class_names, b.class_names);
  EXPECT_EQ(a.land_cover, b.land_cover);
  EXPECT_EQ(a.cloud_mask, b.cloud_mask);
  ASSERT_EQ(a.s2.size(), b.s2.size());
  for (size_t k = 0; k < a.s2.size(); ++k) {
    EXPECT_EQ(a.s2[k].name, b.s2[k].name);
    EXPECT_EQ(a.s2[k].data, b.s2[k].data) << a.s2[k].name;
  }
  // Bitwise, not ==, so that a NaN would not hide (and -0.0 would show).
  ASSERT_EQ(a.s1_vv.size(), b.s1_vv.size());
  ASSERT_EQ(a.s1_vh.size(), b.s1_vh.size());
  EXPECT_EQ(std::memcmp(a.s1_vv.data(), b.s1_vv.data(), a.s1_vv.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(a.s1_vh.data(), b.s1_vh.data(), a.s1_vh.size() * sizeof(float)), 0);
}

TEST(SceneGenerator, SameSeedIsByteIdentical) {
  StatusOr<SyntheticScene> a = GenerateScene(Small(42));
  StatusOr<SyntheticScene> b = GenerateScene(Small(42));
  ASSERT_TRUE(a.ok() && b.ok());
  ExpectIdentical(*a, *b);
}

TEST(SceneGenerator, DifferentSeedsDiffer) {
  StatusOr<SyntheticScene> a = GenerateScene(Small(1));
  StatusOr<SyntheticScene> b = GenerateScene(Small(2));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->land_cover, b->land_cover);
  EXPECT_NE(a->s1_vv, b->s1_vv);
  EXPECT_NE(a->s1_vh, b->s1_vh);
  EXPECT_NE(a->cloud_mask, b->cloud_mask);
  for (size_t k = 0; k < a->s2.size(); ++k) EXPECT_NE(a->s2[k].data, b->s2[k].data);
}

TEST(SceneGenerator, BuffersHaveContractShapes) {
  const SyntheticScene& scene = Scene(Small(3));
  const auto n = static_cast<size_t>(240 * 240);
  EXPECT_EQ(scene.width, 240);
  EXPECT_EQ(scene.height, 240);
  EXPECT_EQ(scene.class_names, BigEarthNet19Classes());
  EXPECT_EQ(scene.land_cover.size(), n);
  EXPECT_EQ(scene.s1_vv.size(), n);
  EXPECT_EQ(scene.s1_vh.size(), n);
  EXPECT_EQ(scene.cloud_mask.size(), n);
  for (uint8_t m : scene.cloud_mask) ASSERT_LE(m, 2);
  for (float v : scene.s1_vv) ASSERT_TRUE(std::isfinite(v));
  for (float v : scene.s1_vh) ASSERT_TRUE(std::isfinite(v));
}

TEST(SceneGenerator, S2BandsAreAtNativeResolution) {
  SynthOptions options = Small(4);
  options.width_px = 360;  // not square, to catch swapped axes
  options.height_px = 240;
  const SyntheticScene& scene = Scene(options);
  const std::vector<std::string> expected = ModalityBands(Modality::kS2);
  ASSERT_EQ(scene.s2.size(), expected.size());
  ASSERT_EQ(scene.s2.size(), static_cast<size_t>(kNumS2Bands));
  for (size_t k = 0; k < expected.size(); ++k) {
    const S2Band& band = scene.s2[k];
    EXPECT_EQ(band.name, expected[k]);
    StatusOr<BandInfo> info = FindBand(band.name);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(band.resolution_m, info->native_resolution_m) << band.name;
    EXPECT_EQ(band.width, 360 * 10 / band.resolution_m) << band.name;
    EXPECT_EQ(band.height, 240 * 10 / band.resolution_m) << band.name;
    EXPECT_EQ(band.data.size(), static_cast<size_t>(band.width * band.height)) << band.name;
  }
  EXPECT_EQ(testing::Band(scene, "B05").width, 180);  // 20 m = width / 2
  EXPECT_EQ(testing::Band(scene, "B09").width, 60);   // 60 m = width / 6
}

TEST(SceneGenerator, OnlyRequestedClassesAppear) {
  const std::vector<std::vector<std::string>> subsets = {
      {"Urban fabric", "Inland waters"},
      {"Marine waters", "Beaches, dunes, sands", "Arable land"},
      {"Coniferous forest", "Pastures", "Inland wetlands"},
      {"Transitional woodland, shrub", "Industrial or commercial units", "Coastal wetlands"},
  };
  for (const auto& subset : subsets) {
    for (bool always : {false, true}) {
      for (uint64_t seed : {1, 2, 3}) {
        SynthOptions options = Small(seed);
        options.class_names = subset;
        options.always_draw_structures = always;
        StatusOr<SyntheticScene> scene = GenerateScene(options);
        ASSERT_TRUE(scene.ok()) << scene.status().ToString();
        EXPECT_EQ(scene->class_names, subset);
        for (uint8_t c : scene->land_cover) ASSERT_LT(c, subset.size());
      }
    }
  }
}

TEST(SceneGenerator, RandomSubsetsStayInsideTheirClasses) {
  const std::vector<std::string>& all = BigEarthNet19Classes();
  for (uint64_t seed = 0; seed < 12; ++seed) {
    // A deterministic pseudo-random subset of 1..7 classes.
    std::vector<std::string> subset;
    uint64_t bits = seed * 0x9e3779b97f4a7c15ULL + 12345;
    const size_t size = 1 + seed % 7;
    for (size_t k = 0; subset.size() < size; ++k) {
      bits = bits * 6364136223846793005ULL + 1442695040888963407ULL;
      const std::string& name = all[(bits >> 33) % all.size()];
      if (std::find(subset.begin(), subset.end(), name) == subset.end()) subset.push_back(name);
    }
    SynthOptions options = Small(seed);
    options.class_names = subset;
    options.always_draw_structures = seed % 2 == 0;
    StatusOr<SyntheticScene> scene = GenerateScene(options);
    ASSERT_TRUE(scene.ok()) << scene.status().ToString();
    for (uint8_t c : scene->land_cover) ASSERT_LT(c, subset.size()) << "seed " << seed;
  }
}

TEST(SceneGenerator, SingleClassFillsTheScene) {
  for (const std::string& name : BigEarthNet19Classes()) {
    SynthOptions options = Small(5);
    options.class_names = {name};
    StatusOr<SyntheticScene> scene = GenerateScene(options);
    ASSERT_TRUE(scene.ok());
    for (uint8_t c : scene->land_cover) ASSERT_EQ(c, 0) << name;
  }
}

TEST(SceneGenerator, LandCoverFollowsCallerClassOrder) {
  SynthOptions options = Small(6);
  options.cloud_fraction = 0.0;
  options.always_draw_structures = true;
  options.class_names = {"Marine waters", "Arable land", "Broad-leaved forest"};
  const SyntheticScene& scene = Scene(options);
  ASSERT_GT(testing::ClassPixels(scene, "Marine waters"), 500);
  ASSERT_GT(testing::ClassPixels(scene, "Arable land"), 500);
  // Index 0 must be the sea: dark in VV and NIR.
  EXPECT_LT(testing::Mean(testing::S1Values(scene, scene.s1_vv, "Marine waters")), -18.0);
  EXPECT_GT(testing::Mean(testing::S1Values(scene, scene.s1_vv, "Arable land")), -16.0);
  EXPECT_LT(testing::Mean(testing::PureValues(scene, testing::Band(scene, "B08"), "Marine waters")),
            0.03);
}

TEST(SceneGenerator, AllClassScenesShowSeveralClasses) {
  for (uint64_t seed : {1, 2, 3}) {
    SynthOptions options;
    options.seed = seed;
    options.width_px = 600;
    options.height_px = 600;
    const SyntheticScene& scene = Scene(options);
    std::set<uint8_t> present(scene.land_cover.begin(), scene.land_cover.end());
    EXPECT_GE(present.size(), 8u) << "seed " << seed;
  }
}

// Land cover is made of patches, not pixel noise: almost every pixel has the
// same class as its right and lower neighbours.
TEST(SceneGenerator, LandCoverHasSpatialStructure) {
  for (uint64_t seed : {1, 2, 3}) {
    SynthOptions options;
    options.seed = seed;
    options.width_px = 600;
    options.height_px = 600;
    const SyntheticScene& scene = Scene(options);
    int64_t equal = 0;
    int64_t pairs = 0;
    for (int64_t y = 0; y + 1 < scene.height; ++y) {
      for (int64_t x = 0; x + 1 < scene.width; ++x) {
        const uint8_t here = scene.land_cover[static_cast<size_t>(y * scene.width + x)];
        equal += here == scene.land_cover[static_cast<size_t>(y * scene.width + x + 1)];
        equal += here == scene.land_cover[static_cast<size_t>((y + 1) * scene.width + x)];
        pairs += 2;
      }
    }
    EXPECT_GT(static_cast<double>(equal) / static_cast<double>(pairs), 0.95) << "seed " << seed;
  }
}

// BigEarthNet-like label statistics: 120 px (1.2 km) windows of full-size
// scenes carry a few labels each, rarely more than six.
TEST(SceneGenerator, WindowsCarryAFewLabels) {
  int64_t windows = 0;
  int64_t labels = 0;
  int64_t many = 0;
  for (uint64_t seed : {1, 2}) {
    SynthOptions options;
    options.seed = seed;  // 1200 x 1200 px, all classes
    const SyntheticScene& scene = Scene(options);
    for (int64_t y = 0; y + 120 <= scene.height; y += 120) {
      for (int64_t x = 0; x + 120 <= scene.width; x += 120) {
        const std::vector<uint8_t> multi_hot = WindowLabels(scene, x, y, 120, 0.01);
        int count = 0;
        for (uint8_t v : multi_hot) count += v;
        EXPECT_GE(count, 1);
        ++windows;
        labels += count;
        many += count > 6;
      }
    }
  }
  const double mean = static_cast<double>(labels) / static_cast<double>(windows);
  EXPECT_GT(mean, 1.5);
  EXPECT_LT(mean, 5.0);
  EXPECT_LE(static_cast<double>(many) / static_cast<double>(windows), 0.1);
}

TEST(WindowLabels, CountsClassesAboveMinFraction) {
  SyntheticScene scene;
  scene.width = 6;
  scene.height = 6;
  scene.class_names = {"a", "b", "c"};
  scene.land_cover.assign(36, 0);
  scene.land_cover[0] = 1;  // 1 of the 16 pixels of the 4x4 window at (0, 0)
  for (int x = 0; x < 4; ++x) scene.land_cover[static_cast<size_t>(3 * 6 + x)] = 2;  // a row of 4
  EXPECT_EQ(WindowLabels(scene, 0, 0, 4, 0.0), (std::vector<uint8_t>{1, 1, 1}));
  EXPECT_EQ(WindowLabels(scene, 0, 0, 4, 0.1), (std::vector<uint8_t>{1, 0, 1}));   // b: 1/16
  EXPECT_EQ(WindowLabels(scene, 0, 0, 4, 0.25), (std::vector<uint8_t>{1, 0, 1}));  // c: 4/16
  EXPECT_EQ(WindowLabels(scene, 0, 0, 4, 0.3), (std::vector<uint8_t>{1, 0, 0}));
  EXPECT_EQ(WindowLabels(scene, 2, 2, 4, 0.0), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(WindowLabels(scene, 0, 0, 2, 0.0), (std::vector<uint8_t>{1, 1, 0}));
}

TEST(SceneGenerator, InvalidOptionsNameTheOption) {
  struct Case {
    const char* option;
    SynthOptions options;
  };
  std::vector<Case> cases;
  auto add = [&](const char* option, auto mutate) {
    SynthOptions options = Small(1);
    mutate(options);
    cases.push_back({option, options});
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  add("width_px", [](SynthOptions& o) { o.width_px = 100; });
  add("width_px", [](SynthOptions& o) { o.width_px = 0; });
  add("width_px", [](SynthOptions& o) { o.width_px = -6; });
  add("width_px", [](SynthOptions& o) { o.width_px = kMaxScenePx + 6; });
  add("height_px", [](SynthOptions& o) { o.height_px = 121; });
  add("class_names", [](SynthOptions& o) { o.class_names = {"Arable land", "Snow"}; });
  add("class_names", [](SynthOptions& o) { o.class_names = {"Pastures", "Pastures"}; });
  add("s1_enl", [](SynthOptions& o) { o.s1_enl = 0.0; });
  add("s1_enl", [](SynthOptions& o) { o.s1_enl = -1.0; });
  add("s1_enl", [nan](SynthOptions& o) { o.s1_enl = nan; });
  add("cloud_fraction", [](SynthOptions& o) { o.cloud_fraction = -0.1; });
  add("cloud_fraction", [](SynthOptions& o) { o.cloud_fraction = 1.5; });
  add("cloud_fraction", [nan](SynthOptions& o) { o.cloud_fraction = nan; });
  add("incidence_near_deg", [](SynthOptions& o) { o.incidence_near_deg = 0.0; });
  add("incidence_far_deg", [](SynthOptions& o) { o.incidence_far_deg = 95.0; });
  for (const Case& c : cases) {
    StatusOr<SyntheticScene> scene = GenerateScene(c.options);
    ASSERT_FALSE(scene.ok()) << c.option;
    EXPECT_EQ(scene.status().code(), StatusCode::kInvalidArgument) << c.option;
    EXPECT_NE(scene.status().message().find(c.option), std::string::npos)
        << scene.status().message();
    EXPECT_EQ(ValidateSynthOptions(c.options).code(), StatusCode::kInvalidArgument);
  }
  SynthOptions unknown = Small(1);
  unknown.class_names = {"Snow"};
  EXPECT_NE(ValidateSynthOptions(unknown).message().find("'Snow'"), std::string::npos);
}

TEST(SceneGenerator, BoundaryOptionsAreAccepted) {
  SynthOptions options = Small(1);
  options.width_px = 6;
  options.height_px = 12;
  options.cloud_fraction = 1.0;
  options.s1_enl = 0.5;
  options.incidence_near_deg = 40.0;
  options.incidence_far_deg = 40.0;
  StatusOr<SyntheticScene> scene = GenerateScene(options);
  ASSERT_TRUE(scene.ok()) << scene.status().ToString();
  EXPECT_EQ(testing::Band(*scene, "B01").width, 1);
  EXPECT_EQ(testing::Band(*scene, "B01").height, 2);
}

}  // namespace
}  // namespace mosaic::synth
