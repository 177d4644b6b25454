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
  std::unique_ptr<PatchClassifier> classifier;
  internal::ScenePlan plan;
  internal::PassSpec pass;  // tiling settings; no sinks, no window
  std::array<double, 6> output_geotransform{};
  int64_t embedding_dim = 0;
};

namespace internal {
// The geotransform of the coarse grid (pixel = stride cell).
std::array<double, 6> CoarseGeotransform(const ScenePlan& plan, int64_t stride);
}  // namespace internal

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_SCENE_SESSION_IMPL_H_
