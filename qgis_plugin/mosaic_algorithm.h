// MosaicAlgorithm: what the MoSAiC Processing algorithms share: the scene,
// model and tiling parameters, their validation, and running the scene engine
// (mosaic/geo/scene_predict.h) with QgsProcessingFeedback progress and
// cancellation.
//
// The algorithms hold no ML logic: they translate parameters into SceneInputs
// and ScenePredictOptions, exactly as `mosaic predict` translates its flags,
// so the same settings give the same numbers.
//
// Threading, as QGIS asks of algorithms: parameters are resolved in
// prepareAlgorithm() (the caller's thread, where layers may be touched);
// processAlgorithm() (possibly a background thread) only runs the engine on
// the file paths. createInstance() gives every run its own object.
#ifndef MOSAIC_QGIS_PLUGIN_MOSAIC_ALGORITHM_H_
#define MOSAIC_QGIS_PLUGIN_MOSAIC_ALGORITHM_H_

#include <qgsprocessingalgorithm.h>

#include <QString>
#include <QVariantMap>

#include "mosaic/geo/scene_predict.h"

class QgsProcessingContext;
class QgsProcessingFeedback;

namespace mosaic::qgis {

// Parameter names (what qgis_process and Python scripts pass).
inline constexpr char kS2Param[] = "S2";
inline constexpr char kS1Param[] = "S1";
inline constexpr char kS2MaskParam[] = "S2_MASK";
inline constexpr char kS2MaskInvalidParam[] = "S2_MASK_INVALID";
inline constexpr char kS1LinearParam[] = "S1_LINEAR";
inline constexpr char kModelParam[] = "MODEL";
inline constexpr char kDeviceParam[] = "DEVICE";
inline constexpr char kBatchSizeParam[] = "BATCH_SIZE";
inline constexpr char kHeadParam[] = "HEAD";
inline constexpr char kStrideParam[] = "STRIDE";
inline constexpr char kBlendParam[] = "BLEND";
inline constexpr char kOutputParam[] = "OUTPUT";

// The bundled sample model (MOSAIC_SAMPLE_DATA_DIR, else the source tree's
// sample_data/), or "" when it is not there.
QString SampleModelPath();

// Parses "0,1,3" / "0 1 3" into mask values; false with `error` set otherwise.
bool ParseMaskValues(const QString& text, std::vector<int>* values, QString* error);

class MosaicAlgorithm : public QgsProcessingAlgorithm {
 public:
  QString group() const override;
  QString groupId() const override;
  // Required parameters (QGIS's check), then the model file, the stride
  // against the model's patch size and the mask values; messages name the
  // parameter as the dialog shows it.
  bool checkParameterValues(const QVariantMap& parameters, QgsProcessingContext& context,
                            QString* message = nullptr) const override;

 protected:
  // S2 (required), S1 (optional); advanced: S2_MASK and AddSceneOptionParameters().
  void AddSceneParameters();
  // Advanced: S2_MASK_INVALID, S1_LINEAR.
  void AddSceneOptionParameters();
  // MODEL (optional; default and empty: the sample model), DEVICE, BATCH_SIZE; advanced: HEAD.
  void AddModelParameters();
  // STRIDE (0 = half the patch).
  void AddStrideParameter();
  // BLEND (uniform, hann, gaussian; default hann).
  void AddBlendParameter();

  // Reads S2, S1, S2_MASK, S2_MASK_INVALID and S1_LINEAR into `inputs`.
  // Throws QgsProcessingException with a clear message.
  void ReadSceneInputs(const QVariantMap& parameters, QgsProcessingContext& context,
                       geo::SceneInputs* inputs) const;
  // Reads S2_MASK_INVALID and S1_LINEAR into `inputs`. Throws QgsProcessingException.
  void ReadSceneOptions(const QVariantMap& parameters, QgsProcessingContext& context,
                        geo::SceneInputs* inputs) const;
  // Reads the model, device, tiling and (where the algorithm has them) mask
  // value parameters into `options`. Throws QgsProcessingException.
  void ReadModelOptions(const QVariantMap& parameters, QgsProcessingContext& context,
                        geo::ScenePredictOptions* options) const;

  // MODEL, or the sample model when it is empty ("" when neither exists).
  QString ModelPath(const QVariantMap& parameters, QgsProcessingContext& context) const;

  // The file behind a GDAL raster layer parameter ("" when the optional
  // parameter is not set). Throws for layers GDAL cannot read by name.
  QString RasterPath(const QVariantMap& parameters, const QString& name,
                     QgsProcessingContext& context) const;

  // The files behind a multiple-layer parameter, in the order given;
  // duplicates are kept (a list pairs with another list by position).
  QStringList RasterPathList(const QVariantMap& parameters, const QString& name,
                             QgsProcessingContext& context) const;

  // Runs the engine; progress goes to feedback as begin..begin+span of 100 %.
  // Throws QgsProcessingException on error and on cancellation (the engine
  // has then left no output behind).
  static geo::ScenePredictResult RunEngine(const geo::SceneInputs& inputs,
                                           const geo::ScenePredictOptions& options,
                                           QgsProcessingFeedback* feedback, double begin = 0.0,
                                           double span = 1.0);
};

}  // namespace mosaic::qgis

#endif  // MOSAIC_QGIS_PLUGIN_MOSAIC_ALGORITHM_H_
