// Registering the MoSAiC provider with QGIS's processing registry, for the
// C++ plugin (RegisterProvider) and, through C entry points, for the Python
// plugin that qgis_process loads (ctypes; see python/mosaic_processing).
//
// REQUIRES: a QgsApplication whose initQgis() has run, and calls from the
// thread that owns it (the main thread).
#ifndef MOSAIC_QGIS_PLUGIN_PROVIDER_REGISTRATION_H_
#define MOSAIC_QGIS_PLUGIN_PROVIDER_REGISTRATION_H_

#define MOSAIC_QGIS_EXPORT __attribute__((visibility("default")))

namespace mosaic::qgis {

// Adds the provider `mosaic` to QgsApplication::processingRegistry(). True
// when it is registered afterwards, also when someone else (the other
// plugin) registered it first; false when there is no registry or QGIS
// refused it.
MOSAIC_QGIS_EXPORT bool RegisterProvider();

// Removes the provider if this library registered it (a provider registered
// by another copy of the plugin is left alone).
MOSAIC_QGIS_EXPORT void UnregisterProvider();

}  // namespace mosaic::qgis

extern "C" {
// C entry points: 1 on success, 0 on failure (as RegisterProvider).
MOSAIC_QGIS_EXPORT int mosaic_qgis_register_provider(void);
MOSAIC_QGIS_EXPORT void mosaic_qgis_unregister_provider(void);
// The library's version, e.g. "0.1.0".
MOSAIC_QGIS_EXPORT const char* mosaic_qgis_version(void);
}

#endif  // MOSAIC_QGIS_PLUGIN_PROVIDER_REGISTRATION_H_
