// Deterministic synthetic Sentinel-1 / Sentinel-2 scenes for tests, demos,
// experiments and the bundled sample model.
//
// A scene is a land-cover map with spatial structure (fields, forest stands,
// rivers and lakes, urban blocks, wetlands — not pixel noise) over a subset of
// the BigEarthNet-19 classes, rendered into
//   * Sentinel-2 L2A reflectance (uint16, ×10000) from per-class spectra with
//     within-class variation, each band at its native resolution (10/20/60 m),
//     optionally with clouds and their shadows;
//   * Sentinel-1 σ0 VV/VH in dB per class, with multiplicative gamma speckle
//     (GRD-like ENL) and an incidence-angle trend across the swath; clouds do
//     not affect it.
// Some class pairs are confusable in S2 but separable in S1 and vice versa, so
// a multi-modal objective has something to learn (see docs/synthetic-data.md).
//
// Torch-free and GDAL-free: pure computation. Writing GeoTIFFs and dataset
// layouts lives in the geo layer. Thread-safe (no shared state).
#ifndef MOSAIC_SYNTH_SCENE_GENERATOR_H_
#define MOSAIC_SYNTH_SCENE_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::synth {

struct SynthOptions {
  uint64_t seed = 0;         // same seed and options => byte-identical scene
  int64_t width_px = 1200;   // scene size on the 10 m grid; multiples of 6 keep
  int64_t height_px = 1200;  // the 20 m and 60 m grids aligned (required)
  // Classes to draw, by BigEarthNet-19 name; empty = all 19.
  std::vector<std::string> class_names;
  // Approximate share of the scene under cloud in S2 (0..1); shadows are cast
  // next to clouds. 0 = clear sky.
  double cloud_fraction = 0.0;
  // Speckle: equivalent number of looks of the gamma-distributed multiplicative
  // noise on linear σ0 (Sentinel-1 GRD IW is about 4.4).
  double s1_enl = 4.4;
  // Incidence angle across the swath, left column to right column (degrees).
  double incidence_near_deg = 30.0;
  double incidence_far_deg = 45.0;
  // false: the sea, towns, rivers and lakes each appear with a probability
  // (variety across a dataset). true: each is drawn whenever its class is in
  // class_names, so even a small scene shows every requested structure.
  bool always_draw_structures = false;
};

// One Sentinel-2 band at its native resolution.
struct S2Band {
  std::string name;       // "B01".."B12" (no B10)
  int resolution_m = 10;  // 10, 20 or 60
  int64_t width = 0;      // = scene width * 10 / resolution_m
  int64_t height = 0;
  std::vector<uint16_t> data;  // row-major reflectance ×10000
};

struct SyntheticScene {
  int64_t width = 0;  // 10 m pixels
  int64_t height = 0;
  std::vector<std::string> class_names;  // the classes drawn; land_cover indexes these
  std::vector<uint8_t> land_cover;       // [height * width] class index per 10 m pixel
  std::vector<S2Band> s2;                // the 12 L2A bands in BigEarthNet order
  std::vector<float> s1_vv;              // [height * width] σ0 in dB on the 10 m grid
  std::vector<float> s1_vh;              // [height * width] σ0 in dB
  std::vector<uint8_t> cloud_mask;       // [height * width] 0 clear, 1 cloud, 2 shadow
};

// Largest accepted width_px / height_px.
inline constexpr int64_t kMaxScenePx = 20000;

// OK, or InvalidArgument naming the offending option ("width_px: ..."):
// width_px / height_px not a positive multiple of 6 or above kMaxScenePx;
// class_names with a name outside BigEarthNet-19 or a duplicate; cloud_fraction
// outside [0, 1]; s1_enl not in (0, 1000]; incidence angles not in (0, 90).
MOSAIC_EXPORT Status ValidateSynthOptions(const SynthOptions& options);

// Generates a scene. InvalidArgument for sizes that are not positive multiples
// of 6 (or above 20000 px), unknown class names, or out-of-range options
// (see ValidateSynthOptions). Single-threaded; a 1200 x 1200 scene takes a
// fraction of a second. The result depends only on `options`: same options,
// byte-identical scene.
MOSAIC_EXPORT StatusOr<SyntheticScene> GenerateScene(const SynthOptions& options);

// Multi-hot labels of a window: a class is present when it covers at least
// `min_fraction` of the window's 10 m pixels. Indexes scene.class_names.
// REQUIRES: the window lies inside the scene.
MOSAIC_EXPORT std::vector<uint8_t> WindowLabels(const SyntheticScene& scene, int64_t x0, int64_t y0,
                                                int64_t size_px, double min_fraction);

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_SCENE_GENERATOR_H_
