// mosaic:classify — per-class probability raster of a Sentinel-2 (+ Sentinel-1)
// scene, as `mosaic predict` writes it (one band per class, named after it).
#ifndef MOSAIC_QGIS_PLUGIN_CLASSIFY_ALGORITHM_H_
#define MOSAIC_QGIS_PLUGIN_CLASSIFY_ALGORITHM_H_

#include "mosaic_algorithm.h"

namespace mosaic::qgis {

class ClassifyAlgorithm final : public MosaicAlgorithm {
 public:
  QString name() const override;
  QString displayName() const override;
  QStringList tags() const override;
  QString shortHelpString() const override;
  ClassifyAlgorithm* createInstance() const override;

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

#endif  // MOSAIC_QGIS_PLUGIN_CLASSIFY_ALGORITHM_H_
