// Generic CSV reader on multi-band rasters written here with GDAL.
#include <gdal.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mosaic/geo/datasets.h"
#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

// A `bands`-band Float32 raster, value = 100 * band + offset + col; band
// descriptions from `descriptions` when given.
void WriteStack(const fs::path& path, int bands, int size, float offset,
                const std::vector<std::string>& descriptions = {}) {
  GDALAllRegister();
  fs::create_directories(path.parent_path());
  GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path.string().c_str(), size, size,
                               bands, GDT_Float32, nullptr);
  ASSERT_NE(ds, nullptr);
  std::vector<float> data(static_cast<size_t>(size * size));
  for (int b = 1; b <= bands; ++b) {
    for (int r = 0; r < size; ++r) {
      for (int c = 0; c < size; ++c) {
        data[static_cast<size_t>(r * size + c)] = 100.0f * b + offset + static_cast<float>(c);
      }
    }
    GDALRasterBandH band = GDALGetRasterBand(ds, b);
    if (!descriptions.empty()) GDALSetDescription(band, descriptions[b - 1].c_str());
    ASSERT_EQ(
        GDALRasterIO(band, GF_Write, 0, 0, size, size, data.data(), size, size, GDT_Float32, 0, 0),
        CE_None);
  }
  GDALClose(ds);
}

class CsvReader : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteStack(dir_.path() / "s2" / "a.tif", 12, 32, 0.5f);
    WriteStack(dir_.path() / "s2" / "b.tif", 12, 32, 0.25f);
    WriteStack(dir_.path() / "s1" / "a.tif", 2, 32, -50.0f);
    WriteStack(dir_.path() / "s1" / "b.tif", 2, 32, -60.0f);
  }
  std::string WriteCsv(const std::string& text, const std::string& name = "data.csv") {
    std::ofstream(dir_.path() / name) << text;
    return dir_.File(name);
  }
  testing::TempDir dir_;
};

TEST_F(CsvReader, ReadsRowsLabelsSplitsAndRelativePaths) {
  const std::string csv = WriteCsv(
      "s1_path,s2_path,labels,split\n"
      "s1/a.tif,s2/a.tif,Forest;Water,train\n"
      "s1/b.tif," +
      dir_.File("s2/b.tif") + ",\"Urban, dense\",test\n");
  auto dataset = OpenCsvDataset(csv, DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  const data::PatchDataset& ds = **dataset;
  EXPECT_EQ(ds.class_names(), (std::vector<std::string>{"Forest", "Urban, dense", "Water"}));
  EXPECT_EQ(ds.patch_size_px(), 32);
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds.record(0).id, "a");
  EXPECT_EQ(ds.record(0).split, "train");
  EXPECT_EQ(ds.record(0).labels, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(ds.record(1).labels, (std::vector<uint8_t>{0, 1, 0}));
  auto sample = ds.Read(1);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  const size_t px = 32 * 32;
  EXPECT_EQ(sample->s2[0], 100.25f);                  // B01 = band 1, col 0
  EXPECT_EQ(sample->s2[11 * px + 3], 1203.25f);       // B12 = band 12, col 3
  EXPECT_EQ(sample->s1[px + 5], 200.0f - 60.0f + 5);  // VH = band 2
}

TEST_F(CsvReader, BandDescriptionsSelectBandsAndClassListIsAnOption) {
  // A 4-band S2 file in a custom order, named by its band descriptions.
  WriteStack(dir_.path() / "s2" / "c.tif", 4, 16, 0.0f, {"B08", "B4", "B03", "B02"});
  const std::string csv = WriteCsv(
      "id,s2_path,labels\n"
      "patch-c,s2/c.tif,\"['Water', 'Forest']\"\n",
      "c.csv");
  DatasetOptions options;
  options.read_s1 = false;
  options.s2_bands = {"B02", "B03", "B04", "B08"};
  options.class_names = {"Water", "Forest", "Urban"};
  options.csv_patch_size_px = 32;  // upsampled from 16
  options.s2_resampling = Resampling::kNearest;
  auto dataset = OpenCsvDataset(csv, options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ((*dataset)->record(0).id, "patch-c");
  EXPECT_EQ((*dataset)->record(0).labels, (std::vector<uint8_t>{1, 1, 0}));
  auto sample = (*dataset)->Read(0);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  const size_t px = 32 * 32;
  EXPECT_EQ(sample->s2[0], 400.0f);           // B02 is file band 4
  EXPECT_EQ(sample->s2[px + 0], 300.0f);      // B03 band 3
  EXPECT_EQ(sample->s2[2 * px + 7], 203.0f);  // B04 band 2, output col 7 <- source col 3
  EXPECT_EQ(sample->s2[3 * px], 100.0f);      // B08 band 1
}

TEST_F(CsvReader, Errors) {
  // Missing column.
  auto no_labels =
      OpenCsvDataset(WriteCsv("s1_path,s2_path,split\ns1/a.tif,s2/a.tif,train\n", "no_labels.csv"),
                     DatasetOptions());
  ASSERT_FALSE(no_labels.ok());
  EXPECT_NE(no_labels.status().message().find("missing column 'labels'"), std::string::npos);
  EXPECT_NE(no_labels.status().message().find("no_labels.csv"), std::string::npos);

  // Unknown class with an explicit class list.
  DatasetOptions classes;
  classes.class_names = {"Forest"};
  auto unknown = OpenCsvDataset(
      WriteCsv("s1_path,s2_path,labels\ns1/a.tif,s2/a.tif,Forest;Lava\n", "unknown.csv"), classes);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("unknown.csv, row 1"), std::string::npos);
  EXPECT_NE(unknown.status().message().find("Lava"), std::string::npos);

  // No rows.
  auto empty = OpenCsvDataset(WriteCsv("s1_path,s2_path,labels\n", "empty.csv"), DatasetOptions());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no rows"), std::string::npos);

  // A file with a band count that does not match the band-name list.
  WriteStack(dir_.path() / "s2" / "thirteen.tif", 13, 32, 0.0f);
  auto count = OpenCsvDataset(
      WriteCsv("s1_path,s2_path,labels\ns1/a.tif,s2/thirteen.tif,Forest\n", "count.csv"),
      DatasetOptions());
  ASSERT_FALSE(count.ok());
  EXPECT_NE(count.status().message().find("thirteen.tif"), std::string::npos);
  EXPECT_NE(count.status().message().find("csv_s2_file_bands"), std::string::npos);

  // A missing raster in a later row fails Read, naming it.
  auto later = OpenCsvDataset(
      WriteCsv("s1_path,s2_path,labels\ns1/a.tif,s2/a.tif,Forest\ns1/a.tif,s2/zzz.tif,Forest\n",
               "later.csv"),
      DatasetOptions());
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  auto sample = (*later)->Read(1);
  ASSERT_FALSE(sample.ok());
  EXPECT_NE(sample.status().message().find(dir_.File("s2/zzz.tif")), std::string::npos)
      << sample.status().message();

  // Unterminated quote.
  auto quote =
      OpenCsvDataset(WriteCsv("s1_path,s2_path,labels\ns1/a.tif,s2/a.tif,\"Forest\n", "quote.csv"),
                     DatasetOptions());
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace mosaic::geo
