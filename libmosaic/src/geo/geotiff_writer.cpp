#include "geo/geotiff_writer.h"

#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>

#include <cstdio>

#include "geo/gdal_env.h"

namespace mosaic::geo::internal {
namespace {

GDALDataType ToGdalType(PixelType type) {
  switch (type) {
    case PixelType::kByte:
      return GDT_Byte;
    case PixelType::kUInt16:
      return GDT_UInt16;
    case PixelType::kFloat32:
      return GDT_Float32;
  }
  return GDT_Float32;
}

std::string FormatNumber(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.10g", value);
  return buffer;
}

}  // namespace

Status WriteGeoTiff(const std::string& path, const RasterGrid& grid, PixelType type,
                    const std::vector<TiffBand>& bands, const TiffLayout& layout) {
  EnsureGdalRegistered();
  GdalErrorCapture errors;
  GDALDriverH driver = GDALGetDriverByName("GTiff");
  if (driver == nullptr) return Status::Internal("this GDAL has no GTiff driver");
  CPLStringList options;
  if (layout.tiled_deflate) {
    options.AddNameValue("TILED", "YES");
    options.AddNameValue("BLOCKXSIZE", "256");
    options.AddNameValue("BLOCKYSIZE", "256");
    options.AddNameValue("COMPRESS", "DEFLATE");
    options.AddNameValue("PREDICTOR", type == PixelType::kFloat32 ? "3" : "2");
  }
  const GDALDataType gdal_type = ToGdalType(type);
  {
    GdalDatasetPtr dataset(GDALCreate(driver, path.c_str(), static_cast<int>(grid.width),
                                      static_cast<int>(grid.height), static_cast<int>(bands.size()),
                                      gdal_type, options.List()));
    if (dataset == nullptr) {
      return Status::IOError(WithGdalMessage(path + ": cannot create GeoTIFF", errors));
    }
    double geotransform[6] = {grid.origin_x, grid.pixel_size, 0.0, grid.origin_y,
                              0.0,           -grid.pixel_size};
    GDALSetGeoTransform(dataset.get(), geotransform);
    if (!grid.crs_wkt.empty()) GDALSetProjection(dataset.get(), grid.crs_wkt.c_str());
    for (size_t b = 0; b < bands.size(); ++b) {
      GDALRasterBandH band = GDALGetRasterBand(dataset.get(), static_cast<int>(b) + 1);
      if (!bands[b].description.empty()) GDALSetDescription(band, bands[b].description.c_str());
      if (layout.nodata) GDALSetRasterNoDataValue(band, *layout.nodata);
      if (b == 0 && !layout.category_names.empty()) {
        CPLStringList names;
        for (const std::string& name : layout.category_names) names.AddString(name.c_str());
        GDALSetRasterCategoryNames(band, names.List());
      }
      const CPLErr err = GDALRasterIO(
          band, GF_Write, 0, 0, static_cast<int>(grid.width), static_cast<int>(grid.height),
          const_cast<void*>(bands[b].data), static_cast<int>(grid.width),
          static_cast<int>(grid.height), gdal_type, 0, 0);
      if (err != CE_None) {
        return Status::IOError(
            WithGdalMessage(path + ": writing band " + std::to_string(b + 1) + " failed", errors));
      }
    }
  }  // closes (and flushes) the dataset
  if (errors.HasFailure()) return Status::IOError(WithGdalMessage(path + ": write failed", errors));
  return Status::OK();
}

Status WarpGeoTiff(const std::string& source, const std::string& destination,
                   const WarpTarget& target, const std::vector<std::string>& band_descriptions) {
  EnsureGdalRegistered();
  GdalErrorCapture errors;
  StatusOr<GdalDatasetPtr> input = OpenRasterReadOnly(source, errors);
  if (!input.ok()) return input.status();
  CPLStringList args;
  for (const char* arg :
       {"-of", "GTiff", "-co", "TILED=YES", "-co", "BLOCKXSIZE=256", "-co", "BLOCKYSIZE=256", "-co",
        "COMPRESS=DEFLATE", "-co", "PREDICTOR=3", "-dstnodata", "nan", "-r"}) {
    args.AddString(arg);
  }
  args.AddString(GdalResamplingArg(target.resampling));
  args.AddString("-t_srs");
  args.AddString(("EPSG:" + std::to_string(target.epsg)).c_str());
  if (target.grid) {
    const RasterGrid& g = *target.grid;
    args.AddString("-te");
    args.AddString(FormatNumber(g.origin_x).c_str());
    args.AddString(FormatNumber(g.origin_y - g.pixel_size * static_cast<double>(g.height)).c_str());
    args.AddString(FormatNumber(g.origin_x + g.pixel_size * static_cast<double>(g.width)).c_str());
    args.AddString(FormatNumber(g.origin_y).c_str());
    args.AddString("-ts");
    args.AddString(std::to_string(g.width).c_str());
    args.AddString(std::to_string(g.height).c_str());
  }
  GDALWarpAppOptions* options = GDALWarpAppOptionsNew(args.List(), nullptr);
  if (options == nullptr) {
    return Status::Internal(WithGdalMessage(destination + ": bad warp options", errors));
  }
  GDALDatasetH sources[1] = {input->get()};
  int usage_error = 0;
  GdalDatasetPtr output(GDALWarp(destination.c_str(), nullptr, 1, sources, options, &usage_error));
  GDALWarpAppOptionsFree(options);
  if (output == nullptr) {
    return Status::IOError(
        WithGdalMessage(destination + ": warping " + source + " failed", errors));
  }
  for (size_t b = 0; b < band_descriptions.size(); ++b) {
    if (static_cast<int>(b) >= GDALGetRasterCount(output.get())) break;
    GDALSetDescription(GDALGetRasterBand(output.get(), static_cast<int>(b) + 1),
                       band_descriptions[b].c_str());
  }
  output.reset();
  if (errors.HasFailure()) {
    return Status::IOError(WithGdalMessage(destination + ": write failed", errors));
  }
  return Status::OK();
}

}  // namespace mosaic::geo::internal
