// Private GDAL plumbing for the geo layer: one-time driver registration, RAII
// dataset handles, and per-thread capture of GDAL errors so that they become
// Status messages instead of stderr output.
#ifndef MOSAIC_GEO_GDAL_ENV_H_
#define MOSAIC_GEO_GDAL_ENV_H_

#include <gdal.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "mosaic/geo/raster.h"
#include "mosaic/status.h"

namespace mosaic::geo::internal {

// Registers all GDAL drivers once per process; thread-safe, cheap after the
// first call. Every entry point of the geo layer calls it.
void EnsureGdalRegistered();

// While alive, captures every GDAL error and warning raised on the calling
// thread (GDAL's handler stack is per thread) instead of printing them.
// Construct it before any dataset handle so that errors raised while closing
// the handle are captured too. Not copyable; use on one thread.
class GdalErrorCapture {
 public:
  GdalErrorCapture();
  ~GdalErrorCapture();
  GdalErrorCapture(const GdalErrorCapture&) = delete;
  GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;

  // The captured failure messages joined by "; " (warnings if there were no
  // failures); "" when GDAL reported nothing.
  std::string Message() const;
  bool HasFailure() const { return !failures_.empty(); }
  void Clear();

 private:
  static void CPL_STDCALL Handler(CPLErr error_class, CPLErrorNum number, const char* message);
  std::vector<std::string> failures_;
  std::vector<std::string> warnings_;
};

struct GdalDatasetCloser {
  void operator()(GDALDatasetH dataset) const;
};
// Owns a GDALDatasetH; closes it with GDALClose.
using GdalDatasetPtr = std::unique_ptr<std::remove_pointer_t<GDALDatasetH>, GdalDatasetCloser>;

// "<context>: <gdal message>" or just the context when GDAL said nothing.
std::string WithGdalMessage(const std::string& context, const GdalErrorCapture& errors);

// Opens a raster read-only. NotFound names the missing file; Corruption names
// the file and carries GDAL's reason.
StatusOr<GdalDatasetPtr> OpenRasterReadOnly(const std::string& path, GdalErrorCapture& errors);

GDALRIOResampleAlg ToGdalResampling(Resampling resampling);
// The name gdalwarp / gdal_translate use for -r.
const char* GdalResamplingArg(Resampling resampling);

// WKT (GDAL's default flavour) of an EPSG CRS; InvalidArgument for unknown codes.
StatusOr<std::string> EpsgToWkt(int epsg);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_GDAL_ENV_H_
