// Saving and loading a DualStreamModel together with its manifest.
//
// This header uses torch types: it is the researcher-facing C++ API. Front
// ends use the torch-free PatchClassifier (patch_classifier.h) instead.
#ifndef MOSAIC_MODEL_BUNDLE_H_
#define MOSAIC_MODEL_BUNDLE_H_

#include <string>

#include "mosaic/bundle_format.h"
#include "mosaic/manifest.h"
#include "mosaic/nn/dual_stream.h"
#include "mosaic/status.h"

namespace mosaic {

// The model options a manifest describes (encoders, channels = number of bands,
// classes, projection sizes).
nn::DualStreamModelOptions ModelOptionsFromManifest(const ModelManifest& manifest);

// A freshly initialised model with the manifest's architecture.
// REQUIRES: ValidateManifest(manifest).ok().
nn::DualStreamModel BuildModel(const ModelManifest& manifest);

// Writes the manifest and every parameter and buffer of `model` (on any
// device; copied to CPU) to `path`, atomically. Fails if the model does not
// have the manifest's architecture.
Status SaveModelBundle(const std::string& path, const ModelManifest& manifest,
                       const nn::DualStreamModel& model);

struct LoadedModel {
  ModelManifest manifest;
  nn::DualStreamModel model{nullptr};  // on CPU, in eval mode
};

// Reads and verifies the bundle (see ReadBundleFile), builds the architecture
// its manifest declares, and checks that the file holds exactly that model's
// tensors — every name present, no unknown name, identical shape and dtype —
// before copying any weight. Errors name the bundle and the offending tensor.
StatusOr<LoadedModel> LoadModelBundle(const std::string& path, const BundleReadLimits& limits = {});

}  // namespace mosaic

#endif  // MOSAIC_MODEL_BUNDLE_H_
