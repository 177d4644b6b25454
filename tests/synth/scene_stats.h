// Helpers for the synthetic-scene tests: cached scenes and per-class statistics.
#ifndef MOSAIC_TESTS_SYNTH_SCENE_STATS_H_
#define MOSAIC_TESTS_SYNTH_SCENE_STATS_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "mosaic/synth/class_signatures.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::synth::testing {

inline std::string OptionsKey(const SynthOptions& o) {
  std::ostringstream key;
  key << o.seed << '|' << o.width_px << 'x' << o.height_px << '|' << o.cloud_fraction << '|'
      << o.s1_enl << '|' << o.incidence_near_deg << '|' << o.incidence_far_deg << '|'
      << o.always_draw_structures;
  for (const std::string& name : o.class_names) key << '|' << name;
  return key.str();
}

// Generates a scene once per options per test binary (scenes are immutable).
inline const SyntheticScene& Scene(const SynthOptions& options) {
  static std::map<std::string, std::unique_ptr<SyntheticScene>> cache;
  std::unique_ptr<SyntheticScene>& slot = cache[OptionsKey(options)];
  if (!slot) {
    StatusOr<SyntheticScene> scene = GenerateScene(options);
    EXPECT_TRUE(scene.ok()) << scene.status().ToString();
    slot =
        std::make_unique<SyntheticScene>(scene.ok() ? std::move(scene).value() : SyntheticScene{});
  }
  return *slot;
}

// A 600 x 600 scene of all 19 classes with every structure drawn (sea, town,
// river, lake) and a clear sky: the reference for the physics tests.
inline SynthOptions PhysicsOptions() {
  SynthOptions options;
  options.seed = 1;
  options.width_px = 600;
  options.height_px = 600;
  options.always_draw_structures = true;
  return options;
}

inline int ClassIndex(const SyntheticScene& scene, const std::string& name) {
  const auto it = std::find(scene.class_names.begin(), scene.class_names.end(), name);
  return it == scene.class_names.end() ? -1 : static_cast<int>(it - scene.class_names.begin());
}

inline int64_t ClassPixels(const SyntheticScene& scene, const std::string& name) {
  const int c = ClassIndex(scene, name);
  return std::count(scene.land_cover.begin(), scene.land_cover.end(), static_cast<uint8_t>(c));
}

inline const S2Band& Band(const SyntheticScene& scene, const std::string& name) {
  for (const S2Band& band : scene.s2) {
    if (band.name == name) return band;
  }
  ADD_FAILURE() << "no band " << name;
  return scene.s2.front();
}

// Values of a band (reflectance 0..1 for S2) over the native-resolution pixels
// whose whole block of 10 m pixels is class `name` (and clear sky).
inline std::vector<double> PureValues(const SyntheticScene& scene, const S2Band& band,
                                      const std::string& name) {
  const int c = ClassIndex(scene, name);
  const int64_t f = band.resolution_m / 10;
  std::vector<double> out;
  for (int64_t by = 0; by < band.height; ++by) {
    for (int64_t bx = 0; bx < band.width; ++bx) {
      bool pure = true;
      for (int64_t y = by * f; y < (by + 1) * f && pure; ++y) {
        for (int64_t x = bx * f; x < (bx + 1) * f && pure; ++x) {
          const auto i = static_cast<size_t>(y * scene.width + x);
          pure = scene.land_cover[i] == c && scene.cloud_mask[i] == 0;
        }
      }
      if (pure) out.push_back(band.data[static_cast<size_t>(by * band.width + bx)] / 10000.0);
    }
  }
  return out;
}

// σ0 (dB) of the pixels of class `name`, optionally restricted to columns [x0, x1).
inline std::vector<double> S1Values(const SyntheticScene& scene, const std::vector<float>& s1,
                                    const std::string& name, int64_t x0 = 0, int64_t x1 = -1) {
  const int c = ClassIndex(scene, name);
  if (x1 < 0) x1 = scene.width;
  std::vector<double> out;
  for (int64_t y = 0; y < scene.height; ++y) {
    for (int64_t x = x0; x < x1; ++x) {
      const auto i = static_cast<size_t>(y * scene.width + x);
      if (scene.land_cover[i] == c) out.push_back(s1[i]);
    }
  }
  return out;
}

inline double Mean(const std::vector<double>& v) {
  double sum = 0.0;
  for (double x : v) sum += x;
  return v.empty() ? std::nan("") : sum / static_cast<double>(v.size());
}

inline double Variance(const std::vector<double>& v) {
  const double m = Mean(v);
  double sum = 0.0;
  for (double x : v) sum += (x - m) * (x - m);
  return v.size() < 2 ? std::nan("") : sum / static_cast<double>(v.size() - 1);
}

// |mean_a - mean_b| in units of the pooled within-class standard deviation.
inline double StandardizedGap(const std::vector<double>& a, const std::vector<double>& b) {
  const double pooled = std::sqrt(0.5 * (Variance(a) + Variance(b)));
  return std::fabs(Mean(a) - Mean(b)) / pooled;
}

// Root mean square of the standardized gaps over all bands of a modality.
inline double S2Distance(const SyntheticScene& scene, const std::string& a, const std::string& b) {
  double sum = 0.0;
  for (const S2Band& band : scene.s2) {
    const double gap = StandardizedGap(PureValues(scene, band, a), PureValues(scene, band, b));
    sum += gap * gap;
  }
  return std::sqrt(sum / static_cast<double>(scene.s2.size()));
}

inline double S1Distance(const SyntheticScene& scene, const std::string& a, const std::string& b) {
  const double vv =
      StandardizedGap(S1Values(scene, scene.s1_vv, a), S1Values(scene, scene.s1_vv, b));
  const double vh =
      StandardizedGap(S1Values(scene, scene.s1_vh, a), S1Values(scene, scene.s1_vh, b));
  return std::sqrt(0.5 * (vv * vv + vh * vh));
}

}  // namespace mosaic::synth::testing

#endif  // MOSAIC_TESTS_SYNTH_SCENE_STATS_H_
