// The model manifest: everything needed to use a model bundle's weights
// correctly — architecture, bands and their normalisation, classes, patch
// geometry, how it was trained and where it came from.
//
// The manifest travels as JSON inside the bundle (see docs/bundle-format.md).
// Torch-free: front ends (CLI, GDAL plugin, QGIS provider) read it directly.
#ifndef MOSAIC_MANIFEST_H_
#define MOSAIC_MANIFEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic {

// The bundle format version this build writes and the only one it reads.
inline constexpr int kBundleFormatVersion = 1;

// Encoder architectures a manifest may name.
MOSAIC_EXPORT const std::vector<std::string>& KnownEncoderNames();

// One modality's input stream. A modality the model does not have has an empty
// `encoder` and empty `bands`.
struct ModalitySpec {
  std::string encoder;              // "resnet18" | "resnet34" | "resnet50" | "small_cnn" | ""
  std::vector<std::string> bands;   // input channel order
  BandNormalization normalization;  // one mean/std per band, in physical units
  bool present() const { return !encoder.empty(); }
};

struct ModelManifest {
  int format_version = kBundleFormatVersion;
  std::string name;         // short identifier, e.g. "mosaic-sample-small"
  std::string description;  // free text for humans

  ModalitySpec s1;  // Sentinel-1 σ0 in dB
  ModalitySpec s2;  // Sentinel-2 L2A reflectance ×10000

  int64_t projection_dim = 128;
  int64_t projection_hidden_dim = 512;
  int64_t small_cnn_width = 32;  // used only by "small_cnn" encoders

  std::vector<std::string> class_names;  // one per output of the multi-label heads

  int64_t patch_size_px = 120;  // the patch side the model was trained on
  double pixel_size_m = 10.0;   // ground sampling distance of the input grid
  double patch_size_m() const { return static_cast<double>(patch_size_px) * pixel_size_m; }

  // How the weights were obtained: a JSON object (objective preset and its
  // weights, optimiser, epochs, label fraction, dataset, ...). "{}" if untrained.
  std::string training_json = "{}";
  // Where the bundle came from: a JSON object (created_utc, mosaic_version,
  // command, seed, dataset, notes, ...).
  std::string provenance_json = "{}";
};

// Checks every field for consistency: known encoders, valid band lists whose
// normalisation has one finite mean and one finite positive std per band, at
// least one modality, 1..1000 unique non-empty class names, sizes in range,
// training/provenance being JSON objects. The message names the offending field.
MOSAIC_EXPORT Status ValidateManifest(const ModelManifest& manifest);

// Serialises to pretty-printed JSON (2-space indent).
MOSAIC_EXPORT std::string ManifestToJson(const ModelManifest& manifest);

// Parses and validates. Unknown format versions give kUnsupported; wrong types,
// missing fields or inconsistent values give kCorruption/kInvalidArgument with
// the JSON path of the field, e.g. "manifest.s2.normalization.std[3]".
MOSAIC_EXPORT StatusOr<ModelManifest> ManifestFromJson(const std::string& json);

// A human-readable multi-line summary (what `mosaic info` prints).
MOSAIC_EXPORT std::string DescribeManifest(const ModelManifest& manifest);

}  // namespace mosaic

#endif  // MOSAIC_MANIFEST_H_
