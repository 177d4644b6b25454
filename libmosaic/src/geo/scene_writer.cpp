#include "mosaic/geo/scene_writer.h"

#include <filesystem>

#include "geo/gdal_env.h"
#include "geo/geotiff_writer.h"
#include "geo/scene_checks.h"
#include "geo/staging_dir.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;
using internal::PixelType;
using internal::RasterGrid;
using internal::TiffLayout;

// The 20/60 m band repeated onto the 10 m grid (nearest neighbour, exact).
std::vector<uint16_t> RepeatTo10m(const synth::S2Band& band, int64_t width, int64_t height) {
  const int64_t factor = band.resolution_m / 10;
  std::vector<uint16_t> out(static_cast<size_t>(width * height));
  for (int64_t r = 0; r < height; ++r) {
    for (int64_t c = 0; c < width; ++c) {
      out[static_cast<size_t>(r * width + c)] =
          band.data[static_cast<size_t>((r / factor) * band.width + c / factor)];
    }
  }
  return out;
}

Status WriteS1(const synth::SyntheticScene& scene, const RasterGrid& grid,
               const SceneWriteOptions& options, const fs::path& dir, const std::string& final) {
  const S1GridOptions& s1 = options.s1_grid;
  const bool same_crs = s1.epsg == 0 || s1.epsg == options.georef.epsg;
  const bool warp = !same_crs || s1.shift_x_m != 0.0 || s1.shift_y_m != 0.0;
  TiffLayout layout;
  layout.tiled_deflate = true;
  const std::vector<internal::TiffBand> bands = {{scene.s1_vv.data(), "VV"},
                                                 {scene.s1_vh.data(), "VH"}};
  const std::string path = (dir / final).string();
  if (!warp) return internal::WriteGeoTiff(path, grid, PixelType::kFloat32, bands, layout);

  const std::string on_s2_grid = (dir / ".S1_on_S2_grid.tif").string();
  MOSAIC_RETURN_IF_ERROR(
      internal::WriteGeoTiff(on_s2_grid, grid, PixelType::kFloat32, bands, layout));
  internal::WarpTarget target;
  target.epsg = same_crs ? options.georef.epsg : s1.epsg;
  target.resampling = s1.resampling;
  if (same_crs) {
    RasterGrid shifted = grid;
    shifted.origin_x += s1.shift_x_m;
    shifted.origin_y += s1.shift_y_m;
    target.grid = shifted;
  }
  Status status = internal::WarpGeoTiff(on_s2_grid, path, target, {"VV", "VH"});
  std::error_code ec;
  fs::remove(on_s2_grid, ec);
  return status;
}

}  // namespace

StatusOr<SceneFiles> WriteSceneGeoTiffs(const synth::SyntheticScene& scene,
                                        const std::string& output_dir,
                                        const SceneWriteOptions& options) {
  MOSAIC_RETURN_IF_ERROR(internal::ValidateScene(scene));
  StatusOr<std::string> wkt = internal::EpsgToWkt(options.georef.epsg);
  if (!wkt.ok()) return wkt.status().WithContext("scene georeference");
  if (options.s1_grid.epsg != 0) {
    StatusOr<std::string> s1_wkt = internal::EpsgToWkt(options.s1_grid.epsg);
    if (!s1_wkt.ok()) return s1_wkt.status().WithContext("S1 grid");
  }
  StatusOr<internal::StagingDir> staging = internal::StagingDir::Create(output_dir);
  if (!staging.ok()) return staging.status();
  const fs::path dir = staging->path();

  RasterGrid grid;
  grid.width = scene.width;
  grid.height = scene.height;
  grid.origin_x = options.georef.origin_x_m;
  grid.origin_y = options.georef.origin_y_m;
  grid.pixel_size = 10.0;
  grid.crs_wkt = *wkt;
  TiffLayout tiled;
  tiled.tiled_deflate = true;

  SceneFiles files;
  files.dir = fs::path(output_dir).lexically_normal().string();
  std::vector<std::vector<uint16_t>> stack;
  std::vector<internal::TiffBand> stack_bands;
  for (const synth::S2Band& band : scene.s2) {
    RasterGrid native = grid;
    native.width = band.width;
    native.height = band.height;
    native.pixel_size = band.resolution_m;
    const std::string name = "S2_" + band.name + ".tif";
    MOSAIC_RETURN_IF_ERROR(internal::WriteGeoTiff((dir / name).string(), native, PixelType::kUInt16,
                                                  {{band.data.data(), band.name}}, tiled));
    files.s2_band_files.push_back((fs::path(files.dir) / name).string());
    stack.push_back(band.resolution_m == 10 ? band.data
                                            : RepeatTo10m(band, scene.width, scene.height));
  }
  for (size_t i = 0; i < stack.size(); ++i)
    stack_bands.push_back({stack[i].data(), scene.s2[i].name});
  MOSAIC_RETURN_IF_ERROR(internal::WriteGeoTiff((dir / "S2_stack_10m.tif").string(), grid,
                                                PixelType::kUInt16, stack_bands, tiled));
  files.s2_stack_10m = (fs::path(files.dir) / "S2_stack_10m.tif").string();

  MOSAIC_RETURN_IF_ERROR(WriteS1(scene, grid, options, dir, "S1_VV_VH.tif"));
  files.s1 = (fs::path(files.dir) / "S1_VV_VH.tif").string();

  TiffLayout land_cover = tiled;
  land_cover.category_names = scene.class_names;
  MOSAIC_RETURN_IF_ERROR(
      internal::WriteGeoTiff((dir / "land_cover.tif").string(), grid, PixelType::kByte,
                             {{scene.land_cover.data(), "land cover"}}, land_cover));
  files.land_cover = (fs::path(files.dir) / "land_cover.tif").string();

  const std::vector<uint8_t> clear(
      scene.cloud_mask.empty() ? static_cast<size_t>(scene.width * scene.height) : 0, 0);
  TiffLayout clouds = tiled;
  clouds.category_names = {"clear", "cloud", "shadow"};
  MOSAIC_RETURN_IF_ERROR(internal::WriteGeoTiff(
      (dir / "cloud_mask.tif").string(), grid, PixelType::kByte,
      {{scene.cloud_mask.empty() ? clear.data() : scene.cloud_mask.data(), "cloud mask"}}, clouds));
  files.cloud_mask = (fs::path(files.dir) / "cloud_mask.tif").string();

  MOSAIC_RETURN_IF_ERROR(staging->Commit());
  return files;
}

}  // namespace mosaic::geo
