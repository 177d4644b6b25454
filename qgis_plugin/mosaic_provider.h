// MosaicProvider: the Processing provider `mosaic` ("MoSAiC" in the
// Processing Toolbox) with the algorithms mosaic:classify, mosaic:embed and
// mosaic:labelscenes.
#ifndef MOSAIC_QGIS_PLUGIN_MOSAIC_PROVIDER_H_
#define MOSAIC_QGIS_PLUGIN_MOSAIC_PROVIDER_H_

#include <qgsprocessingprovider.h>

namespace mosaic::qgis {

inline constexpr char kProviderId[] = "mosaic";

class MosaicProvider final : public QgsProcessingProvider {
 public:
  QString id() const override;
  QString name() const override;
  QString longName() const override;
  QString versionInfo() const override;
  QIcon icon() const override;
  QString svgIconPath() const override;
  QString helpId() const override;
  // The algorithms write GeoTIFF only.
  QStringList supportedOutputRasterLayerExtensions() const override;
  QString defaultRasterFileExtension() const override;

 protected:
  void loadAlgorithms() override;
};

}  // namespace mosaic::qgis

#endif  // MOSAIC_QGIS_PLUGIN_MOSAIC_PROVIDER_H_
