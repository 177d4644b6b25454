// PNG writing through GDAL: the file is a real PNG that GDAL reads back with
// the written size and pixels, written atomically.
#include "mosaic/geo/png_writer.h"

#include <gdal.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "mosaic/eval/scatter_plot.h"
#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

using mosaic::testing::ReadBytes;
using mosaic::testing::TempDir;

// Reads an RGB file back as pixel-interleaved bytes; expects 3 Byte bands.
std::vector<uint8_t> ReadRgb(const std::string& path, int* width, int* height) {
  GDALAllRegister();
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
  EXPECT_NE(ds, nullptr);
  if (ds == nullptr) return {};
  EXPECT_STREQ(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "PNG");
  EXPECT_EQ(GDALGetRasterCount(ds), 3);
  *width = GDALGetRasterXSize(ds);
  *height = GDALGetRasterYSize(ds);
  std::vector<uint8_t> rgb(static_cast<size_t>(*width) * static_cast<size_t>(*height) * 3);
  int bands[3] = {1, 2, 3};
  EXPECT_EQ(GDALDatasetRasterIO(ds, GF_Read, 0, 0, *width, *height, rgb.data(), *width, *height,
                                GDT_Byte, 3, bands, 3, 3 * *width, 1),
            CE_None);
  GDALClose(ds);
  return rgb;
}

TEST(PngWriter, WritesAPngGdalReadsBackExactly) {
  TempDir dir;
  const std::string path = dir.File("plot.png");
  const int w = 7, h = 5;
  std::vector<uint8_t> rgb(w * h * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<uint8_t>(i * 7);
  ASSERT_TRUE(WriteRgbPng(path, w, h, rgb.data()).ok());
  const std::vector<char> bytes = ReadBytes(path);
  ASSERT_GE(bytes.size(), 8u);
  EXPECT_EQ(std::string(bytes.data(), 8), "\x89PNG\r\n\x1a\n");
  int rw = 0, rh = 0;
  EXPECT_EQ(ReadRgb(path, &rw, &rh), rgb);
  EXPECT_EQ(rw, w);
  EXPECT_EQ(rh, h);
  EXPECT_EQ(dir.List(), std::vector<std::string>{"plot.png"});  // no temp or .aux.xml files
}

TEST(PngWriter, ScatterPlotKeepsSizeAndColours) {
  TempDir dir;
  const std::string path = dir.File("emb.png");
  eval::ScatterPlotOptions options;
  options.width_px = 320;
  options.height_px = 240;
  StatusOr<eval::RgbImage> image =
      eval::RenderScatterPlot({0, 0, 1, 1, 2, 0.5}, {0, 1, 2}, 3, options);
  ASSERT_TRUE(image.ok());
  ASSERT_TRUE(WriteRgbPng(path, image->width, image->height, image->pixels.data()).ok());
  int rw = 0, rh = 0;
  const std::vector<uint8_t> rgb = ReadRgb(path, &rw, &rh);
  EXPECT_EQ(rw, 320);
  EXPECT_EQ(rh, 240);
  std::set<eval::Rgb> colours;
  for (size_t i = 0; i + 2 < rgb.size(); i += 3) colours.insert({rgb[i], rgb[i + 1], rgb[i + 2]});
  EXPECT_TRUE(colours.count(eval::kBackground));
  for (int c = 0; c < 3; ++c) EXPECT_TRUE(colours.count(eval::Palette(c))) << c;
}

TEST(PngWriter, FailuresLeaveNothingBehind) {
  TempDir dir;
  std::vector<uint8_t> rgb(4 * 4 * 3, 255);
  EXPECT_EQ(WriteRgbPng(dir.File("a.png"), 0, 4, rgb.data()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(WriteRgbPng(dir.File("a.png"), 4, 4, nullptr).code(), StatusCode::kInvalidArgument);
  const Status missing_dir = WriteRgbPng(dir.File("no/such/dir/a.png"), 4, 4, rgb.data());
  EXPECT_EQ(missing_dir.code(), StatusCode::kIOError);
  EXPECT_NE(missing_dir.message().find("a.png"), std::string::npos);
  EXPECT_TRUE(dir.List().empty());
  // Overwriting replaces the file.
  ASSERT_TRUE(WriteRgbPng(dir.File("a.png"), 4, 4, rgb.data()).ok());
  ASSERT_TRUE(WriteRgbPng(dir.File("a.png"), 2, 3, rgb.data()).ok());
  int rw = 0, rh = 0;
  ReadRgb(dir.File("a.png"), &rw, &rh);
  EXPECT_EQ(rw, 2);
  EXPECT_EQ(rh, 3);
}

}  // namespace
}  // namespace mosaic::geo
