// What the front module (gdal_MOSAIC.so) declares to GDAL without loading the
// backend: the driver's metadata and open options, the cheap Identify test,
// the pixel function's argument list and the processed-dataset step.
#ifndef MOSAIC_GDAL_DRIVER_DRIVER_METADATA_H_
#define MOSAIC_GDAL_DRIVER_DRIVER_METADATA_H_

#include <gdal_priv.h>

#include "backend_api.h"

namespace mosaic::gdal_driver {

inline constexpr char kDriverName[] = "MOSAIC";
inline constexpr char kConnectionPrefix[] = "MOSAIC:";

// Sets the description, capabilities, long name, help topic, connection
// prefix and <OpenOptionList> of `driver`.
void SetDriverMetadata(GDALDriver* driver);

// True for "MOSAIC:..." connection strings and for files whose first bytes are
// a JSON object with a numeric "mosaic" member (a description file). Reads
// nothing but the header GDAL already holds.
bool IdentifyMosaic(const char* filename, const GByte* header, int header_bytes);

// <PixelFunctionArgumentsList> of the "mosaic" pixel function.
extern const char kPixelFunctionMetadata[];

// Registers the "MosaicPredict" VRT processed-dataset step where GDAL has
// them (>= 3.9); a no-op on older GDAL. processed_step.cpp.
void RegisterProcessedStep();

// Entry points of the backend, loading it on first use; nullptr after a
// CPLError if it cannot be loaded. register.cpp.
MosaicBackendPredictBufferFn BackendPredictBuffer();
MosaicBackendClassCountFn BackendClassCount();

}  // namespace mosaic::gdal_driver

#endif  // MOSAIC_GDAL_DRIVER_DRIVER_METADATA_H_
