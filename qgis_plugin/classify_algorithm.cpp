#include "classify_algorithm.h"

#include <qgsexception.h>
#include <qgsprocessingcontext.h>
#include <qgsprocessingparameters.h>

namespace mosaic::qgis {
namespace {

constexpr char kOutputTypeParam[] = "OUTPUT_TYPE";

}  // namespace

QString ClassifyAlgorithm::name() const { return QStringLiteral("classify"); }

QString ClassifyAlgorithm::displayName() const {
  return QStringLiteral("Classify scene (multi-label probabilities)");
}

QStringList ClassifyAlgorithm::tags() const {
  return {QStringLiteral("mosaic"),      QStringLiteral("sentinel"),
          QStringLiteral("multi-label"), QStringLiteral("land cover"),
          QStringLiteral("probability"), QStringLiteral("classification")};
}

QString ClassifyAlgorithm::shortHelpString() const {
  return QStringLiteral(
      "Classifies a Sentinel-2 L2A scene, optionally with a co-located Sentinel-1 scene (any "
      "CRS: it is warped onto the Sentinel-2 grid), with a MoSAiC model bundle. The scene is cut "
      "into overlapping patches of the model's size; each patch's multi-label probabilities are "
      "blended into a raster on the Sentinel-2 grid with one band per class, named after the "
      "class.\n\n"
      "Sentinel-2 bands are matched by their descriptions (B02, B8A, ...), else taken in the "
      "model's band order. Pixels that are nodata or flagged by the validity mask (e.g. clouds in "
      "the SCL band) do not use Sentinel-2; such patches fall back to the Sentinel-1 head.\n\n"
      "Stride: the distance between patch origins in pixels; the overlap of neighbouring patches "
      "is the patch size minus the stride; 0 means half the patch (50 % overlap). Blending: the "
      "weight window of overlapping patches. Output type: Float32 "
      "(0..1, nodata -1) or Byte (0..254 with scale 1/254, nodata 255).\n\n"
      "Device: cpu, or cuda (the current GPU; LibTorch must have been built with CUDA).\n\n"
      "The numbers are those of `mosaic predict` with the same settings.");
}

ClassifyAlgorithm* ClassifyAlgorithm::createInstance() const { return new ClassifyAlgorithm(); }

void ClassifyAlgorithm::initAlgorithm(const QVariantMap& /*configuration*/) {
  AddSceneParameters();
  AddModelParameters();
  AddStrideParameter();
  AddBlendParameter();
  addParameter(new QgsProcessingParameterEnum(kOutputTypeParam, QStringLiteral("Output data type"),
                                              {QStringLiteral("Float32"), QStringLiteral("Byte")},
                                              false, 0));
  addParameter(new QgsProcessingParameterRasterDestination(kOutputParam,
                                                           QStringLiteral("Class probabilities")));
}

bool ClassifyAlgorithm::prepareAlgorithm(const QVariantMap& parameters,
                                         QgsProcessingContext& context,
                                         QgsProcessingFeedback* /*feedback*/) {
  ReadSceneInputs(parameters, context, &inputs_);
  ReadModelOptions(parameters, context, &options_);
  options_.type = parameterAsEnum(parameters, kOutputTypeParam, context) == 1
                      ? geo::ProbabilityType::kByte
                      : geo::ProbabilityType::kFloat32;
  options_.output = parameterAsOutputLayer(parameters, kOutputParam, context).toStdString();
  if (options_.output.empty()) {
    throw QgsProcessingException(QStringLiteral("No output file given (%1)").arg(kOutputParam));
  }
  return true;
}

QVariantMap ClassifyAlgorithm::processAlgorithm(const QVariantMap& /*parameters*/,
                                                QgsProcessingContext& /*context*/,
                                                QgsProcessingFeedback* feedback) {
  RunEngine(inputs_, options_, feedback);
  QVariantMap outputs;
  outputs.insert(kOutputParam, QString::fromStdString(options_.output));
  return outputs;
}

}  // namespace mosaic::qgis
