#include "provider_registration.h"

#include <qgsapplication.h>
#include <qgsmessagelog.h>
#include <qgsprocessingregistry.h>

#include <QPointer>

#include "mosaic_provider.h"

namespace mosaic::qgis {
namespace {

// The provider this library added; the registry owns it (and may delete it
// on exit, which QPointer notices).
QPointer<MosaicProvider>& OwnedProvider() {
  static QPointer<MosaicProvider> provider;
  return provider;
}

}  // namespace

bool RegisterProvider() {
  QgsProcessingRegistry* registry = QgsApplication::processingRegistry();
  if (registry == nullptr) return false;
  if (registry->providerById(QLatin1String(kProviderId)) != nullptr) return true;
  auto* provider = new MosaicProvider();
  if (!registry->addProvider(provider)) {
    // Not deleted here: QGIS deletes a refused duplicate itself (impossible
    // after the check above) and keeps a provider that failed to load; a leak
    // is safer than a double delete across QGIS versions.
    QgsMessageLog::logMessage(QStringLiteral("Could not register the MoSAiC provider"),
                              QStringLiteral("MoSAiC"));
    return false;
  }
  OwnedProvider() = provider;
  return true;
}

void UnregisterProvider() {
  QgsProcessingRegistry* registry = QgsApplication::processingRegistry();
  MosaicProvider* provider = OwnedProvider().data();
  if (registry == nullptr || provider == nullptr) return;
  if (registry->providerById(QLatin1String(kProviderId)) == provider) {
    registry->removeProvider(provider);  // deletes it
  }
  OwnedProvider() = nullptr;
}

}  // namespace mosaic::qgis

extern "C" {

int mosaic_qgis_register_provider(void) { return mosaic::qgis::RegisterProvider() ? 1 : 0; }

void mosaic_qgis_unregister_provider(void) { mosaic::qgis::UnregisterProvider(); }

const char* mosaic_qgis_version(void) { return MOSAIC_QGIS_VERSION; }
}
