// Clouds and cloud shadows over the Sentinel-2 part of a scene.
#ifndef MOSAIC_SYNTH_CLOUDS_H_
#define MOSAIC_SYNTH_CLOUDS_H_

#include <array>
#include <cstdint>
#include <vector>

#include "mosaic/synth/class_signatures.h"

namespace mosaic::synth {

struct CloudLayer {
  // [height * width] per 10 m pixel; empty when the sky is clear.
  std::vector<float> opacity;     // 0..1, how much of the surface the cloud hides
  std::vector<float> brightness;  // cloud-top brightness factor (thicker = brighter)
  std::vector<float> shadow;      // 0..1, shadow strength
  // [height * width] 0 clear, 1 cloud (opacity >= 0.5), 2 shadow (not cloud,
  // shadow >= 0.5). All zeros for a clear sky.
  std::vector<uint8_t> mask;

  bool clear() const { return opacity.empty(); }
};

// Cloud top reflectance (0..1) per S2 band: bright and nearly flat, lower in
// the water-vapour (B09) and SWIR bands.
const std::array<float, kNumS2Bands>& CloudReflectance();

// Fraction of clear-sky reflectance left in full shadow, per band (only
// diffuse skylight remains, which is bluer).
const std::array<float, kNumS2Bands>& ShadowTransmission();

// Smooth cloud blobs covering about `cloud_fraction` of the scene (mask == 1),
// with shadows cast 25-60 px away in one random direction. Clouds outside the
// scene may cast shadows into it. cloud_fraction <= 0 gives a clear sky.
CloudLayer GenerateClouds(int64_t width, int64_t height, uint64_t seed, double cloud_fraction);

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_CLOUDS_H_
