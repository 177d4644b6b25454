// OpenDataset specs and layout detection.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "geo/test_scene.h"
#include "mosaic/geo/bigearthnet_writer.h"
#include "mosaic/geo/datasets.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

TEST(OpenDataset, KindNames) {
  EXPECT_EQ(DatasetKindNames(),
            (std::vector<std::string>{"bigearthnet-v1", "bigearthnet-v2", "sen12ms", "csv"}));
}

TEST(OpenDataset, DetectsAndOpensBigEarthNetV1Examples) {
  MOSAIC_REQUIRE_SHARED_DATA();
  const std::string root = testing::BigEarthNetV1ExamplesDir();
  auto kind = DetectDatasetKind(root);
  ASSERT_TRUE(kind.ok()) << kind.status().ToString();
  EXPECT_EQ(*kind, DatasetKind::kBigEarthNetV1);
  auto detected = OpenDataset(root, DatasetOptions());
  ASSERT_TRUE(detected.ok()) << detected.status().ToString();
  EXPECT_EQ((*detected)->size(), 6u);
  auto explicit_kind = OpenDataset("bigearthnet-v1:" + root, DatasetOptions());
  ASSERT_TRUE(explicit_kind.ok()) << explicit_kind.status().ToString();
  EXPECT_NE((*explicit_kind)->description().find("BigEarthNet v1"), std::string::npos);
}

TEST(OpenDataset, DetectsBigEarthNetV2AndCsv) {
  testing::TempDir dir;
  const std::string v2 = dir.File("v2");
  ASSERT_TRUE(
      WriteBigEarthNetV2(testing::MakeTestScene(240, 120), v2, BigEarthNetWriteOptions()).ok());
  auto kind = DetectDatasetKind(v2);
  ASSERT_TRUE(kind.ok()) << kind.status().ToString();
  EXPECT_EQ(*kind, DatasetKind::kBigEarthNetV2);
  auto dataset = OpenDataset(v2, DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ((*dataset)->size(), 2u);

  std::ofstream(dir.path() / "list.csv") << "s1_path,s2_path,labels\n";
  auto csv = DetectDatasetKind(dir.File("list.csv"));
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(*csv, DatasetKind::kCsv);
  // The explicit kind wins over detection (and the CSV's error comes back).
  auto opened = OpenDataset("csv:" + dir.File("list.csv"), DatasetOptions());
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("no rows"), std::string::npos);
}

TEST(OpenDataset, UnknownLayoutsAreClearErrors) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "random");
  auto unknown = OpenDataset(dir.File("random"), DatasetOptions());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("not a recognised dataset layout"), std::string::npos);
  auto missing = OpenDataset("sen12ms:" + dir.File("nothing"), DatasetOptions());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto no_path = OpenDataset("csv:", DatasetOptions());
  ASSERT_FALSE(no_path.ok());
  auto not_csv = DetectDatasetKind(dir.File("x.txt"));
  ASSERT_FALSE(not_csv.ok());
}

}  // namespace
}  // namespace mosaic::geo
