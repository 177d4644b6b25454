// The per-class signatures the scene generator renders: mean Sentinel-2 L2A
// reflectance spectra, mean Sentinel-1 backscatter with its incidence-angle
// slope, and the class pairs that are deliberately confusable in one modality
// but separable in the other. docs/synthetic-data.md tabulates and explains
// them; tests/synth checks that generated scenes reproduce them.
// Torch-free and GDAL-free; thread-safe (immutable tables).
#ifndef MOSAIC_SYNTH_CLASS_SIGNATURES_H_
#define MOSAIC_SYNTH_CLASS_SIGNATURES_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::synth {

struct SynthOptions;

// The 12 L2A bands in BigEarthNet order (no B10), as in SyntheticScene::s2.
inline constexpr int kNumS2Bands = 12;

// Incidence angle (degrees) at which ClassSignature::s1_*_db are given.
inline constexpr double kReferenceIncidenceDeg = 37.5;

struct ClassSignature {
  std::string name;  // BigEarthNet-19 class name
  // Mean surface reflectance (0..1, not ×10000) per band, B01 B02 B03 B04 B05
  // B06 B07 B08 B8A B09 B11 B12. Rendered pixels vary around it (per field or
  // stand, texture, noise) and are scaled by 10000 into uint16.
  std::array<double, kNumS2Bands> s2_reflectance;
  // Mean σ0 (dB) at kReferenceIncidenceDeg, before speckle.
  double s1_vv_db;
  double s1_vh_db;
  // dσ0/dθ in dB per degree (both polarisations): σ0 falls off with incidence
  // angle, steeply for specular surfaces (water), gently for volume scatterers.
  double s1_incidence_slope_db_per_deg;
};

// All 19 signatures, in BigEarthNet19Classes() order.
MOSAIC_EXPORT const std::vector<ClassSignature>& ClassSignatures();

// The signature of a BigEarthNet-19 class; NotFound for any other name.
MOSAIC_EXPORT StatusOr<ClassSignature> FindClassSignature(const std::string& class_name);

// Two classes that are nearly identical in one modality (`confusable_in`) and
// clearly separable in the other.
struct ConfusablePair {
  std::string class_a;
  std::string class_b;
  Modality confusable_in;
  std::string reason;  // the physics behind it, one sentence
};

// The designed pairs: two or more confusable in S2 only and two or more in S1 only.
MOSAIC_EXPORT const std::vector<ConfusablePair>& ConfusablePairs();

// Incidence angle (degrees) at the centre of 10 m column `column` (0-based,
// may be fractional): linear from options.incidence_near_deg at the left edge
// to options.incidence_far_deg at the right edge of the scene.
MOSAIC_EXPORT double IncidenceAngleDeg(const SynthOptions& options, double column);

}  // namespace mosaic::synth

#endif  // MOSAIC_SYNTH_CLASS_SIGNATURES_H_
