// Writing a synthetic scene (mosaic/synth/scene_generator.h) as georeferenced
// whole-scene GeoTIFFs, so that scene-level tools (tiled inference, the GDAL
// driver, QGIS) can be run on data whose truth is known.
//
// Thread-safety: functions may run concurrently for different output folders.
// Output is all-or-nothing: files are written into a hidden staging folder
// next to `output_dir`, which is renamed to `output_dir` only when every file
// is complete; on error nothing is left behind.
#ifndef MOSAIC_GEO_SCENE_WRITER_H_
#define MOSAIC_GEO_SCENE_WRITER_H_

#include <string>
#include <vector>

#include "mosaic/export.h"
#include "mosaic/geo/raster.h"
#include "mosaic/status.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::geo {

// Where the scene's 10 m grid lies: a north-up grid in a projected CRS whose
// upper-left pixel has its upper-left corner at (origin_x_m, origin_y_m), in
// CRS units (metres). Pixel (col, row) covers x in [origin_x + 10 col,
// origin_x + 10 (col + 1)), y in (origin_y - 10 (row + 1), origin_y - 10 row].
struct GeoReference {
  int epsg = 32633;  // WGS 84 / UTM zone 33N
  double origin_x_m = 400000.0;
  double origin_y_m = 5400000.0;
};

// The grid of the Sentinel-1 file. Defaults put S1 on the S2 grid. A non-zero
// shift moves the grid by that many metres in the S2 CRS (e.g. 5, -5 = half
// a pixel); another EPSG code reprojects to that CRS (e.g. 4326, or the
// neighbouring UTM zone) with GDAL's warper, letting GDAL choose the output
// resolution. Either way the data are resampled (not just relabelled), and
// pixels outside the scene are NaN (the file's nodata value).
struct S1GridOptions {
  int epsg = 0;  // 0 = the S2 CRS
  double shift_x_m = 0.0;
  double shift_y_m = 0.0;
  Resampling resampling = Resampling::kBilinear;
};

struct SceneWriteOptions {
  GeoReference georef;
  S1GridOptions s1_grid;
};

// The files written, as paths inside the final output folder.
struct SceneFiles {
  std::string dir;
  // One GeoTIFF per S2 band at its native resolution (10/20/60 m), UInt16,
  // named S2_<band>.tif, in BigEarthNet band order.
  std::vector<std::string> s2_band_files;
  // S2_stack_10m.tif: the 12 bands on the 10 m grid (20/60 m bands repeated
  // by nearest neighbour, so values are exact), UInt16, band descriptions =
  // band names.
  std::string s2_stack_10m;
  // S1_VV_VH.tif: Float32 σ0 in dB, band 1 VV, band 2 VH.
  std::string s1;
  // land_cover.tif: Byte class index per 10 m pixel; the band's category
  // names are the scene's class names.
  std::string land_cover;
  // cloud_mask.tif: Byte 0 clear, 1 cloud, 2 shadow.
  std::string cloud_mask;
};

// Writes the scene into `output_dir`, which must not exist yet (its parent is
// created if needed). Every file is a tiled (256 x 256), DEFLATE-compressed
// GeoTIFF in the CRS of options.georef (S1 as options.s1_grid says).
// InvalidArgument for an inconsistent scene (buffer sizes, band list) or an
// existing output_dir; IOError/Internal (naming the file) if GDAL fails.
MOSAIC_EXPORT StatusOr<SceneFiles> WriteSceneGeoTiffs(const synth::SyntheticScene& scene,
                                                      const std::string& output_dir,
                                                      const SceneWriteOptions& options);

}  // namespace mosaic::geo

#endif  // MOSAIC_GEO_SCENE_WRITER_H_
