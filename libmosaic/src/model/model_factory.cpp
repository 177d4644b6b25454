#include "mosaic/model_factory.h"

#include "mosaic/model_bundle.h"

namespace mosaic {

Status WriteInitializedBundle(const std::string& path, const ModelManifest& manifest,
                              uint64_t seed) {
  MOSAIC_RETURN_IF_ERROR(ValidateManifest(manifest));
  try {
    torch::manual_seed(seed);
    nn::DualStreamModel model = BuildModel(manifest);
    return SaveModelBundle(path, manifest, model);
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("building the model failed: ") +
                            e.what_without_backtrace());
  }
}

StatusOr<int64_t> CountParameters(const ModelManifest& manifest) {
  MOSAIC_RETURN_IF_ERROR(ValidateManifest(manifest));
  try {
    nn::DualStreamModel model = BuildModel(manifest);
    int64_t count = 0;
    for (const auto& p : model->parameters()) count += p.numel();
    return count;
  } catch (const c10::Error& e) {
    return Status::Internal(std::string("building the model failed: ") +
                            e.what_without_backtrace());
  }
}

}  // namespace mosaic
