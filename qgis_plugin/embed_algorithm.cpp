#include "embed_algorithm.h"

#include <qgsexception.h>
#include <qgsprocessingcontext.h>
#include <qgsprocessingparameters.h>

#include <QTemporaryDir>

namespace mosaic::qgis {

QString EmbedAlgorithm::name() const { return QStringLiteral("embed"); }

QString EmbedAlgorithm::displayName() const {
  return QStringLiteral("Embed scene (feature raster)");
}

QStringList EmbedAlgorithm::tags() const {
  return {QStringLiteral("mosaic"), QStringLiteral("sentinel"), QStringLiteral("embedding"),
          QStringLiteral("features"), QStringLiteral("representation")};
}

QString EmbedAlgorithm::shortHelpString() const {
  return QStringLiteral(
      "Computes the MoSAiC embedding of every patch of a Sentinel-2 (+ Sentinel-1) scene and "
      "writes it as a raster with one pixel per stride cell (the patch centred on the cell) and "
      "one Float32 band per embedding dimension; nodata is NaN. Where both sensors are used the "
      "embedding is the concatenation [S1, S2] / √2 of the two unit-norm projections, else the "
      "single sensor's projection.\n\n"
      "Use it for clustering, similarity search or as features for other classifiers. The inputs "
      "and the model, device and stride parameters are those of 'Classify scene'; the numbers "
      "are those of `mosaic predict --grid coarse --embedding-output`.");
}

EmbedAlgorithm* EmbedAlgorithm::createInstance() const { return new EmbedAlgorithm(); }

void EmbedAlgorithm::initAlgorithm(const QVariantMap& /*configuration*/) {
  AddSceneParameters();
  AddModelParameters();
  AddStrideParameter();
  addParameter(
      new QgsProcessingParameterRasterDestination(kOutputParam, QStringLiteral("Embeddings")));
}

bool EmbedAlgorithm::prepareAlgorithm(const QVariantMap& parameters, QgsProcessingContext& context,
                                      QgsProcessingFeedback* /*feedback*/) {
  ReadSceneInputs(parameters, context, &inputs_);
  ReadModelOptions(parameters, context, &options_);
  // One pass on the coarse grid yields the embeddings; the probabilities the
  // engine always writes go to a temporary file.
  options_.grid = geo::OutputGrid::kCoarse;
  options_.embedding_output =
      parameterAsOutputLayer(parameters, kOutputParam, context).toStdString();
  if (options_.embedding_output.empty()) {
    throw QgsProcessingException(QStringLiteral("No output file given (%1)").arg(kOutputParam));
  }
  return true;
}

QVariantMap EmbedAlgorithm::processAlgorithm(const QVariantMap& /*parameters*/,
                                             QgsProcessingContext& /*context*/,
                                             QgsProcessingFeedback* feedback) {
  QTemporaryDir scratch;
  if (!scratch.isValid()) {
    throw QgsProcessingException(
        QStringLiteral("Cannot create a temporary folder: %1").arg(scratch.errorString()));
  }
  geo::ScenePredictOptions options = options_;
  options.output = scratch.filePath(QStringLiteral("probabilities.tif")).toStdString();
  options.compress = "none";
  RunEngine(inputs_, options, feedback);
  QVariantMap outputs;
  outputs.insert(kOutputParam, QString::fromStdString(options_.embedding_output));
  return outputs;
}

}  // namespace mosaic::qgis
