// Writing in-memory arrays as GeoTIFFs, and warping a GeoTIFF onto another
// grid or CRS (for the synthetic-data writers).
#ifndef MOSAIC_GEO_GEOTIFF_WRITER_H_
#define MOSAIC_GEO_GEOTIFF_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mosaic/geo/raster.h"
#include "mosaic/status.h"

namespace mosaic::geo::internal {

enum class PixelType { kByte, kUInt16, kFloat32 };

// A north-up grid: pixel (0, 0) has its upper-left corner at (origin_x,
// origin_y); square pixels of pixel_size CRS units.
struct RasterGrid {
  int64_t width = 0;
  int64_t height = 0;
  double origin_x = 0.0;
  double origin_y = 0.0;
  double pixel_size = 10.0;
  std::string crs_wkt;
};

struct TiffBand {
  const void* data = nullptr;  // row-major width * height values of the PixelType
  std::string description;
};

struct TiffLayout {
  // false: plain striped, uncompressed (as BigEarthNet's files);
  // true: 256 x 256 tiles, DEFLATE with a predictor.
  bool tiled_deflate = false;
  std::optional<double> nodata;
  std::vector<std::string> category_names;  // band 1's class names, if any
};

// Creates `path` (overwriting) with the given bands. IOError names the file.
Status WriteGeoTiff(const std::string& path, const RasterGrid& grid, PixelType type,
                    const std::vector<TiffBand>& bands, const TiffLayout& layout);

// Where WarpGeoTiff puts its output.
struct WarpTarget {
  int epsg = 0;  // target CRS
  // If set, the exact output grid (in the target CRS); otherwise GDAL chooses
  // extent and resolution.
  std::optional<RasterGrid> grid;
  Resampling resampling = Resampling::kBilinear;
};

// Warps `source` into a new tiled DEFLATE GeoTIFF `destination` with NaN as
// nodata (Float32 sources), keeping the band descriptions.
Status WarpGeoTiff(const std::string& source, const std::string& destination,
                   const WarpTarget& target, const std::vector<std::string>& band_descriptions);

}  // namespace mosaic::geo::internal

#endif  // MOSAIC_GEO_GEOTIFF_WRITER_H_
