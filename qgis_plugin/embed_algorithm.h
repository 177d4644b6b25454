// mosaic:embed — the embedding raster of a scene: one pixel per stride cell,
// one Float32 band per embedding dimension (the engine's embedding_output).
#ifndef MOSAIC_QGIS_PLUGIN_EMBED_ALGORITHM_H_
#define MOSAIC_QGIS_PLUGIN_EMBED_ALGORITHM_H_

#include "mosaic_algorithm.h"

namespace mosaic::qgis {

class EmbedAlgorithm final : public MosaicAlgorithm {
 public:
  QString name() const override;
  QString displayName() const override;
  QStringList tags() const override;
  QString shortHelpString() const override;
  EmbedAlgorithm* createInstance() const override;

 protected:
  void initAlgorithm(const QVariantMap& configuration = QVariantMap()) override;
  bool prepareAlgorithm(const QVariantMap& parameters, QgsProcessingContext& context,
                        QgsProcessingFeedback* feedback) override;
  QVariantMap processAlgorithm(const QVariantMap& parameters, QgsProcessingContext& context,
                               QgsProcessingFeedback* feedback) override;

 private:
  geo::SceneInputs inputs_;
  geo::ScenePredictOptions options_;
};

}  // namespace mosaic::qgis

#endif  // MOSAIC_QGIS_PLUGIN_EMBED_ALGORITHM_H_
