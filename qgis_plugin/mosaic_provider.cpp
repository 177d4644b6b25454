#include "mosaic_provider.h"

#include <qgsapplication.h>

#include "classify_algorithm.h"
#include "embed_algorithm.h"
#include "label_scenes_algorithm.h"

namespace mosaic::qgis {

QString MosaicProvider::id() const { return QLatin1String(kProviderId); }

QString MosaicProvider::name() const { return QStringLiteral("MoSAiC"); }

QString MosaicProvider::longName() const {
  return QStringLiteral("MoSAiC multi-label Sentinel-1/2 scene classification (%1)")
      .arg(versionInfo());
}

QString MosaicProvider::versionInfo() const { return QStringLiteral(MOSAIC_QGIS_VERSION); }

QIcon MosaicProvider::icon() const {
  return QgsApplication::getThemeIcon(QStringLiteral("/mActionAddRasterLayer.svg"));
}

QString MosaicProvider::svgIconPath() const {
  return QgsApplication::iconPath(QStringLiteral("mActionAddRasterLayer.svg"));
}

QString MosaicProvider::helpId() const { return QLatin1String(kProviderId); }

QStringList MosaicProvider::supportedOutputRasterLayerExtensions() const {
  return {QStringLiteral("tif")};
}

QString MosaicProvider::defaultRasterFileExtension() const { return QStringLiteral("tif"); }

void MosaicProvider::loadAlgorithms() {
  addAlgorithm(new ClassifyAlgorithm());
  addAlgorithm(new EmbedAlgorithm());
  addAlgorithm(new LabelScenesAlgorithm());
}

}  // namespace mosaic::qgis
