// Raster probing and band reading: resampling, nodata/NaN handling, dB conversion.
#include "mosaic/geo/raster.h"

#include <gdal.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

// Writes a single-band Float32 GeoTIFF (UTM 33N, 10 m pixels) with GDAL directly.
void WriteFloatTiff(const std::string& path, int width, int height, const std::vector<float>& data,
                    const double* nodata = nullptr, int bands = 1) {
  GDALAllRegister();
  GDALDriverH driver = GDALGetDriverByName("GTiff");
  GDALDatasetH ds = GDALCreate(driver, path.c_str(), width, height, bands, GDT_Float32, nullptr);
  ASSERT_NE(ds, nullptr);
  double gt[6] = {400000, 10, 0, 5400000, 0, -10};
  GDALSetGeoTransform(ds, gt);
  GDALSetProjection(ds, "EPSG:32633");
  for (int b = 1; b <= bands; ++b) {
    GDALRasterBandH band = GDALGetRasterBand(ds, b);
    if (nodata != nullptr) GDALSetRasterNoDataValue(band, *nodata);
    std::vector<float> values(data);
    for (float& v : values) v += static_cast<float>(100 * (b - 1));
    ASSERT_EQ(GDALRasterIO(band, GF_Write, 0, 0, width, height, values.data(), width, height,
                           GDT_Float32, 0, 0),
              CE_None);
    GDALSetDescription(band, ("band" + std::to_string(b)).c_str());
  }
  GDALClose(ds);
}

TEST(Resampling, NamesRoundTrip) {
  for (Resampling r :
       {Resampling::kNearest, Resampling::kBilinear, Resampling::kCubic, Resampling::kAverage}) {
    auto parsed = ParseResampling(ResamplingName(r));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_FALSE(ParseResampling("lanczos").ok());
}

TEST(Raster, ProbeReportsSizeBandsGeoreferencingAndNodata) {
  testing::TempDir dir;
  const double nodata = -9999;
  WriteFloatTiff(dir.File("a.tif"), 4, 3, std::vector<float>(12, 1.0f), &nodata, 2);
  auto info = ProbeRaster(dir.File("a.tif"));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->driver, "GTiff");
  EXPECT_EQ(info->width, 4);
  EXPECT_EQ(info->height, 3);
  EXPECT_EQ(info->band_count, 2);
  EXPECT_EQ(info->band_types, (std::vector<std::string>{"Float32", "Float32"}));
  EXPECT_EQ(info->band_descriptions, (std::vector<std::string>{"band1", "band2"}));
  ASSERT_TRUE(info->nodata[0].has_value());
  EXPECT_EQ(*info->nodata[0], -9999);
  EXPECT_TRUE(info->has_geotransform);
  EXPECT_EQ(info->geotransform[0], 400000);
  EXPECT_EQ(info->geotransform[1], 10);
  EXPECT_EQ(info->geotransform[5], -10);
  EXPECT_EQ(info->epsg, 32633);
  EXPECT_NE(info->crs_wkt.find("UTM zone 33N"), std::string::npos);
}

TEST(Raster, ProbeErrorsNameTheFile) {
  testing::TempDir dir;
  auto missing = ProbeRaster(dir.File("missing.tif"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(dir.File("missing.tif")), std::string::npos);
  testing::WriteBytes(dir.File("junk.tif"), std::vector<char>(100, 'j'));
  auto junk = ProbeRaster(dir.File("junk.tif"));
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.status().code(), StatusCode::kCorruption);
  EXPECT_NE(junk.status().message().find(dir.File("junk.tif")), std::string::npos);
}

TEST(Raster, SameSizeReadIsExactAndBandsAreSelected) {
  testing::TempDir dir;
  std::vector<float> data(6 * 6);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i) * 1.5f;
  WriteFloatTiff(dir.File("a.tif"), 6, 6, data, nullptr, 3);
  BandReadOptions options;
  options.out_width = 6;
  options.out_height = 6;
  std::vector<float> out(2 * 36);
  auto replaced = ReadRasterBands(dir.File("a.tif"), {3, 1}, {0, 0}, options, out.data());
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(*replaced, 0);
  for (size_t i = 0; i < 36; ++i) {
    EXPECT_EQ(out[i], data[i] + 200.0f);
    EXPECT_EQ(out[36 + i], data[i]);
  }
  auto bad_band = ReadRasterBands(dir.File("a.tif"), {4}, {0}, options, out.data());
  ASSERT_FALSE(bad_band.ok());
  EXPECT_NE(bad_band.status().message().find("has 3 band(s)"), std::string::npos);
}

TEST(Raster, UpsamplingNearestRepeatsAndBilinearInterpolates) {
  testing::TempDir dir;
  // 2 x 1 source: [0, 10].
  WriteFloatTiff(dir.File("a.tif"), 2, 1, {0.0f, 10.0f});
  BandReadOptions options;
  options.out_width = 4;
  options.out_height = 2;
  options.resampling = Resampling::kNearest;
  std::vector<float> out(8);
  ASSERT_TRUE(ReadRasterBands(dir.File("a.tif"), {1}, {0}, options, out.data()).ok());
  EXPECT_EQ(out, (std::vector<float>{0, 0, 10, 10, 0, 0, 10, 10}));
  options.resampling = Resampling::kBilinear;
  ASSERT_TRUE(ReadRasterBands(dir.File("a.tif"), {1}, {0}, options, out.data()).ok());
  // Output centres at source x = 0.25, 0.75, 1.25, 1.75 px; source centres 0.5 and 1.5.
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], 2.5f);
  EXPECT_FLOAT_EQ(out[2], 7.5f);
  EXPECT_FLOAT_EQ(out[3], 10.0f);
}

TEST(Raster, NodataNanAndInfAreReplacedAndCounted) {
  testing::TempDir dir;
  const double nodata = -9999;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  WriteFloatTiff(dir.File("a.tif"), 3, 2, {1, -9999, nan, inf, 5, -inf}, &nodata);
  BandReadOptions options;
  options.out_width = 3;
  options.out_height = 2;
  std::vector<float> out(6);
  auto replaced = ReadRasterBands(dir.File("a.tif"), {1}, {42.0f}, options, out.data());
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(*replaced, 4);
  EXPECT_EQ(out, (std::vector<float>{1, 42, 42, 42, 5, 42}));
}

TEST(Raster, BilinearIgnoresNodataSourcePixels) {
  testing::TempDir dir;
  const double nodata = -9999;
  WriteFloatTiff(dir.File("a.tif"), 4, 1, {-9999, 10, 20, -9999}, &nodata);
  BandReadOptions options;
  options.out_width = 8;
  options.out_height = 1;
  options.resampling = Resampling::kBilinear;
  std::vector<float> out(8);
  auto replaced = ReadRasterBands(dir.File("a.tif"), {1}, {-1.0f}, options, out.data());
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  // Output pixels next to a nodata pixel interpolate the valid neighbours only;
  // pixels with no valid source become nodata and are filled.
  EXPECT_EQ(out, (std::vector<float>{-1, 10, 10, 12.5, 17.5, 20, 20, -1}));
  EXPECT_EQ(*replaced, 2);
}

TEST(Raster, LinearPowerIsConvertedToDecibels) {
  testing::TempDir dir;
  WriteFloatTiff(dir.File("a.tif"), 4, 1, {1.0f, 0.1f, 0.0f, -2.0f});
  BandReadOptions options;
  options.out_width = 4;
  options.out_height = 1;
  options.linear_to_db = true;
  std::vector<float> out(4);
  auto replaced = ReadRasterBands(dir.File("a.tif"), {1}, {-20.0f}, options, out.data());
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(*replaced, 2);  // 0 and -2 have no dB value
  EXPECT_FLOAT_EQ(out[0], 0.0f);
  EXPECT_FLOAT_EQ(out[1], -10.0f);
  EXPECT_EQ(out[2], -20.0f);
  EXPECT_EQ(out[3], -20.0f);
}

TEST(Raster, ExpectedSizeMismatchIsCorruption) {
  testing::TempDir dir;
  WriteFloatTiff(dir.File("a.tif"), 4, 4, std::vector<float>(16, 0));
  BandReadOptions options;
  options.out_width = 4;
  options.out_height = 4;
  options.expected_width = 8;
  options.expected_height = 8;
  std::vector<float> out(16);
  auto result = ReadRasterBands(dir.File("a.tif"), {1}, {0}, options, out.data());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kCorruption);
  EXPECT_NE(result.status().message().find("4 x 4 px, expected 8 x 8 px"), std::string::npos);
}

TEST(Raster, HasGdalDriver) {
  EXPECT_TRUE(HasGdalDriver("GTiff"));
  EXPECT_FALSE(HasGdalDriver("NoSuchDriver"));
}

}  // namespace
}  // namespace mosaic::geo
