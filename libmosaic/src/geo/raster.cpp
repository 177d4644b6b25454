#include "mosaic/geo/raster.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "geo/gdal_env.h"

namespace mosaic::geo {
namespace {

std::string SizeText(int64_t width, int64_t height) {
  return std::to_string(width) + " x " + std::to_string(height) + " px";
}

}  // namespace

const char* ResamplingName(Resampling resampling) {
  switch (resampling) {
    case Resampling::kNearest:
      return "nearest";
    case Resampling::kBilinear:
      return "bilinear";
    case Resampling::kCubic:
      return "cubic";
    case Resampling::kAverage:
      return "average";
  }
  return "bilinear";
}

StatusOr<Resampling> ParseResampling(const std::string& name) {
  for (Resampling r :
       {Resampling::kNearest, Resampling::kBilinear, Resampling::kCubic, Resampling::kAverage}) {
    if (name == ResamplingName(r)) return r;
  }
  return Status::InvalidArgument("unknown resampling '" + name +
                                 "': expected nearest, bilinear, cubic or average");
}

bool HasGdalDriver(const std::string& short_name) {
  internal::EnsureGdalRegistered();
  return GDALGetDriverByName(short_name.c_str()) != nullptr;
}

StatusOr<RasterInfo> ProbeRaster(const std::string& path) {
  internal::GdalErrorCapture errors;
  StatusOr<internal::GdalDatasetPtr> dataset = internal::OpenRasterReadOnly(path, errors);
  if (!dataset.ok()) return dataset.status();
  GDALDatasetH ds = dataset->get();

  RasterInfo info;
  info.path = path;
  GDALDriverH driver = GDALGetDatasetDriver(ds);
  if (driver != nullptr) info.driver = GDALGetDriverShortName(driver);
  info.width = GDALGetRasterXSize(ds);
  info.height = GDALGetRasterYSize(ds);
  info.band_count = GDALGetRasterCount(ds);
  for (int b = 1; b <= info.band_count; ++b) {
    GDALRasterBandH band = GDALGetRasterBand(ds, b);
    info.band_types.push_back(GDALGetDataTypeName(GDALGetRasterDataType(band)));
    const char* description = GDALGetDescription(band);
    info.band_descriptions.push_back(description != nullptr ? description : "");
    int has_nodata = 0;
    const double nodata = GDALGetRasterNoDataValue(band, &has_nodata);
    info.nodata.push_back(has_nodata ? std::optional<double>(nodata) : std::nullopt);
  }
  double gt[6];
  if (GDALGetGeoTransform(ds, gt) == CE_None) {
    info.has_geotransform = true;
    for (int i = 0; i < 6; ++i) info.geotransform[i] = gt[i];
  }
  OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
  if (srs != nullptr) {
    char* wkt = nullptr;
    if (OSRExportToWkt(srs, &wkt) == OGRERR_NONE && wkt != nullptr) info.crs_wkt = wkt;
    CPLFree(wkt);
    const char* authority = OSRGetAuthorityName(srs, nullptr);
    const char* code = OSRGetAuthorityCode(srs, nullptr);
    if (authority != nullptr && code != nullptr && std::string(authority) == "EPSG") {
      info.epsg = std::atoi(code);
    }
  }
  errors.Clear();  // probing may warn about harmless things (e.g. missing .aux.xml)
  return info;
}

StatusOr<int64_t> ReadRasterBands(const std::string& path, const std::vector<int>& bands,
                                  const std::vector<float>& fill_values,
                                  const BandReadOptions& options, float* out) {
  if (options.out_width <= 0 || options.out_height <= 0) {
    return Status::InvalidArgument(path + ": output grid " +
                                   SizeText(options.out_width, options.out_height) +
                                   " is empty, expected a positive size");
  }
  if (fill_values.size() != bands.size()) {
    return Status::InvalidArgument(path + ": " + std::to_string(bands.size()) + " bands but " +
                                   std::to_string(fill_values.size()) + " fill values");
  }
  internal::GdalErrorCapture errors;
  StatusOr<internal::GdalDatasetPtr> dataset = internal::OpenRasterReadOnly(path, errors);
  if (!dataset.ok()) return dataset.status();
  GDALDatasetH ds = dataset->get();

  const int64_t width = GDALGetRasterXSize(ds);
  const int64_t height = GDALGetRasterYSize(ds);
  if ((options.expected_width > 0 && width != options.expected_width) ||
      (options.expected_height > 0 && height != options.expected_height)) {
    return Status::Corruption(path + ": raster is " + SizeText(width, height) + ", expected " +
                              SizeText(options.expected_width, options.expected_height));
  }
  const int band_count = GDALGetRasterCount(ds);
  const int64_t pixels = options.out_width * options.out_height;
  int64_t replaced = 0;
  for (size_t i = 0; i < bands.size(); ++i) {
    const int index = bands[i];
    if (index < 1 || index > band_count) {
      return Status::Corruption(path + ": has " + std::to_string(band_count) +
                                " band(s), expected a band " + std::to_string(index));
    }
    GDALRasterBandH band = GDALGetRasterBand(ds, index);
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = internal::ToGdalResampling(options.resampling);
    float* dst = out + static_cast<int64_t>(i) * pixels;
    const CPLErr err =
        GDALRasterIOEx(band, GF_Read, 0, 0, static_cast<int>(width), static_cast<int>(height), dst,
                       static_cast<int>(options.out_width), static_cast<int>(options.out_height),
                       GDT_Float32, 0, 0, &extra);
    if (err != CE_None) {
      return Status::Corruption(internal::WithGdalMessage(
          path + ": band " + std::to_string(index) + " could not be read", errors));
    }
    int has_nodata = 0;
    const double nodata_value = GDALGetRasterNoDataValue(band, &has_nodata);
    const bool nodata_is_nan = has_nodata && std::isnan(nodata_value);
    const float nodata = static_cast<float>(nodata_value);
    const float fill = fill_values[i];
    for (int64_t p = 0; p < pixels; ++p) {
      float v = dst[p];
      bool invalid = !std::isfinite(v) || (has_nodata && !nodata_is_nan && v == nodata);
      if (!invalid && options.linear_to_db) {
        if (v <= 0.0f) {
          invalid = true;
        } else {
          v = 10.0f * std::log10(v);
        }
      }
      if (invalid) {
        dst[p] = fill;
        ++replaced;
      } else {
        dst[p] = v;
      }
    }
  }
  if (errors.HasFailure()) {
    // GDAL may report a failure (e.g. a damaged strip) yet return CE_None.
    return Status::Corruption(internal::WithGdalMessage(path + ": read failed", errors));
  }
  return replaced;
}

}  // namespace mosaic::geo
