// BigEarthNet v1 reader on the six real example pairs in shared/data (read
// only) and on damaged copies of them in a temporary folder.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "mosaic/bands.h"
#include "mosaic/geo/datasets.h"
#include "mosaic/label_sets.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

// Derived by hand from each <patch>_labels_metadata.json (43 CORINE names)
// with the BigEarthNet-19 nomenclature, and from the S1 jsons'
// corresponding_s2_patch. Sorted by S2 patch name (the reader's order).
struct ExpectedPair {
  const char* s2;
  const char* s1;
  std::vector<std::string> labels19;
};

const std::vector<ExpectedPair>& Expected() {
  static const std::vector<ExpectedPair> kPairs = {
      {"S2A_MSIL2A_20170613T101031_87_48",
       "S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48",
       {"Arable land",
        "Land principally occupied by agriculture, with significant areas of natural "
        "vegetation"}},
      {"S2A_MSIL2A_20170617T113321_36_85",
       "S1A_IW_GRDH_1SDV_20170617T064724_29UPU_36_85",
       {"Arable land", "Pastures"}},
      {"S2A_MSIL2A_20170617T113321_4_55",
       "S1A_IW_GRDH_1SDV_20170617T064724_29UPU_4_55",
       {"Pastures"}},
      {"S2A_MSIL2A_20171221T112501_56_35",
       "S1A_IW_GRDH_1SDV_20171221T064238_29SND_56_35",
       {"Complex cultivation patterns",
        "Land principally occupied by agriculture, with significant areas of natural vegetation",
        "Broad-leaved forest", "Transitional woodland, shrub"}},
      {"S2B_MSIL2A_20170924T93020_69_24",
       "S1A_IW_GRDH_1SDV_20170925T043256_35VPK_69_24",
       {"Coniferous forest", "Mixed forest", "Transitional woodland, shrub", "Inland wetlands",
        "Inland waters"}},
      {"S2B_MSIL2A_20180204T94161_57_38",
       "S1A_IW_GRDH_1SDV_20180204T043253_35VPK_57_38",
       {"Arable land", "Coniferous forest", "Mixed forest"}},
  };
  return kPairs;
}

std::vector<std::string> LabelNames(const data::PatchRecord& record) {
  std::vector<std::string> names;
  for (size_t i = 0; i < record.labels.size(); ++i) {
    if (record.labels[i]) names.push_back(BigEarthNet19Classes()[i]);
  }
  return names;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

float At(const std::vector<float>& image, int64_t channel, int64_t row, int64_t col) {
  return image[static_cast<size_t>((channel * 120 + row) * 120 + col)];
}

int BandIndex(const std::string& name) {
  const std::vector<std::string> bands = ModalityBands(Modality::kS2);
  return static_cast<int>(std::find(bands.begin(), bands.end(), name) - bands.begin());
}

TEST(BigEarthNetV1Reader, LoadsRealExamplePairs) {
  MOSAIC_REQUIRE_SHARED_DATA();
  auto dataset = OpenBigEarthNetV1(testing::BigEarthNetV1ExamplesDir(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  const data::PatchDataset& ds = **dataset;
  EXPECT_EQ(ds.patch_size_px(), 120);
  EXPECT_EQ(ds.s2_bands(), ModalityBands(Modality::kS2));
  EXPECT_EQ(ds.s1_bands(), (std::vector<std::string>{"VV", "VH"}));
  EXPECT_EQ(ds.class_names(), BigEarthNet19Classes());
  ASSERT_EQ(ds.size(), Expected().size());
  for (size_t i = 0; i < ds.size(); ++i) {
    const ExpectedPair& want = Expected()[i];
    EXPECT_EQ(ds.record(i).id, want.s2);
    EXPECT_EQ(ds.record(i).split, "");
    EXPECT_EQ(Sorted(LabelNames(ds.record(i))), Sorted(want.labels19)) << want.s2;
    auto sample = ds.Read(i);
    ASSERT_TRUE(sample.ok()) << sample.status().ToString();
    EXPECT_EQ(sample->height, 120);
    EXPECT_EQ(sample->width, 120);
    EXPECT_EQ(sample->s2.size(), 12u * 120 * 120);
    EXPECT_EQ(sample->s1.size(), 2u * 120 * 120);
    EXPECT_EQ(sample->invalid_values, 0);
    EXPECT_EQ(sample->record.id, want.s2);
  }
}

TEST(BigEarthNetV1Reader, TenMetreBandsAndS1AreExactRawValues) {
  MOSAIC_REQUIRE_SHARED_DATA();
  auto dataset = OpenBigEarthNetV1(testing::BigEarthNetV1ExamplesDir(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  // Raw values from gdallocationinfo -valonly <file> <col> <row>.
  auto first = (*dataset)->Read(0);  // S2A_MSIL2A_20170613T101031_87_48
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(At(first->s2, BandIndex("B02"), 3, 7), 333.0f);
  EXPECT_EQ(At(first->s2, BandIndex("B02"), 11, 15), 566.0f);
  // S1 of the paired folder S1A_IW_GRDH_1SDV_20170613T165043_33UUP_87_48.
  EXPECT_NEAR(At(first->s1, 0, 3, 7), -17.4665088653564, 1e-5);
  EXPECT_NEAR(At(first->s1, 1, 110, 100), -15.9274806976318, 1e-5);

  auto fifth = (*dataset)->Read(4);  // S2B_MSIL2A_20170924T93020_69_24
  ASSERT_TRUE(fifth.ok()) << fifth.status().ToString();
  EXPECT_EQ(At(fifth->s2, BandIndex("B02"), 3, 7), 128.0f);
  EXPECT_EQ(At(fifth->s2, BandIndex("B02"), 11, 15), 131.0f);
  // S1 of S1A_IW_GRDH_1SDV_20170925T043256_35VPK_69_24.
  EXPECT_NEAR(At(fifth->s1, 0, 3, 7), -19.5686473846436, 1e-5);
  EXPECT_NEAR(At(fifth->s1, 1, 110, 100), -12.0829582214355, 1e-5);
}

TEST(BigEarthNetV1Reader, NearestResamplingRepeatsTheCoveringSourcePixel) {
  MOSAIC_REQUIRE_SHARED_DATA();
  DatasetOptions options;
  options.s2_resampling = Resampling::kNearest;
  auto dataset = OpenBigEarthNetV1(testing::BigEarthNetV1ExamplesDir(), options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  auto sample = (*dataset)->Read(0);  // S2A_MSIL2A_20170613T101031_87_48
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  // B05 is 60 x 60 (20 m): source pixel (col 7, row 3) = 2232 covers output
  // rows 6..7, cols 14..15; source (15, 11) = 506 covers rows 22..23, cols 30..31.
  for (int r = 6; r <= 7; ++r) {
    for (int c = 14; c <= 15; ++c) EXPECT_EQ(At(sample->s2, BandIndex("B05"), r, c), 2232.0f);
  }
  for (int r = 22; r <= 23; ++r) {
    for (int c = 30; c <= 31; ++c) EXPECT_EQ(At(sample->s2, BandIndex("B05"), r, c), 506.0f);
  }
  // B01 is 20 x 20 (60 m): source (7, 3) = 118 covers rows 18..23, cols 42..47;
  // source (15, 11) = 350 covers rows 66..71, cols 90..95.
  for (int r = 18; r <= 23; ++r) {
    for (int c = 42; c <= 47; ++c) EXPECT_EQ(At(sample->s2, BandIndex("B01"), r, c), 118.0f);
  }
  for (int r = 66; r <= 71; ++r) {
    for (int c = 90; c <= 95; ++c) EXPECT_EQ(At(sample->s2, BandIndex("B01"), r, c), 350.0f);
  }
}

TEST(BigEarthNetV1Reader, BandSelectionAndSingleModality) {
  MOSAIC_REQUIRE_SHARED_DATA();
  DatasetOptions options;
  options.read_s1 = false;
  options.s2_bands = {"B04", "B03", "B02"};
  auto dataset = OpenBigEarthNetV1(testing::BigEarthNetV1ExamplesDir(), options);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_TRUE((*dataset)->s1_bands().empty());
  auto sample = (*dataset)->Read(0);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_TRUE(sample->s1.empty());
  ASSERT_EQ(sample->s2.size(), 3u * 120 * 120);
  EXPECT_EQ(At(sample->s2, 2, 3, 7), 333.0f);  // B02 is the third channel

  DatasetOptions s1_only;
  s1_only.read_s2 = false;
  s1_only.s1_bands = {"VH"};
  auto s1 = OpenBigEarthNetV1(testing::BigEarthNetV1ExamplesDir(), s1_only);
  ASSERT_TRUE(s1.ok()) << s1.status().ToString();
  ASSERT_EQ((*s1)->size(), 6u);
  EXPECT_EQ((*s1)->record(0).id, "S2A_MSIL2A_20170613T101031_87_48");
  auto vh = (*s1)->Read(0);
  ASSERT_TRUE(vh.ok()) << vh.status().ToString();
  EXPECT_TRUE(vh->s2.empty());
  EXPECT_NEAR(At(vh->s1, 0, 110, 100), -15.9274806976318, 1e-5);
}

TEST(BigEarthNetV1Reader, ConcurrentReadsMatchSequentialReads) {
  MOSAIC_REQUIRE_SHARED_DATA();
  auto dataset = OpenBigEarthNetV1(testing::BigEarthNetV1ExamplesDir(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  const data::PatchDataset& ds = **dataset;
  std::vector<data::PatchSample> sequential;
  for (size_t i = 0; i < ds.size(); ++i) sequential.push_back(*ds.Read(i));
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < ds.size(); ++i) {
          const size_t index = (i + static_cast<size_t>(t)) % ds.size();
          auto sample = ds.Read(index);
          if (!sample.ok() || sample->s2 != sequential[index].s2 ||
              sample->s1 != sequential[index].s1) {
            ++mismatches[static_cast<size_t>(t)];
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[static_cast<size_t>(t)], 0) << t;
}

// A writable copy of two real pairs to damage.
class BigEarthNetV1DamagedCopy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::SharedDataAvailable()) GTEST_SKIP() << "reference data not found";
    const fs::path src = testing::BigEarthNetV1ExamplesDir();
    for (const ExpectedPair& pair : {Expected()[0], Expected()[4]}) {
      fs::create_directories(dir_.path() / "BigEarthNet-S2-Example" / pair.s2);
      fs::create_directories(dir_.path() / "BigEarthNet-S1-Example" / pair.s1);
      fs::copy(src / "BigEarthNet-S2-Example" / pair.s2,
               dir_.path() / "BigEarthNet-S2-Example" / pair.s2);
      fs::copy(src / "BigEarthNet-S1-Example" / pair.s1,
               dir_.path() / "BigEarthNet-S1-Example" / pair.s1);
    }
  }
  std::string S2File(const std::string& suffix) const {
    const std::string patch = Expected()[0].s2;
    return (dir_.path() / "BigEarthNet-S2-Example" / patch / (patch + suffix)).string();
  }
  std::string Root() const { return dir_.path().string(); }

  testing::TempDir dir_;
};

TEST_F(BigEarthNetV1DamagedCopy, CopyReadsBack) {
  auto dataset = OpenBigEarthNetV1(Root(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ((*dataset)->size(), 2u);
  EXPECT_TRUE((*dataset)->Read(0).ok());
}

TEST_F(BigEarthNetV1DamagedCopy, MissingBandFileNamesTheFile) {
  fs::remove(S2File("_B8A.tif"));
  auto dataset = OpenBigEarthNetV1(Root(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  auto sample = (*dataset)->Read(0);
  ASSERT_FALSE(sample.ok());
  EXPECT_EQ(sample.status().code(), StatusCode::kNotFound);
  EXPECT_NE(sample.status().message().find(S2File("_B8A.tif")), std::string::npos)
      << sample.status().message();
  EXPECT_TRUE((*dataset)->Read(1).ok());  // the other patch is unaffected
}

TEST_F(BigEarthNetV1DamagedCopy, WrongRasterSizeNamesTheFileAndTheExpectedSize) {
  // A 10 m band (120 x 120) where the 20 m band B05 (60 x 60) belongs.
  fs::copy_file(S2File("_B02.tif"), S2File("_B05.tif"), fs::copy_options::overwrite_existing);
  auto dataset = OpenBigEarthNetV1(Root(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  auto sample = (*dataset)->Read(0);
  ASSERT_FALSE(sample.ok());
  EXPECT_EQ(sample.status().code(), StatusCode::kCorruption);
  const std::string& message = sample.status().message();
  EXPECT_NE(message.find(S2File("_B05.tif")), std::string::npos) << message;
  EXPECT_NE(message.find("120 x 120 px, expected 60 x 60 px"), std::string::npos) << message;
}

TEST_F(BigEarthNetV1DamagedCopy, CorruptTiffNamesTheFile) {
  testing::WriteBytes(S2File("_B03.tif"), std::vector<char>(3000, 'x'));
  // And a truncated TIFF: a valid header whose pixel data is cut off.
  std::vector<char> bytes = testing::ReadBytes(S2File("_B04.tif"));
  bytes.resize(bytes.size() / 3);
  testing::WriteBytes(S2File("_B04.tif"), bytes);

  DatasetOptions options;
  options.s2_bands = {"B03"};
  auto garbage = OpenBigEarthNetV1(Root(), options);
  ASSERT_TRUE(garbage.ok()) << garbage.status().ToString();
  auto sample = (*garbage)->Read(0);
  ASSERT_FALSE(sample.ok());
  EXPECT_EQ(sample.status().code(), StatusCode::kCorruption);
  EXPECT_NE(sample.status().message().find(S2File("_B03.tif")), std::string::npos)
      << sample.status().message();

  options.s2_bands = {"B04"};
  auto truncated = OpenBigEarthNetV1(Root(), options);
  ASSERT_TRUE(truncated.ok()) << truncated.status().ToString();
  sample = (*truncated)->Read(0);
  ASSERT_FALSE(sample.ok());
  EXPECT_EQ(sample.status().code(), StatusCode::kCorruption);
  EXPECT_NE(sample.status().message().find(S2File("_B04.tif")), std::string::npos)
      << sample.status().message();
}

TEST_F(BigEarthNetV1DamagedCopy, UnknownClassNameInLabelsJsonNamesTheFile) {
  const std::string json = S2File("_labels_metadata.json");
  std::ofstream(json) << R"({"labels": ["Pastures", "Moon craters"], "coordinates": {}})";
  auto dataset = OpenBigEarthNetV1(Root(), DatasetOptions());
  ASSERT_FALSE(dataset.ok());
  EXPECT_EQ(dataset.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dataset.status().message().find(json), std::string::npos) << dataset.status().message();
  EXPECT_NE(dataset.status().message().find("Moon craters"), std::string::npos);
}

TEST_F(BigEarthNetV1DamagedCopy, BrokenJsonNamesTheFile) {
  const std::string json = S2File("_labels_metadata.json");
  std::ofstream(json) << R"({"labels": ["Pastures")";
  auto dataset = OpenBigEarthNetV1(Root(), DatasetOptions());
  ASSERT_FALSE(dataset.ok());
  EXPECT_EQ(dataset.status().code(), StatusCode::kCorruption);
  EXPECT_NE(dataset.status().message().find(json), std::string::npos);
}

TEST_F(BigEarthNetV1DamagedCopy, S2PatchWithoutS1PartnerIsAnError) {
  fs::remove_all(dir_.path() / "BigEarthNet-S1-Example" / Expected()[4].s1);
  auto dataset = OpenBigEarthNetV1(Root(), DatasetOptions());
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.status().message().find(Expected()[4].s2), std::string::npos)
      << dataset.status().message();
  DatasetOptions s2_only;
  s2_only.read_s1 = false;
  EXPECT_TRUE(OpenBigEarthNetV1(Root(), s2_only).ok());
}

TEST_F(BigEarthNetV1DamagedCopy, SplitFilesAssignSplits) {
  std::ofstream(dir_.path() / "train.csv") << Expected()[0].s2 << "\n";
  std::ofstream(dir_.path() / "test.csv") << Expected()[4].s2 << "\nunknown_patch\n";
  auto dataset = OpenBigEarthNetV1(Root(), DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ((*dataset)->record(0).split, "train");
  EXPECT_EQ((*dataset)->record(1).split, "test");
}

TEST(BigEarthNetV1Reader, EmptyDatasetIsAnError) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "BigEarthNet-v1.0");
  fs::create_directories(dir.path() / "BigEarthNet-S1-v1.0");
  auto dataset = OpenBigEarthNetV1(dir.path().string(), DatasetOptions());
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.status().message().find("BigEarthNet-v1.0"), std::string::npos)
      << dataset.status().message();
  EXPECT_NE(dataset.status().message().find("no patch folders"), std::string::npos);
}

TEST(BigEarthNetV1Reader, MissingRootOrFoldersAreErrors) {
  testing::TempDir dir;
  auto missing = OpenBigEarthNetV1(dir.File("nope"), DatasetOptions());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto no_s2 = OpenBigEarthNetV1(dir.path().string(), DatasetOptions());
  ASSERT_FALSE(no_s2.ok());
  EXPECT_NE(no_s2.status().message().find("Sentinel-2"), std::string::npos);
}

}  // namespace
}  // namespace mosaic::geo
