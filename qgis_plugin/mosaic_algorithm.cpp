#include "mosaic_algorithm.h"

#include <qgsexception.h>
#include <qgsprocessingcontext.h>
#include <qgsprocessingfeedback.h>
#include <qgsprocessingparameters.h>
#include <qgsprocessingutils.h>
#include <qgsproperty.h>
#include <qgsrasterlayer.h>

#include <QFileInfo>
#include <QRegularExpression>
#include <QStringList>

#include <cstdlib>
#include <mutex>

#include "mosaic/bundle_format.h"
#include "mosaic/status.h"
#include "qgis_compat.h"

namespace mosaic::qgis {
namespace {

// Enum parameter options, in the order the dialogs list them.
const QStringList& DeviceOptions() {
  static const QStringList options = {QStringLiteral("cpu"), QStringLiteral("cuda")};
  return options;
}
const QStringList& HeadOptions() {
  static const QStringList options = {QStringLiteral("auto"), QStringLiteral("fused"),
                                      QStringLiteral("s1"), QStringLiteral("s2")};
  return options;
}
const QStringList& BlendOptions() {
  static const QStringList options = {QStringLiteral("uniform"), QStringLiteral("hann"),
                                      QStringLiteral("gaussian")};
  return options;
}
constexpr int kDefaultBlend = 1;  // hann, as ScenePredictOptions and `mosaic predict`

constexpr char kDefaultMaskValues[] = "0,1,3,8,9,10";  // SceneInputs' default (SCL)

QString FromStd(const std::string& text) { return QString::fromStdString(text); }

// "The model file" etc.: a parameter's label for messages.
QString Label(const QgsProcessingAlgorithm& algorithm, const QString& name) {
  const QgsProcessingParameterDefinition* definition = algorithm.parameterDefinition(name);
  return definition != nullptr ? definition->description() : name;
}

// The GDAL data source of a raster layer; throws for other providers.
QString GdalSource(const QgsMapLayer& layer, const QString& label) {
  if (layer.type() != QgsMapLayerType::RasterLayer ||
      layer.providerType() != QLatin1String("gdal")) {
    throw QgsProcessingException(
        QStringLiteral("%1: layer '%2' is not a GDAL raster (data provider '%3'); MoSAiC reads "
                       "rasters through GDAL (files, VRTs, GDAL connection strings)")
            .arg(label, layer.name(), layer.providerType()));
  }
  return layer.source();
}

}  // namespace

QString SampleModelPath() {
  QString dir;
  if (const char* env = std::getenv("MOSAIC_SAMPLE_DATA_DIR"); env != nullptr && *env != '\0') {
    dir = QString::fromLocal8Bit(env);
  } else {
    dir = QStringLiteral(MOSAIC_DEFAULT_SAMPLE_DIR);
  }
  const QString path = dir + QStringLiteral("/mosaic-sample.mosaic");
  return QFileInfo::exists(path) ? path : QString();
}

bool ParseMaskValues(const QString& text, std::vector<int>* values, QString* error) {
  values->clear();
  const QStringList items =
      text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
  for (const QString& item : items) {
    bool ok = false;
    const int value = item.toInt(&ok);
    if (!ok) {
      *error = QStringLiteral(
                   "'%1' is not an integer; expected mask values separated by "
                   "commas, e.g. '%2'")
                   .arg(item, QLatin1String(kDefaultMaskValues));
      return false;
    }
    values->push_back(value);
  }
  return true;
}

QString MosaicAlgorithm::group() const { return QStringLiteral("Scene classification"); }

QString MosaicAlgorithm::groupId() const { return QStringLiteral("scene"); }

void MosaicAlgorithm::AddSceneParameters() {
  addParameter(new QgsProcessingParameterRasterLayer(
      kS2Param, QStringLiteral("Sentinel-2 L2A raster (reflectance ×10000)")));
  addParameter(new QgsProcessingParameterRasterLayer(
      kS1Param, QStringLiteral("Sentinel-1 raster (VV, VH backscatter in dB)"), QVariant(),
      /*optional=*/true));
  addParameter(compat::Advanced(new QgsProcessingParameterRasterLayer(
      kS2MaskParam, QStringLiteral("Sentinel-2 validity mask, e.g. the scene classification (SCL)"),
      QVariant(), /*optional=*/true)));
  AddSceneOptionParameters();
}

void MosaicAlgorithm::AddSceneOptionParameters() {
  addParameter(compat::Advanced(new QgsProcessingParameterString(
      kS2MaskInvalidParam, QStringLiteral("Mask values that make a pixel Sentinel-2 nodata"),
      QLatin1String(kDefaultMaskValues), /*multiLine=*/false, /*optional=*/true)));
  addParameter(compat::Advanced(new QgsProcessingParameterBoolean(
      kS1LinearParam, QStringLiteral("Sentinel-1 values are linear σ0 (else dB)"), false)));
}

void MosaicAlgorithm::AddModelParameters() {
  // Optional, with the sample model as default and as the value when left
  // empty: QGIS 3.22's qgis_process reports a mandatory file parameter as
  // missing even when it has a default.
  const QString sample = SampleModelPath();
  addParameter(new QgsProcessingParameterFile(
      kModelParam, QStringLiteral("Model bundle (.mosaic; default: the bundled sample model)"),
      compat::kFileBehavior, QStringLiteral("mosaic"),
      sample.isEmpty() ? QVariant() : QVariant(sample), /*optional=*/true));
  addParameter(new QgsProcessingParameterEnum(kDeviceParam, QStringLiteral("Device"),
                                              DeviceOptions(), false, 0));
  addParameter(new QgsProcessingParameterNumber(
      kBatchSizeParam, QStringLiteral("Batch size (patches per inference call)"),
      compat::kIntegerNumber, 16, false, 1, 65536));
  addParameter(compat::Advanced(new QgsProcessingParameterEnum(
      kHeadParam, QStringLiteral("Classification head (auto: fused where both sensors are valid)"),
      HeadOptions(), false, 0)));
}

void MosaicAlgorithm::AddStrideParameter() {
  addParameter(new QgsProcessingParameterNumber(
      kStrideParam, QStringLiteral("Patch stride in pixels (0 = half the patch)"),
      compat::kIntegerNumber, 0, false, 0));
}

void MosaicAlgorithm::AddBlendParameter() {
  addParameter(new QgsProcessingParameterEnum(kBlendParam,
                                              QStringLiteral("Blending of overlapping patches"),
                                              BlendOptions(), false, kDefaultBlend));
}

bool MosaicAlgorithm::checkParameterValues(const QVariantMap& parameters,
                                           QgsProcessingContext& context, QString* message) const {
  if (!QgsProcessingAlgorithm::checkParameterValues(parameters, context, message)) return false;
  auto fail = [message](const QString& text) {
    if (message != nullptr) *message = text;
    return false;
  };
  if (parameterDefinition(kModelParam) != nullptr) {
    const QString model = ModelPath(parameters, context);
    if (model.isEmpty()) {
      return fail(QStringLiteral("%1: no model bundle given, and the sample model is not "
                                 "installed (set MOSAIC_SAMPLE_DATA_DIR to its folder)")
                      .arg(Label(*this, kModelParam)));
    }
    StatusOr<ModelManifest> manifest = ReadBundleManifest(model.toStdString());
    if (!manifest.ok()) {
      return fail(QStringLiteral("%1: %2").arg(Label(*this, kModelParam),
                                               FromStd(manifest.status().message())));
    }
    if (parameterDefinition(kStrideParam) != nullptr) {
      const int stride = parameterAsInt(parameters, kStrideParam, context);
      const int64_t patch = manifest->patch_size_px;
      if (stride < 0 || stride > patch) {
        return fail(QStringLiteral("%1: expected 0 (half the patch) or 1..%2 pixels for this "
                                   "model (its patches are %2 px), got %3")
                        .arg(Label(*this, kStrideParam))
                        .arg(patch)
                        .arg(stride));
      }
    }
  }
  if (parameterDefinition(kS2MaskInvalidParam) != nullptr) {
    std::vector<int> values;
    QString error;
    if (!ParseMaskValues(parameterAsString(parameters, kS2MaskInvalidParam, context), &values,
                         &error)) {
      return fail(QStringLiteral("%1: %2").arg(Label(*this, kS2MaskInvalidParam), error));
    }
  }
  return true;
}

QString MosaicAlgorithm::ModelPath(const QVariantMap& parameters,
                                   QgsProcessingContext& context) const {
  const QString model = parameterAsFile(parameters, kModelParam, context);
  return model.isEmpty() ? SampleModelPath() : model;
}

QString MosaicAlgorithm::RasterPath(const QVariantMap& parameters, const QString& name,
                                    QgsProcessingContext& context) const {
  QgsRasterLayer* layer = parameterAsRasterLayer(parameters, name, context);
  if (layer == nullptr) {
    const QgsProcessingParameterDefinition* definition = parameterDefinition(name);
    const bool given = parameters.contains(name) && parameters.value(name).isValid() &&
                       !parameters.value(name).toString().isEmpty();
    if (definition != nullptr && (definition->flags() & compat::kOptionalFlag) && !given) {
      return QString();
    }
    throw QgsProcessingException(QStringLiteral("%1: cannot open '%2' as a raster layer")
                                     .arg(Label(*this, name), parameters.value(name).toString()));
  }
  return GdalSource(*layer, Label(*this, name));
}

QStringList MosaicAlgorithm::RasterPathList(const QVariantMap& parameters, const QString& name,
                                            QgsProcessingContext& context) const {
  QVariant value = parameters.value(name);
  if (value.canConvert<QgsProperty>()) {
    value = value.value<QgsProperty>().value(context.expressionContext(), QVariant());
  }
  QVariantList items;
  if (value.type() == QVariant::List || value.type() == QVariant::StringList) {
    items = value.toList();
  } else if (value.canConvert<QObject*>() && value.value<QObject*>() != nullptr) {
    items = {value};
  } else {
    // One string: several sources are separated by ';' (as QGIS writes them).
    for (const QString& part : value.toString().split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
      items.push_back(part);
    }
  }
  QStringList paths;
  for (const QVariant& item : items) {
    QgsMapLayer* layer = qobject_cast<QgsMapLayer*>(item.value<QObject*>());
    if (layer == nullptr) {
      const QString text = item.toString();
      if (text.isEmpty()) continue;
      layer = QgsProcessingUtils::mapLayerFromString(text, context, true,
                                                     QgsProcessingUtils::LayerHint::Raster);
      if (layer == nullptr) {
        throw QgsProcessingException(
            QStringLiteral("%1: cannot open '%2' as a raster layer").arg(Label(*this, name), text));
      }
    }
    paths.push_back(GdalSource(*layer, Label(*this, name)));
  }
  return paths;
}

void MosaicAlgorithm::ReadSceneInputs(const QVariantMap& parameters, QgsProcessingContext& context,
                                      geo::SceneInputs* inputs) const {
  const QString s2 = RasterPath(parameters, kS2Param, context);
  const QString s1 = RasterPath(parameters, kS1Param, context);
  inputs->s2.clear();
  inputs->s1.clear();
  if (!s2.isEmpty()) inputs->s2.push_back(s2.toStdString());
  if (!s1.isEmpty()) inputs->s1.push_back(s1.toStdString());
  if (parameterDefinition(kS2MaskParam) != nullptr) {
    inputs->s2_mask = RasterPath(parameters, kS2MaskParam, context).toStdString();
  }
  ReadSceneOptions(parameters, context, inputs);
}

void MosaicAlgorithm::ReadSceneOptions(const QVariantMap& parameters, QgsProcessingContext& context,
                                       geo::SceneInputs* inputs) const {
  if (parameterDefinition(kS2MaskInvalidParam) != nullptr) {
    QString error;
    if (!ParseMaskValues(parameterAsString(parameters, kS2MaskInvalidParam, context),
                         &inputs->s2_mask_invalid_values, &error)) {
      throw QgsProcessingException(
          QStringLiteral("%1: %2").arg(Label(*this, kS2MaskInvalidParam), error));
    }
  }
  if (parameterDefinition(kS1LinearParam) != nullptr) {
    inputs->s1_linear = parameterAsBoolean(parameters, kS1LinearParam, context);
  }
}

void MosaicAlgorithm::ReadModelOptions(const QVariantMap& parameters, QgsProcessingContext& context,
                                       geo::ScenePredictOptions* options) const {
  QString message;
  if (!checkParameterValues(parameters, context, &message)) throw QgsProcessingException(message);
  options->model = ModelPath(parameters, context).toStdString();
  options->device =
      DeviceOptions()
          .value(parameterAsEnum(parameters, kDeviceParam, context), QStringLiteral("cpu"))
          .toStdString();
  options->batch_size = parameterAsInt(parameters, kBatchSizeParam, context);
  StatusOr<HeadChoice> head = ParseHeadChoice(
      HeadOptions()
          .value(parameterAsEnum(parameters, kHeadParam, context), QStringLiteral("auto"))
          .toStdString());
  if (!head.ok()) throw QgsProcessingException(FromStd(head.status().message()));
  options->head = *head;
  if (parameterDefinition(kStrideParam) != nullptr) {
    options->stride_px = parameterAsInt(parameters, kStrideParam, context);
  }
  if (parameterDefinition(kBlendParam) != nullptr) {
    StatusOr<geo::BlendWindow> blend = geo::ParseBlendWindow(
        BlendOptions()
            .value(parameterAsEnum(parameters, kBlendParam, context), QStringLiteral("hann"))
            .toStdString());
    if (!blend.ok()) throw QgsProcessingException(FromStd(blend.status().message()));
    options->blend = *blend;
  }
  // A destination the user picked in the dialog may exist: replace it (the
  // engine writes under a temporary name and renames when complete, so a
  // failed or cancelled run leaves an existing file untouched).
  options->overwrite = true;
}

geo::ScenePredictResult MosaicAlgorithm::RunEngine(const geo::SceneInputs& inputs,
                                                   const geo::ScenePredictOptions& options,
                                                   QgsProcessingFeedback* feedback, double begin,
                                                   double span) {
  // The engine may report from its worker threads; QgsFeedback::setProgress
  // and isCanceled are safe to call from any thread. Stage names are passed
  // on when they change.
  std::mutex stage_mutex;
  std::string last_stage;
  const geo::SceneProgress progress = [&](double fraction, const std::string& stage) {
    if (feedback == nullptr) return true;
    {
      std::lock_guard<std::mutex> lock(stage_mutex);
      if (stage != last_stage && !stage.empty()) {
        last_stage = stage;
        feedback->setProgressText(QStringLiteral("MoSAiC: %1").arg(FromStd(stage)));
      }
    }
    feedback->setProgress(100.0 * (begin + span * fraction));
    return !feedback->isCanceled();
  };
  StatusOr<geo::ScenePredictResult> result = geo::PredictScene(inputs, options, progress);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kCancelled ||
        (feedback != nullptr && feedback->isCanceled())) {
      throw QgsProcessingException(QStringLiteral("Cancelled; no output was written"));
    }
    throw QgsProcessingException(
        QStringLiteral("MoSAiC: %1").arg(FromStd(result.status().message())));
  }
  if (feedback != nullptr) {
    for (const std::string& notice : result->notices) {
      feedback->pushInfo(QStringLiteral("Notice: %1").arg(FromStd(notice)));
    }
    feedback->pushInfo(
        QStringLiteral("%1 patches inferred (fused %2, S1 only %3, S2 only %4), %5 skipped")
            .arg(result->patches_inferred)
            .arg(result->patches_by_head[0])
            .arg(result->patches_by_head[1])
            .arg(result->patches_by_head[2])
            .arg(result->patches_skipped));
  }
  return std::move(*result);
}

}  // namespace mosaic::qgis
