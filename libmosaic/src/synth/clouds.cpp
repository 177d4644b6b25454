#include "synth/clouds.h"

#include <algorithm>
#include <cmath>

#include "synth/noise_field.h"
#include "synth/prng.h"

namespace mosaic::synth {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kMarginPx = 64;       // > the longest shadow offset
constexpr float kEdgeSoftness = 0.02f;  // noise units over which opacity ramps 0 -> 1

float SmoothStep(float t) {
  t = std::clamp(t, 0.0f, 1.0f);
  return t * t * (3.0f - 2.0f * t);
}

}  // namespace

const std::array<float, kNumS2Bands>& CloudReflectance() {
  static const std::array<float, kNumS2Bands> kCloud = {0.42f, 0.44f, 0.43f, 0.43f, 0.44f, 0.45f,
                                                        0.45f, 0.46f, 0.46f, 0.28f, 0.33f, 0.25f};
  return kCloud;
}

const std::array<float, kNumS2Bands>& ShadowTransmission() {
  static const std::array<float, kNumS2Bands> kShadow = {0.50f, 0.48f, 0.44f, 0.42f, 0.40f, 0.40f,
                                                         0.40f, 0.40f, 0.40f, 0.40f, 0.40f, 0.40f};
  return kShadow;
}

CloudLayer GenerateClouds(int64_t width, int64_t height, uint64_t seed, double cloud_fraction) {
  CloudLayer layer;
  const auto n = static_cast<size_t>(width * height);
  layer.mask.assign(n, 0);
  if (cloud_fraction <= 0.0) return layer;

  Rng rng(seed, Stream::kClouds);
  const double sun_azimuth = rng.Uniform(0.0, 2.0 * kPi);
  const double shadow_length = rng.Uniform(25.0, 60.0);
  const auto shadow_dx = static_cast<int64_t>(std::lround(shadow_length * std::cos(sun_azimuth)));
  const auto shadow_dy = static_cast<int64_t>(std::lround(shadow_length * std::sin(sun_azimuth)));

  // The noise covers the scene plus a margin, so clouds just outside the
  // scene can still cast shadows into it.
  const int64_t ew = width + 2 * kMarginPx;
  const int64_t eh = height + 2 * kMarginPx;
  const std::vector<float> noise =
      FbmField(ew, eh, Hash64(StreamSeed(seed, Stream::kClouds), 1), FbmParams{160.0, 6, 0.5});
  auto at = [&](int64_t x, int64_t y) {
    return noise[static_cast<size_t>((y + kMarginPx) * ew + (x + kMarginPx))];
  };
  std::vector<float> inside(n);
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) inside[static_cast<size_t>(y * width + x)] = at(x, y);
  }
  const float threshold = ThresholdAbove(inside, cloud_fraction);
  const bool overcast = cloud_fraction >= 1.0;
  auto opacity_of = [&](float v) {
    if (overcast) return 1.0f;
    return SmoothStep((v - threshold + kEdgeSoftness) / (2.0f * kEdgeSoftness));
  };

  layer.opacity.resize(n);
  layer.brightness.resize(n);
  layer.shadow.resize(n);
  for (int64_t y = 0; y < height; ++y) {
    for (int64_t x = 0; x < width; ++x) {
      const size_t i = static_cast<size_t>(y * width + x);
      const float v = inside[i];
      const float alpha = opacity_of(v);
      layer.opacity[i] = alpha;
      layer.brightness[i] = 0.85f + 0.3f * std::clamp((v - threshold) / 0.08f, 0.0f, 1.0f);
      // The shadow at p is cast by the cloud at p - offset (the offset points away from the sun).
      const int64_t sx = std::clamp<int64_t>(x - shadow_dx, -kMarginPx, width + kMarginPx - 1);
      const int64_t sy = std::clamp<int64_t>(y - shadow_dy, -kMarginPx, height + kMarginPx - 1);
      layer.shadow[i] = opacity_of(at(sx, sy));
      if (v > threshold || overcast) {
        layer.mask[i] = 1;
      } else if (layer.shadow[i] >= 0.5f) {
        layer.mask[i] = 2;
      }
    }
  }
  return layer;
}

}  // namespace mosaic::synth
