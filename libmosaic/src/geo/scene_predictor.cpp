#include "mosaic/geo/scene_predictor.h"

#include "geo/scene_session_impl.h"

namespace mosaic::geo {

StatusOr<std::unique_ptr<ScenePredictor>> ScenePredictor::Open(const ScenePredictOptions& options) {
  if (options.model.empty()) return Status::InvalidArgument("--model: no model bundle given");
  StatusOr<std::unique_ptr<PatchClassifier>> classifier = internal::OpenClassifier(options);
  if (!classifier.ok()) return classifier.status();
  return std::unique_ptr<ScenePredictor>(
      new ScenePredictor(std::shared_ptr<const PatchClassifier>(std::move(*classifier))));
}

const ModelManifest& ScenePredictor::manifest() const { return classifier_->manifest(); }

StatusOr<ScenePredictResult> ScenePredictor::Predict(const SceneInputs& inputs,
                                                     const ScenePredictOptions& options,
                                                     const SceneProgress& progress) const {
  return internal::SessionAccess::Predict(inputs, options, classifier_, progress);
}

StatusOr<std::unique_ptr<SceneSession>> ScenePredictor::OpenSession(
    const SceneInputs& inputs, const ScenePredictOptions& options) const {
  return internal::SessionAccess::Open(inputs, options, classifier_);
}

}  // namespace mosaic::geo
