// gdal_MOSAIC.so: the part of the plugin that GDAL loads at start-up.
//
// It registers the MOSAIC driver (metadata, open options, Identify) and the
// "mosaic" VRT pixel function, and links nothing but GDAL: the model code is
// in mosaic_gdal_backend.so, loaded on first use (see backend_api.h). So a
// GDAL program that opens an ordinary GeoTIFF with this plugin installed pays
// for one small library and never initialises LibTorch.
#include <dlfcn.h>

#include <cstring>
#include <mutex>
#include <string>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>

#include "backend_api.h"
#include "driver_metadata.h"

extern "C" void CPL_DLL GDALRegister_MOSAIC();

namespace {

// Functions of the backend module, resolved once.
struct Backend {
  MosaicBackendOpenFn open = nullptr;
  MosaicBackendPixelFunctionFn pixel_function = nullptr;
  MosaicBackendPredictBufferFn predict_buffer = nullptr;
  MosaicBackendClassCountFn class_count = nullptr;
  std::string path;
  std::string error;  // why loading failed
};

std::string BackendPath() {
  const char* configured = CPLGetConfigOption("MOSAIC_GDAL_BACKEND", nullptr);
  if (configured != nullptr && configured[0] != '\0') return configured;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&GDALRegister_MOSAIC), &info) != 0 &&
      info.dli_fname != nullptr) {
    std::string self = info.dli_fname;
    const size_t slash = self.find_last_of('/');
    if (slash != std::string::npos) return self.substr(0, slash + 1) + MOSAIC_GDAL_BACKEND_FILE;
  }
  return MOSAIC_GDAL_BACKEND_FILE;
}

const Backend& LoadBackend() {
  static Backend backend;
  static std::once_flag once;
  std::call_once(once, [] {
    backend.path = BackendPath();
    CPLDebug("MOSAIC", "loading the backend %s", backend.path.c_str());
    // RTLD_LOCAL: the backend's LibTorch symbols stay out of the global scope.
    void* handle = dlopen(backend.path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      backend.error = why != nullptr ? why : "unknown dlopen error";
      return;
    }
    backend.open = reinterpret_cast<MosaicBackendOpenFn>(dlsym(handle, "MosaicBackendOpen"));
    backend.pixel_function =
        reinterpret_cast<MosaicBackendPixelFunctionFn>(dlsym(handle, "MosaicBackendPixelFunction"));
    backend.predict_buffer =
        reinterpret_cast<MosaicBackendPredictBufferFn>(dlsym(handle, "MosaicBackendPredictBuffer"));
    backend.class_count =
        reinterpret_cast<MosaicBackendClassCountFn>(dlsym(handle, "MosaicBackendClassCount"));
    if (backend.open == nullptr || backend.pixel_function == nullptr ||
        backend.predict_buffer == nullptr || backend.class_count == nullptr) {
      backend.error = "it lacks the MosaicBackend* entry points (version mismatch?)";
    }
  });
  if (!backend.error.empty()) {
    CPLError(CE_Failure, CPLE_AppDefined,
             "MOSAIC: cannot load the plugin's backend %s: %s (set the configuration option "
             "MOSAIC_GDAL_BACKEND to its path)",
             backend.path.c_str(), backend.error.c_str());
  }
  return backend;
}

int Identify(GDALOpenInfo* open_info) {
  return mosaic::gdal_driver::IdentifyMosaic(open_info->pszFilename, open_info->pabyHeader,
                                             open_info->nHeaderBytes)
             ? TRUE
             : FALSE;
}

GDALDataset* Open(GDALOpenInfo* open_info) {
  if (!Identify(open_info)) return nullptr;
  const Backend& backend = LoadBackend();
  if (backend.open == nullptr) return nullptr;
  return backend.open(open_info);
}

#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 4, 0)
CPLErr PixelFunction(void** sources, int source_count, void* data, int width, int height,
                     GDALDataType source_type, GDALDataType buffer_type, int pixel_space,
                     int line_space, CSLConstList args) {
  const Backend& backend = LoadBackend();
  if (backend.pixel_function == nullptr) return CE_Failure;
  return backend.pixel_function(sources, source_count, data, width, height, source_type,
                                buffer_type, pixel_space, line_space, args);
}
#endif

}  // namespace

namespace mosaic::gdal_driver {
// Used by the VRT processed-dataset step (processed_step.cpp, GDAL >= 3.9).
MosaicBackendPredictBufferFn BackendPredictBuffer() { return LoadBackend().predict_buffer; }
MosaicBackendClassCountFn BackendClassCount() { return LoadBackend().class_count; }
}  // namespace mosaic::gdal_driver

extern "C" void CPL_DLL GDALRegister_MOSAIC() {
  if (!GDAL_CHECK_VERSION("MOSAIC")) return;
  if (GDALGetDriverByName(mosaic::gdal_driver::kDriverName) != nullptr) return;

  auto* driver = new GDALDriver();
  mosaic::gdal_driver::SetDriverMetadata(driver);
  driver->pfnIdentify = Identify;
  driver->pfnOpen = Open;
  GetGDALDriverManager()->RegisterDriver(driver);

#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 4, 0)
  GDALAddDerivedBandPixelFuncWithArgs("mosaic", PixelFunction,
                                      mosaic::gdal_driver::kPixelFunctionMetadata);
#endif
  mosaic::gdal_driver::RegisterProcessedStep();
}
