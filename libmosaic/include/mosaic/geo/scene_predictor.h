// A model opened once and run over many scenes: PredictScene
// (mosaic/geo/scene_predict.h) without reloading the bundle for every scene.
// For batch front ends (`mosaic batch`) that label thousands of scenes with
// one model per process.
//
// Thread-safety: Predict may be called from several threads at once (the
// model is shared read-only; each call has its own readers and writers), but
// GDAL's block cache bound (gdal_cache_mb) is process-wide.
#ifndef MOSAIC_GEO_SCENE_PREDICTOR_H_
#define MOSAIC_GEO_SCENE_PREDICTOR_H_

#include <memory>

#include "mosaic/export.h"
#include "mosaic/geo/scene_predict.h"
#include "mosaic/geo/scene_session.h"
#include "mosaic/manifest.h"
#include "mosaic/patch_classifier.h"
#include "mosaic/status.h"

namespace mosaic::geo {

class MOSAIC_EXPORT ScenePredictor {
 public:
  // Opens options.model on options.device with options.precision and
  // options.num_threads; the other fields are not used here. Errors: those of
  // PatchClassifier::Open, InvalidArgument for an empty model path.
  static StatusOr<std::unique_ptr<ScenePredictor>> Open(const ScenePredictOptions& options);

  const ModelManifest& manifest() const;

  // PredictScene(inputs, options, progress) with this predictor's model:
  // identical outputs, byte for byte. options.model, device, precision and
  // num_threads are ignored (the opened model's are used); every other field
  // and every error are as for PredictScene.
  StatusOr<ScenePredictResult> Predict(const SceneInputs& inputs,
                                       const ScenePredictOptions& options,
                                       const SceneProgress& progress = nullptr) const;

  // SceneSession::Open(inputs, options) with this predictor's model (shared,
  // not reloaded): for front ends that open many small scenes with one model,
  // e.g. the GDAL pixel function. The session may outlive the predictor.
  StatusOr<std::unique_ptr<SceneSession>> OpenSession(const SceneInputs& inputs,
                                                      const ScenePredictOptions& options) const;

 private:
  explicit ScenePredictor(std::shared_ptr<const PatchClassifier> classifier)
      : classifier_(std::move(classifier)) {}
  std::shared_ptr<const PatchClassifier> classifier_;
};

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_SCENE_PREDICTOR_H_
