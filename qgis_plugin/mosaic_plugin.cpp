// libmosaicplugin.so: the C++ plugin QGIS desktop loads from its plugin
// folder (QgsApplication::pluginPath(), or a folder listed under Settings →
// Options → System → Plugin paths). Enabling it in the Plugin Manager
// registers the MoSAiC Processing provider; disabling it removes it.
//
// The plugin ABI of QGIS 3.x: the extern "C" functions classFactory, name,
// description, category, version, type, icon and unload.
#include <qgis.h>
#include <qgisplugin.h>

#include <QString>

#include "provider_registration.h"

namespace mosaic::qgis {
namespace {

const QString kName = QStringLiteral("MoSAiC");
const QString kDescription = QStringLiteral(
    "MoSAiC Processing provider: multi-label classification, embeddings and scene labels of "
    "Sentinel-1/2 scenes (mosaic:classify, mosaic:embed, mosaic:labelscenes)");
const QString kCategory = QStringLiteral("Raster");
const QString kVersion = QString::fromLatin1(mosaic_qgis_version());
const QString kIcon = QStringLiteral(":/images/themes/default/mActionAddRasterLayer.svg");
const QString kExperimental = QStringLiteral("false");

class MosaicPlugin final : public QgisPlugin {
 public:
  explicit MosaicPlugin(QgisInterface* /*iface*/)
      : QgisPlugin(kName, kDescription, kCategory, kVersion, QgisPlugin::UI) {}

  void initGui() override { RegisterProvider(); }
  void unload() override { UnregisterProvider(); }
};

}  // namespace
}  // namespace mosaic::qgis

QGISEXTERN QgisPlugin* classFactory(QgisInterface* iface) {
  return new mosaic::qgis::MosaicPlugin(iface);
}
QGISEXTERN const QString* name() { return &mosaic::qgis::kName; }
QGISEXTERN const QString* description() { return &mosaic::qgis::kDescription; }
QGISEXTERN const QString* category() { return &mosaic::qgis::kCategory; }
QGISEXTERN const QString* version() { return &mosaic::qgis::kVersion; }
QGISEXTERN const QString* icon() { return &mosaic::qgis::kIcon; }
QGISEXTERN const QString* experimental() { return &mosaic::qgis::kExperimental; }
QGISEXTERN int type() { return QgisPlugin::UI; }
QGISEXTERN void unload(QgisPlugin* plugin) { delete plugin; }
