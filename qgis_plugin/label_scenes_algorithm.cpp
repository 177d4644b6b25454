#include "label_scenes_algorithm.h"

#include <qgsexception.h>
#include <qgsfeature.h>
#include <qgsfeaturesink.h>
#include <qgsfields.h>
#include <qgsprocessingcontext.h>
#include <qgsprocessingfeedback.h>
#include <qgsprocessingparameters.h>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <memory>
#include <string>

#include "qgis_compat.h"

namespace mosaic::qgis {
namespace {

constexpr char kS2ScenesParam[] = "S2_SCENES";
constexpr char kS1ScenesParam[] = "S1_SCENES";
constexpr char kS2MasksParam[] = "S2_MASKS";
constexpr char kThresholdParam[] = "THRESHOLD";
constexpr char kMinShareParam[] = "LABEL_MIN_SHARE";

// One scene's row, read from the engine's summary JSON.
struct SceneRow {
  QString scene;
  QString s2;
  QString s1;
  QStringList labels;
  double valid_area_km2 = 0.0;
  double nodata_share = 0.0;
  std::vector<std::string> class_names;
  std::vector<double> area_shares;
  std::vector<double> mean_probabilities;
};

SceneRow ReadSummary(const QString& path) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    throw QgsProcessingException(QStringLiteral("Cannot read the scene summary %1").arg(path));
  }
  // Parsed with Qt: QGIS bundles a json_fwd.hpp of its own that clashes with
  // the system's nlohmann/json.hpp in one translation unit.
  QJsonParseError error;
  const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
  const QJsonObject j = document.object();
  if (error.error != QJsonParseError::NoError || !j.value("classes").isArray() ||
      !j.value("labels").isArray()) {
    throw QgsProcessingException(QStringLiteral("Malformed scene summary %1").arg(path));
  }
  SceneRow row;
  for (const QJsonValue& label : j.value("labels").toArray())
    row.labels.push_back(label.toString());
  row.valid_area_km2 = j.value("valid_area_km2").toDouble();
  row.nodata_share = j.value("nodata_share").toDouble();
  for (const QJsonValue& value : j.value("classes").toArray()) {
    const QJsonObject c = value.toObject();
    row.class_names.push_back(c.value("name").toString().toStdString());
    row.area_shares.push_back(c.value("area_share").toDouble());
    row.mean_probabilities.push_back(c.value("mean_probability").toDouble());
  }
  return row;
}

QString ShareField(const std::string& class_name) {
  return QStringLiteral("share %1").arg(QString::fromStdString(class_name));
}
QString MeanField(const std::string& class_name) {
  return QStringLiteral("mean %1").arg(QString::fromStdString(class_name));
}

}  // namespace

QString LabelScenesAlgorithm::name() const { return QStringLiteral("labelscenes"); }

QString LabelScenesAlgorithm::displayName() const {
  return QStringLiteral("Label scenes (scene-level labels table)");
}

QStringList LabelScenesAlgorithm::tags() const {
  return {QStringLiteral("mosaic"), QStringLiteral("sentinel"), QStringLiteral("multi-label"),
          QStringLiteral("scene"),  QStringLiteral("batch"),    QStringLiteral("summary")};
}

QString LabelScenesAlgorithm::shortHelpString() const {
  return QStringLiteral(
      "Labels a list of scenes: each Sentinel-2 raster, paired by position with the Sentinel-1 "
      "raster and the validity mask at the same position (both lists optional), is classified as "
      "in 'Classify scene', and the scene summary becomes one table row:\n"
      "- scene, s2, s1: the scene name (the Sentinel-2 file's base name) and the input files;\n"
      "- labels: the classes whose area share is at least the minimum label share, separated by "
      "'; ';\n"
      "- valid_km2, nodata_share: the classified area and the share of nodata pixels;\n"
      "- 'share' + the class name (e.g. 'share Arable land'): the share of the valid area whose "
      "probability of the class is at least "
      "the threshold;\n"
      "- 'mean' + the class name: the mean probability of the class over the valid area.\n\n"
      "The table is written when every scene is done (CSV, GeoPackage, ...); cancelling leaves "
      "no output. The numbers are those of `mosaic predict --summary` with the same settings.");
}

LabelScenesAlgorithm* LabelScenesAlgorithm::createInstance() const {
  return new LabelScenesAlgorithm();
}

void LabelScenesAlgorithm::initAlgorithm(const QVariantMap& /*configuration*/) {
  addParameter(new QgsProcessingParameterMultipleLayers(
      kS2ScenesParam, QStringLiteral("Sentinel-2 L2A rasters (one per scene)"),
      compat::kRasterType));
  addParameter(new QgsProcessingParameterMultipleLayers(
      kS1ScenesParam,
      QStringLiteral("Sentinel-1 rasters (one per scene, in the same order as Sentinel-2)"),
      compat::kRasterType, QVariant(), /*optional=*/true));
  addParameter(compat::Advanced(new QgsProcessingParameterMultipleLayers(
      kS2MasksParam, QStringLiteral("Sentinel-2 validity masks (one per scene, in the same order)"),
      compat::kRasterType, QVariant(), /*optional=*/true)));
  AddSceneOptionParameters();
  AddModelParameters();
  AddStrideParameter();
  AddBlendParameter();
  addParameter(new QgsProcessingParameterNumber(
      kThresholdParam, QStringLiteral("Probability from which a pixel counts towards a class"),
      compat::kDoubleNumber, 0.5, false, 0.0, 1.0));
  addParameter(new QgsProcessingParameterNumber(
      kMinShareParam,
      QStringLiteral("Minimum share of the valid area for a class to be a scene label"),
      compat::kDoubleNumber, 0.05, false, 0.0, 1.0));
  addParameter(new QgsProcessingParameterFeatureSink(kOutputParam, QStringLiteral("Scene labels"),
                                                     compat::kTableType));
}

bool LabelScenesAlgorithm::checkParameterValues(const QVariantMap& parameters,
                                                QgsProcessingContext& context,
                                                QString* message) const {
  if (!MosaicAlgorithm::checkParameterValues(parameters, context, message)) return false;
  try {
    const int s2 = RasterPathList(parameters, kS2ScenesParam, context).size();
    const int s1 = RasterPathList(parameters, kS1ScenesParam, context).size();
    const int masks = RasterPathList(parameters, kS2MasksParam, context).size();
    QString error;
    if (s2 == 0) {
      error = QStringLiteral("No Sentinel-2 scenes given (%1)").arg(kS2ScenesParam);
    } else if (s1 != 0 && s1 != s2) {
      error = QStringLiteral(
                  "%1 Sentinel-1 rasters for %2 Sentinel-2 scenes: give one per "
                  "scene, in the same order, or none")
                  .arg(s1)
                  .arg(s2);
    } else if (masks != 0 && masks != s2) {
      error = QStringLiteral(
                  "%1 validity masks for %2 Sentinel-2 scenes: give one per scene, "
                  "in the same order, or none")
                  .arg(masks)
                  .arg(s2);
    }
    if (!error.isEmpty()) {
      if (message != nullptr) *message = error;
      return false;
    }
  } catch (const QgsProcessingException& e) {
    if (message != nullptr) *message = e.what();
    return false;
  }
  return true;
}

bool LabelScenesAlgorithm::prepareAlgorithm(const QVariantMap& parameters,
                                            QgsProcessingContext& context,
                                            QgsProcessingFeedback* /*feedback*/) {
  QString message;
  if (!checkParameterValues(parameters, context, &message)) throw QgsProcessingException(message);
  const QStringList s2 = RasterPathList(parameters, kS2ScenesParam, context);
  const QStringList s1 = RasterPathList(parameters, kS1ScenesParam, context);
  const QStringList masks = RasterPathList(parameters, kS2MasksParam, context);
  geo::SceneInputs common;
  ReadSceneOptions(parameters, context, &common);
  scenes_.clear();
  for (int i = 0; i < s2.size(); ++i) {
    geo::SceneInputs scene = common;
    scene.s2 = {s2[i].toStdString()};
    if (!s1.isEmpty()) scene.s1 = {s1[i].toStdString()};
    if (!masks.isEmpty()) scene.s2_mask = masks[i].toStdString();
    scenes_.push_back(std::move(scene));
  }
  ReadModelOptions(parameters, context, &options_);
  options_.summary_threshold = parameterAsDouble(parameters, kThresholdParam, context);
  options_.label_min_share = parameterAsDouble(parameters, kMinShareParam, context);
  options_.compress = "none";  // the probability rasters are scratch files
  return true;
}

QVariantMap LabelScenesAlgorithm::processAlgorithm(const QVariantMap& parameters,
                                                   QgsProcessingContext& context,
                                                   QgsProcessingFeedback* feedback) {
  QTemporaryDir scratch;
  if (!scratch.isValid()) {
    throw QgsProcessingException(
        QStringLiteral("Cannot create a temporary folder: %1").arg(scratch.errorString()));
  }
  std::vector<SceneRow> rows;
  const double span = 1.0 / static_cast<double>(scenes_.size());
  for (size_t i = 0; i < scenes_.size(); ++i) {
    const geo::SceneInputs& scene = scenes_[i];
    const QString s2 = scene.s2.empty() ? QString() : QString::fromStdString(scene.s2[0]);
    const QString s1 = scene.s1.empty() ? QString() : QString::fromStdString(scene.s1[0]);
    if (feedback != nullptr) {
      feedback->pushInfo(
          QStringLiteral("Scene %1 of %2: %3").arg(i + 1).arg(scenes_.size()).arg(s2));
    }
    geo::ScenePredictOptions options = options_;
    const QString stem = QStringLiteral("scene%1").arg(i);
    options.output = scratch.filePath(stem + QStringLiteral(".tif")).toStdString();
    options.summary_output = scratch.filePath(stem + QStringLiteral(".json")).toStdString();
    RunEngine(scene, options, feedback, static_cast<double>(i) * span, span);
    SceneRow row = ReadSummary(QString::fromStdString(options.summary_output));
    row.scene = QFileInfo(s2).completeBaseName();
    row.s2 = s2;
    row.s1 = s1;
    rows.push_back(std::move(row));
    QFile::remove(QString::fromStdString(options.output));
  }

  // All scenes are done: only now is the table created, so that a cancelled
  // or failed run leaves nothing behind.
  QgsFields fields;
  fields.append(QgsField(QStringLiteral("scene"), compat::kStringField));
  fields.append(QgsField(QStringLiteral("s2"), compat::kStringField));
  fields.append(QgsField(QStringLiteral("s1"), compat::kStringField));
  fields.append(QgsField(QStringLiteral("labels"), compat::kStringField));
  fields.append(QgsField(QStringLiteral("valid_km2"), compat::kDoubleField));
  fields.append(QgsField(QStringLiteral("nodata_share"), compat::kDoubleField));
  const std::vector<std::string>& classes = rows.front().class_names;
  for (const std::string& name : classes)
    fields.append(QgsField(ShareField(name), compat::kDoubleField));
  for (const std::string& name : classes)
    fields.append(QgsField(MeanField(name), compat::kDoubleField));

  QString destination;
  std::unique_ptr<QgsFeatureSink> sink(parameterAsSink(parameters, kOutputParam, context,
                                                       destination, fields, compat::kNoGeometry,
                                                       QgsCoordinateReferenceSystem()));
  if (!sink) throw QgsProcessingException(invalidSinkError(parameters, kOutputParam));
  for (const SceneRow& row : rows) {
    QgsAttributes attributes;
    attributes << row.scene << row.s2 << row.s1 << row.labels.join(QStringLiteral("; "))
               << row.valid_area_km2 << row.nodata_share;
    for (double share : row.area_shares) attributes << share;
    for (double mean : row.mean_probabilities) attributes << mean;
    QgsFeature feature(fields);
    feature.setAttributes(attributes);
    if (!sink->addFeature(feature, QgsFeatureSink::FastInsert)) {
      throw QgsProcessingException(writeFeatureError(sink.get(), parameters, kOutputParam));
    }
  }
  if (feedback != nullptr) feedback->setProgress(100.0);
  QVariantMap outputs;
  outputs.insert(kOutputParam, destination);
  return outputs;
}

}  // namespace mosaic::qgis
