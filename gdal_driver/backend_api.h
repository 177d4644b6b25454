// The C interface between the two modules of the GDAL plugin.
//
// gdal_MOSAIC.so (what GDAL loads from its plugin directory) links GDAL only:
// it registers the driver, the pixel function and their metadata, and
// identifies MOSAIC datasets. Everything that needs the model (libmosaic and
// LibTorch behind it) lives in mosaic_gdal_backend.so next to it, which the
// front module loads with dlopen the first time a MOSAIC dataset is opened or
// the pixel function runs. So GDAL sessions that never touch a MOSAIC dataset
// never load LibTorch (about 0.5 s of library loading and initialisation).
//
// All functions catch every exception and report errors through CPLError.
#ifndef MOSAIC_GDAL_DRIVER_BACKEND_API_H_
#define MOSAIC_GDAL_DRIVER_BACKEND_API_H_

#include <gdal.h>

#ifdef __cplusplus
class GDALDataset;
class GDALOpenInfo;
extern "C" {
#endif

// File name of the backend module, looked up in the folder of gdal_MOSAIC.so
// (the configuration option MOSAIC_GDAL_BACKEND gives another path).
#define MOSAIC_GDAL_BACKEND_FILE "mosaic_gdal_backend.so"

// Opens a dataset that the front module identified as MOSAIC. Returns nullptr
// after a CPLError on failure. Symbol: "MosaicBackendOpen".
typedef GDALDataset* (*MosaicBackendOpenFn)(GDALOpenInfo* open_info);

// The "mosaic" VRT pixel function (GDALDerivedPixelFuncWithArgs).
// Symbol: "MosaicBackendPixelFunction".
typedef CPLErr (*MosaicBackendPixelFunctionFn)(void** sources, int source_count, void* data,
                                               int width, int height, GDALDataType source_type,
                                               GDALDataType buffer_type, int pixel_space,
                                               int line_space, CSLConstList args);

// The computation behind the pixel function on an interleaved-by-band input
// buffer: `input` holds `input_bands` planes of width x height Float32 values
// (S2 bands, then S1 bands, in the model's order); writes every class plane
// into `output` ([classes, height, width], nodata -1) when `output_bands`
// equals the class count. `args`: the pixel function's arguments (model,
// stride, blend, edges, ...; "class" is ignored). Returns CE_None or
// CE_Failure after a CPLError. Symbol: "MosaicBackendPredictBuffer".
typedef CPLErr (*MosaicBackendPredictBufferFn)(const float* input, int input_bands, int width,
                                               int height, const double* geotransform,
                                               CSLConstList args, float* output, int output_bands);

// The number of classes of the model named by `args` ("model=..."), or -1
// after a CPLError. Symbol: "MosaicBackendClassCount".
typedef int (*MosaicBackendClassCountFn)(CSLConstList args);

#ifdef __cplusplus
}
#endif

#endif  // MOSAIC_GDAL_DRIVER_BACKEND_API_H_
