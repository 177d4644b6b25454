// SEN12MS reader on a tiny SEN12MS-layout tree written here with GDAL.
#include <gdal.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mosaic/geo/datasets.h"
#include "mosaic/label_sets.h"
#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

constexpr int kSize = 256;

// Writes an n-band 256 x 256 GeoTIFF; value(band, row, col).
template <typename T, typename F>
void WriteTiff(const fs::path& path, int bands, GDALDataType type, F value, int size = kSize) {
  GDALAllRegister();
  fs::create_directories(path.parent_path());
  GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path.string().c_str(), size, size,
                               bands, type, nullptr);
  ASSERT_NE(ds, nullptr) << path;
  double gt[6] = {500000, 10, 0, 4000000, 0, -10};
  GDALSetGeoTransform(ds, gt);
  std::vector<T> data(static_cast<size_t>(size * size));
  for (int b = 1; b <= bands; ++b) {
    for (int r = 0; r < size; ++r) {
      for (int c = 0; c < size; ++c) data[static_cast<size_t>(r * size + c)] = value(b, r, c);
    }
    ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(ds, b), GF_Write, 0, 0, size, size, data.data(), size,
                           size, type, 0, 0),
              CE_None);
  }
  GDALClose(ds);
}

// Writes one patch: S1 (2 bands, dB), S2 (13 bands), LC (4 bands, band 1 IGBP).
template <typename Igbp>
void WritePatch(const fs::path& root, const std::string& season, int scene, int patch, Igbp igbp) {
  const std::string stem = "_" + std::to_string(scene) + "_p" + std::to_string(patch) + ".tif";
  const fs::path dir = root / season;
  WriteTiff<float>(dir / ("s1_" + std::to_string(scene)) / (season + "_s1" + stem), 2, GDT_Float32,
                   [&](int b, int r, int c) {
                     return -10.0f * static_cast<float>(b) - 0.01f * static_cast<float>(r + c) -
                            static_cast<float>(patch);
                   });
  WriteTiff<uint16_t>(dir / ("s2_" + std::to_string(scene)) / (season + "_s2" + stem), 13,
                      GDT_UInt16, [&](int b, int r, int c) {
                        return static_cast<uint16_t>(1000 * b + (r * 3 + c) % 500 + patch);
                      });
  WriteTiff<uint16_t>(
      dir / ("lc_" + std::to_string(scene)) / (season + "_lc" + stem), 4, GDT_UInt16,
      [&](int b, int r, int c) { return static_cast<uint16_t>(b == 1 ? igbp(r, c) : 99); });
}

std::vector<std::string> LabelNames(const data::PatchRecord& record) {
  std::vector<std::string> names;
  for (size_t i = 0; i < record.labels.size(); ++i) {
    if (record.labels[i]) names.push_back(Sen12msIgbp10Classes()[i]);
  }
  return names;
}

class Sen12msReader : public ::testing::Test {
 protected:
  void SetUp() override {
    const fs::path root = dir_.path();
    // Rows 0..153 deciduous broadleaf forest (IGBP 4, 60.2 %), 154..230
    // croplands (12, 30.1 %), 231..250 water (17, 7.8 %), 251..255 urban (13, 2.0 %).
    WritePatch(root, "ROIs1158_spring", 1, 30, [](int r, int) {
      return r < 154 ? 4 : r < 231 ? 12 : r < 251 ? 17 : 13;
    });
    // Grassland (10) over rows 0..199, no data (0) below: 100 % of valid pixels.
    WritePatch(root, "ROIs1158_spring", 1, 7, [](int r, int) { return r < 200 ? 10 : 0; });
    // Left half barren (16), right half snow and ice (15); scene 10 sorts after scene 2.
    WritePatch(root, "ROIs1158_spring", 10, 1, [](int, int c) { return c < 128 ? 16 : 15; });
    // Cropland/natural vegetation mosaic (14) -> croplands; open shrubland (7) -> shrubland.
    WritePatch(root, "ROIs1868_summer", 2, 5, [](int r, int) { return r < 128 ? 14 : 7; });
  }
  std::string Root() const { return dir_.path().string(); }
  testing::TempDir dir_;
};

TEST_F(Sen12msReader, ReadsPatchesLabelsAndBands) {
  auto dataset = OpenSen12ms(Root(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  const data::PatchDataset& ds = **dataset;
  EXPECT_EQ(ds.patch_size_px(), 256);
  EXPECT_EQ(ds.class_names(), Sen12msIgbp10Classes());
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds.record(0).id, "ROIs1158_spring_1_p7");
  EXPECT_EQ(ds.record(1).id, "ROIs1158_spring_1_p30");
  EXPECT_EQ(ds.record(2).id, "ROIs1158_spring_10_p1");
  EXPECT_EQ(ds.record(3).id, "ROIs1868_summer_2_p5");
  EXPECT_EQ(LabelNames(ds.record(0)), (std::vector<std::string>{"Grassland"}));
  EXPECT_EQ(LabelNames(ds.record(1)), (std::vector<std::string>{"Forest", "Croplands"}));
  EXPECT_EQ(LabelNames(ds.record(2)), (std::vector<std::string>{"Snow/Ice", "Barren"}));
  EXPECT_EQ(LabelNames(ds.record(3)), (std::vector<std::string>{"Shrubland", "Croplands"}));

  auto sample = ds.Read(1);  // patch 30
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  ASSERT_EQ(sample->s2.size(), 12u * kSize * kSize);
  ASSERT_EQ(sample->s1.size(), 2u * kSize * kSize);
  const size_t px = static_cast<size_t>(kSize * kSize);
  const size_t at = static_cast<size_t>(17 * kSize + 5);  // row 17, col 5
  const float pattern = static_cast<float>((17 * 3 + 5) % 500 + 30);
  // Our 12 bands B01..B08, B8A, B09, B11, B12 are file bands 1..10, 12, 13 (B10 skipped).
  const int file_band[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13};
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(sample->s2[static_cast<size_t>(i) * px + at], 1000.0f * file_band[i] + pattern)
        << ds.s2_bands()[static_cast<size_t>(i)];
  }
  EXPECT_FLOAT_EQ(sample->s1[at], -10.0f - 0.22f - 30.0f);       // VV
  EXPECT_FLOAT_EQ(sample->s1[px + at], -20.0f - 0.22f - 30.0f);  // VH
}

TEST_F(Sen12msReader, MinLabelFractionAndBandSelection) {
  DatasetOptions options;
  options.sen12ms_min_label_fraction = 0.05;
  options.s2_bands = {"B11", "B8A"};
  options.s1_bands = {"VH"};
  auto dataset = OpenSen12ms(Root(), options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ(LabelNames((*dataset)->record(1)),
            (std::vector<std::string>{"Forest", "Croplands", "Water"}));
  auto sample = (*dataset)->Read(0);  // patch 7
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  const size_t px = static_cast<size_t>(kSize * kSize);
  EXPECT_EQ(sample->s2[0], 12000.0f + 7);  // B11 = file band 12 at (0, 0)
  EXPECT_EQ(sample->s2[px], 9000.0f + 7);  // B8A = file band 9
  EXPECT_FLOAT_EQ(sample->s1[0], -27.0f);  // VH = file band 2
}

TEST_F(Sen12msReader, SplitFilesAndErrors) {
  std::ofstream(dir_.path() / "test.csv") << "ROIs1868_summer_2_p5\n";
  auto dataset = OpenSen12ms(Root(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ((*dataset)->record(3).split, "test");
  EXPECT_EQ((*dataset)->record(0).split, "");

  // A missing S2 file fails Read, naming the file.
  const fs::path s2 = dir_.path() / "ROIs1158_spring/s2_1/ROIs1158_spring_s2_1_p7.tif";
  fs::remove(s2);
  auto sample = (*dataset)->Read(0);
  ASSERT_FALSE(sample.ok());
  EXPECT_NE(sample.status().message().find(s2.string()), std::string::npos);

  // A land-cover patch of the wrong size fails the open, naming the file.
  const fs::path lc = dir_.path() / "ROIs1158_spring/lc_10/ROIs1158_spring_lc_10_p1.tif";
  WriteTiff<uint16_t>(
      lc, 4, GDT_UInt16, [](int, int, int) { return uint16_t{1}; }, 128);
  auto bad = OpenSen12ms(Root(), DatasetOptions());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(lc.string()), std::string::npos);
  EXPECT_NE(bad.status().message().find("expected 256 x 256"), std::string::npos);
}

TEST(Sen12msReaderErrors, EmptyOrMissingRoot) {
  testing::TempDir dir;
  auto missing = OpenSen12ms(dir.File("none"), DatasetOptions());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  fs::create_directories(dir.path() / "ROIs1158_spring" / "lc_1");
  auto empty = OpenSen12ms(dir.path().string(), DatasetOptions());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no SEN12MS patches"), std::string::npos);
}

}  // namespace
}  // namespace mosaic::geo
