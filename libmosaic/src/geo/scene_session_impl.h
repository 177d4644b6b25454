// Private: what a SceneSession holds, shared with PredictScene.
#ifndef MOSAIC_GEO_SCENE_SESSION_IMPL_H_
#define MOSAIC_GEO_SCENE_SESSION_IMPL_H_

#include <memory>

#include "geo/scene_pipeline.h"
#include "geo/scene_sources.h"
#include "mosaic/geo/scene_session.h"
#include "mosaic/patch_classifier.h"

namespace mosaic::geo {

struct SceneSession::Impl {
  // Shared with a ScenePredictor when the session was opened through one.
  std::shared_ptr<const PatchClassifier> classifier;
  internal::ScenePlan plan;
  internal::PassSpec pass;  // tiling settings; no sinks, no window
  std::array<double, 6> output_geotransform{};
  int64_t embedding_dim = 0;
};

namespace internal {
// Opens sessions on an already opened model (ScenePredictor) and runs
// PredictScene on one; the model, device, precision and threads fields of the
// options are then ignored.
struct SessionAccess {
  static StatusOr<std::unique_ptr<SceneSession>> Open(
      const SceneInputs& inputs, const ScenePredictOptions& options,
      std::shared_ptr<const PatchClassifier> classifier);
  static StatusOr<ScenePredictResult> Predict(const SceneInputs& inputs,
                                              const ScenePredictOptions& options,
                                              std::shared_ptr<const PatchClassifier> classifier,
                                              const SceneProgress& progress);
};

// Opens the options' model on their device, precision and thread count.
StatusOr<std::unique_ptr<PatchClassifier>> OpenClassifier(const ScenePredictOptions& options);

// The geotransform of the coarse grid (pixel = stride cell).
std::array<double, 6> CoarseGeotransform(const ScenePlan& plan, int64_t stride);
}  // namespace internal

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_SCENE_SESSION_IMPL_H_
