// Creating new model bundles. Torch-free, so front ends can call it.
#ifndef MOSAIC_MODEL_FACTORY_H_
#define MOSAIC_MODEL_FACTORY_H_

#include <cstdint>
#include <string>

#include "mosaic/export.h"
#include "mosaic/manifest.h"
#include "mosaic/status.h"

namespace mosaic {

// Builds the architecture `manifest` declares, initialises it from `seed`
// (deterministic on CPU: the same seed gives a byte-identical file) and writes
// it as a bundle to `path` atomically. The manifest is validated first.
MOSAIC_EXPORT Status WriteInitializedBundle(const std::string& path, const ModelManifest& manifest,
                                            uint64_t seed);

// Counts the trainable parameters of the architecture `manifest` declares.
MOSAIC_EXPORT StatusOr<int64_t> CountParameters(const ModelManifest& manifest);

}  // namespace mosaic

#endif  // MOSAIC_MODEL_FACTORY_H_
