#include "mosaic/geo/scene_predictor.h"

#include "geo/scene_session_impl.h"

namespace mosaic::geo {

StatusOr<std::unique_ptr<ScenePredictor>> ScenePredictor::Open(const ScenePredictOptions& options) {
  if (options.model.empty()) return Status::InvalidArgument("--model: no model bundle given");
  ClassifierOptions classifier_options;
  classifier_options.device = options.device;
  classifier_options.num_threads = options.num_threads;
  classifier_options.precision = options.precision;
  StatusOr<std::unique_ptr<PatchClassifier>> classifier =
      PatchClassifier::Open(options.model, classifier_options);
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

}  // namespace mosaic::geo
