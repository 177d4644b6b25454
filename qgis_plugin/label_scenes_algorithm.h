// mosaic:labelscenes — scene-level labels of a list of scenes: runs the scene
// engine on every Sentinel-2 (+ Sentinel-1) pair and writes its summary
// (per-class area shares and mean probabilities, the labels) as one table
// row per scene (CSV, GeoPackage or any table format QGIS writes).
#ifndef MOSAIC_QGIS_PLUGIN_LABEL_SCENES_ALGORITHM_H_
#define MOSAIC_QGIS_PLUGIN_LABEL_SCENES_ALGORITHM_H_

#include <vector>

#include "mosaic_algorithm.h"

namespace mosaic::qgis {

class LabelScenesAlgorithm final : public MosaicAlgorithm {
 public:
  QString name() const override;
  QString displayName() const override;
  QStringList tags() const override;
  QString shortHelpString() const override;
  LabelScenesAlgorithm* createInstance() const override;
  bool checkParameterValues(const QVariantMap& parameters, QgsProcessingContext& context,
                            QString* message = nullptr) const override;

 protected:
  void initAlgorithm(const QVariantMap& configuration = QVariantMap()) override;
  bool prepareAlgorithm(const QVariantMap& parameters, QgsProcessingContext& context,
                        QgsProcessingFeedback* feedback) override;
  QVariantMap processAlgorithm(const QVariantMap& parameters, QgsProcessingContext& context,
                               QgsProcessingFeedback* feedback) override;

 private:
  std::vector<geo::SceneInputs> scenes_;
  geo::ScenePredictOptions options_;
};

}  // namespace mosaic::qgis

#endif  // MOSAIC_QGIS_PLUGIN_LABEL_SCENES_ALGORITHM_H_
