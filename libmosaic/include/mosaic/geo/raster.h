// Reading single rasters through GDAL, without exposing GDAL types: probing a
// raster's size, bands, georeferencing and nodata, and reading bands as
// float32 resampled onto a requested pixel grid.
//
// Units: sizes and offsets are pixels; geotransforms and origins are in the
// units of the raster's CRS (metres for UTM).
// Thread-safety: every function may be called from several threads at once;
// each call opens its own GDAL dataset handle. GDAL errors never reach stderr:
// they are captured per thread and returned in the Status message, which always
// names the file.
#ifndef MOSAIC_GEO_RASTER_H_
#define MOSAIC_GEO_RASTER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/status.h"

namespace mosaic::geo {

// How a band is resampled when the output grid differs from the raster's own
// grid. kBilinear is the default for reflectance and backscatter; kNearest
// keeps source values exactly (each output pixel takes the source pixel that
// covers its centre).
enum class Resampling { kNearest, kBilinear, kCubic, kAverage };

// "nearest", "bilinear", "cubic", "average".
MOSAIC_EXPORT const char* ResamplingName(Resampling resampling);
// Parses a ResamplingName(); InvalidArgument listing the valid names otherwise.
MOSAIC_EXPORT StatusOr<Resampling> ParseResampling(const std::string& name);

// What GDAL knows about a raster without reading its pixels.
struct RasterInfo {
  std::string path;
  std::string driver;  // GDAL short driver name, e.g. "GTiff"
  int64_t width = 0;   // pixels
  int64_t height = 0;  // pixels
  int band_count = 0;
  std::vector<std::string> band_types;         // per band: GDAL type name, "UInt16", "Float32", ...
  std::vector<std::string> band_descriptions;  // per band; "" when the file has none
  std::vector<std::optional<double>> nodata;   // per band; nullopt when no nodata value is set
  // GDAL geotransform: x = gt[0] + col*gt[1] + row*gt[2], y = gt[3] + col*gt[4] + row*gt[5]
  // for the top-left corner of pixel (col, row), in CRS units.
  bool has_geotransform = false;
  std::array<double, 6> geotransform{};
  std::string crs_wkt;  // the CRS as WKT; "" when the raster has none
  int epsg = 0;         // EPSG code of the CRS when it names one, else 0
};

// Opens `path` read-only. NotFound if the file does not exist, Corruption if
// GDAL cannot read it as a raster.
MOSAIC_EXPORT StatusOr<RasterInfo> ProbeRaster(const std::string& path);

// How ReadRasterBands samples a raster.
struct BandReadOptions {
  // The output grid: the raster's full extent divided into out_width x
  // out_height pixels (pixel-is-area). Equal to the raster size => values are
  // copied exactly; otherwise `resampling` applies.
  int64_t out_width = 0;
  int64_t out_height = 0;
  Resampling resampling = Resampling::kBilinear;
  // If > 0, the raster must be exactly this size (pixels), else Corruption.
  int64_t expected_width = 0;
  int64_t expected_height = 0;
  // The source holds linear power (σ0); output is 10·log10(value) in dB, and
  // values <= 0 are invalid. Resampling happens before the conversion.
  bool linear_to_db = false;
};

// Reads the 1-based `bands` of the raster at `path` into `out`, laid out as
// [bands.size(), out_height, out_width] float32. Output pixels that are the
// band's nodata value, NaN or ±Inf (and <= 0 with linear_to_db) are replaced
// by the band's entry of `fill_values` (same length as `bands`).
// Returns the number of replaced values, counted on the output grid.
// Errors (the message names the file): NotFound (no such file), Corruption
// (not a readable raster, wrong size, too few bands, unreadable pixels),
// InvalidArgument (bad options).
// REQUIRES: `out` holds bands.size() * out_height * out_width floats.
MOSAIC_EXPORT StatusOr<int64_t> ReadRasterBands(const std::string& path,
                                                const std::vector<int>& bands,
                                                const std::vector<float>& fill_values,
                                                const BandReadOptions& options, float* out);

// True if this GDAL build has the named driver (e.g. "Parquet", "GTiff").
MOSAIC_EXPORT bool HasGdalDriver(const std::string& short_name);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_RASTER_H_
