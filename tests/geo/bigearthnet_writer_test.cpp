// Synthetic data written in the BigEarthNet v1 and v2.0 layouts reads back
// identically through the readers.
#include "mosaic/geo/bigearthnet_writer.h"

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_api.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "geo/test_scene.h"
#include "mosaic/geo/datasets.h"
#include "mosaic/label_sets.h"
#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kP = 120;

std::vector<std::string> LabelNames(const data::PatchRecord& record) {
  std::vector<std::string> names;
  for (size_t i = 0; i < record.labels.size(); ++i) {
    if (record.labels[i]) names.push_back(BigEarthNet19Classes()[i]);
  }
  return names;
}

const WrittenPatch* FindPatch(const WrittenDataset& written, const std::string& id) {
  for (const WrittenPatch& p : written.patches) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

// Checks every patch of `dataset` against the scene and the writer's truth.
// `s2_dir_of(patch)` is the folder holding the patch's S2 band files.
template <typename S2DirOf>
void ExpectMatchesScene(const data::PatchDataset& dataset, const WrittenDataset& written,
                        const synth::SyntheticScene& scene, S2DirOf s2_dir_of) {
  ASSERT_EQ(dataset.size(), written.patches.size());
  const std::vector<std::string> bands = ModalityBands(Modality::kS2);
  for (size_t i = 0; i < dataset.size(); ++i) {
    const data::PatchRecord& record = dataset.record(i);
    const WrittenPatch* truth = FindPatch(written, record.id);
    ASSERT_NE(truth, nullptr) << record.id;
    EXPECT_EQ(LabelNames(record), truth->labels19) << record.id;
    EXPECT_EQ(record.split, truth->split) << record.id;
    auto sample = dataset.Read(i);
    ASSERT_TRUE(sample.ok()) << sample.status().ToString();
    EXPECT_EQ(sample->invalid_values, 0);
    // S1 and 10 m S2 bands: exactly the scene's values.
    for (int64_t r = 0; r < kP; ++r) {
      for (int64_t c = 0; c < kP; ++c) {
        const size_t src = static_cast<size_t>((truth->y0_px + r) * scene.width + truth->x0_px + c);
        const size_t dst = static_cast<size_t>(r * kP + c);
        ASSERT_EQ(sample->s1[dst], scene.s1_vv[src]);
        ASSERT_EQ(sample->s1[kP * kP + dst], scene.s1_vh[src]);
      }
    }
    for (size_t b = 0; b < bands.size(); ++b) {
      const synth::S2Band& band = scene.s2[b];
      const int64_t factor = band.resolution_m / 10;
      const float* got = sample->s2.data() + b * kP * kP;
      if (factor == 1) {
        for (int64_t r = 0; r < kP; ++r) {
          for (int64_t c = 0; c < kP; ++c) {
            ASSERT_EQ(
                got[r * kP + c],
                band.data[static_cast<size_t>((truth->y0_px + r) * band.width + truth->x0_px + c)])
                << bands[b];
          }
        }
      } else {
        // 20/60 m: what bilinear resampling of the written native file gives.
        const std::string file = s2_dir_of(*truth) + "/" + truth->id + "_" + bands[b] + ".tif";
        const std::vector<float> want = testing::GdalRead(file, 1, kP, kP, GRIORA_Bilinear);
        ASSERT_EQ(want.size(), static_cast<size_t>(kP * kP)) << file;
        for (int64_t p = 0; p < kP * kP; ++p) ASSERT_EQ(got[p], want[p]) << file;
      }
    }
  }
}

TEST(BigEarthNetWriter, V1RoundTripsThroughTheReader) {
  testing::TempDir dir;
  const synth::SyntheticScene scene = testing::MakeTestScene();
  const std::string root = dir.File("ben-v1");
  auto written = WriteBigEarthNetV1(scene, root, BigEarthNetWriteOptions());
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->patches.size(), 6u);  // 3 x 2 patches
  EXPECT_EQ(written->patches[2].id, "S2A_MSIL2A_20170613T101031_2_0");
  EXPECT_EQ(written->patches[2].s1_name, "S1A_IW_GRDH_1SDV_20170613T165043_33UUP_2_0");
  EXPECT_NE(std::find(written->patches[2].labels19.begin(), written->patches[2].labels19.end(),
                      "Inland waters"),
            written->patches[2].labels19.end());
  EXPECT_TRUE(written->patches[0].contains_cloud_or_shadow);
  EXPECT_FALSE(written->patches[4].contains_cloud_or_shadow);
  // No staging folder is left next to the output.
  EXPECT_EQ(dir.List(), std::vector<std::string>{"ben-v1"});

  auto dataset = OpenBigEarthNetV1(root, DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  ExpectMatchesScene(**dataset, *written, scene,
                     [&](const WrittenPatch& p) { return root + "/BigEarthNet-v1.0/" + p.id; });

  // With nearest resampling the 20 m and 60 m bands are the scene's pixels
  // repeated: patch (1, 1), B05 (20 m) and B09 (60 m).
  DatasetOptions nearest;
  nearest.s2_resampling = Resampling::kNearest;
  nearest.s2_bands = {"B05", "B09"};
  nearest.read_s1 = false;
  auto near_ds = OpenBigEarthNetV1(root, nearest);
  ASSERT_TRUE(near_ds.ok()) << near_ds.status().ToString();
  const WrittenPatch& truth = written->patches[4];
  size_t index = 0;
  while ((*near_ds)->record(index).id != truth.id) ++index;
  auto sample = (*near_ds)->Read(index);
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  const synth::S2Band& b05 = scene.s2[4];
  const synth::S2Band& b09 = scene.s2[9];
  ASSERT_EQ(b05.name, "B05");
  ASSERT_EQ(b09.name, "B09");
  for (int64_t r = 0; r < kP; ++r) {
    for (int64_t c = 0; c < kP; ++c) {
      ASSERT_EQ(sample->s2[r * kP + c],
                b05.data[((truth.y0_px + r) / 2) * b05.width + (truth.x0_px + c) / 2]);
      ASSERT_EQ(sample->s2[kP * kP + r * kP + c],
                b09.data[((truth.y0_px + r) / 6) * b09.width + (truth.x0_px + c) / 6]);
    }
  }
}

TEST(BigEarthNetWriter, V1FilesFollowTheRealLayout) {
  testing::TempDir dir;
  const synth::SyntheticScene scene = testing::MakeTestScene();
  const std::string root = dir.File("ben-v1");
  auto written = WriteBigEarthNetV1(scene, root, BigEarthNetWriteOptions());
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  const WrittenPatch& p = written->patches[4];  // col 1, row 1
  const fs::path s2 = fs::path(root) / "BigEarthNet-v1.0" / p.id;
  const fs::path s1 = fs::path(root) / "BigEarthNet-S1-v1.0" / p.s1_name;

  std::ifstream s2_in(s2 / (p.id + "_labels_metadata.json"));
  const nlohmann::json s2_json = nlohmann::json::parse(s2_in);
  EXPECT_EQ(s2_json["labels"].get<std::vector<std::string>>(), p.labels43);
  EXPECT_EQ(s2_json["coordinates"]["ulx"], 401200);
  EXPECT_EQ(s2_json["coordinates"]["uly"], 5398800);
  EXPECT_EQ(s2_json["coordinates"]["lrx"], 402400);
  EXPECT_EQ(s2_json["coordinates"]["lry"], 5397600);
  EXPECT_NE(s2_json["projection"].get<std::string>().find("UTM zone 33N"), std::string::npos);
  EXPECT_EQ(s2_json["acquisition_date"], "2017-06-13 10:10:31");
  std::ifstream s1_in(s1 / (p.s1_name + "_labels_metadata.json"));
  const nlohmann::json s1_json = nlohmann::json::parse(s1_in);
  EXPECT_EQ(s1_json["corresponding_s2_patch"], p.id);
  EXPECT_EQ(s1_json["coordinates"]["lly"], 5397600);  // the real files' quirk
  EXPECT_EQ(s1_json["labels"], s2_json["labels"]);

  // Band files at native resolution, as in the real archive.
  struct Expect {
    std::string file;
    int size;
    double pixel;
    GDALDataType type;
  };
  for (const Expect& e : {Expect{(s2 / (p.id + "_B02.tif")).string(), 120, 10, GDT_UInt16},
                          Expect{(s2 / (p.id + "_B8A.tif")).string(), 60, 20, GDT_UInt16},
                          Expect{(s2 / (p.id + "_B01.tif")).string(), 20, 60, GDT_UInt16},
                          Expect{(s1 / (p.s1_name + "_VH.tif")).string(), 120, 10, GDT_Float32}}) {
    GDALDatasetH ds = GDALOpen(e.file.c_str(), GA_ReadOnly);
    ASSERT_NE(ds, nullptr) << e.file;
    EXPECT_EQ(GDALGetRasterXSize(ds), e.size) << e.file;
    EXPECT_EQ(GDALGetRasterYSize(ds), e.size) << e.file;
    EXPECT_EQ(GDALGetRasterDataType(GDALGetRasterBand(ds, 1)), e.type) << e.file;
    double gt[6];
    ASSERT_EQ(GDALGetGeoTransform(ds, gt), CE_None);
    EXPECT_EQ(gt[0], 401200);
    EXPECT_EQ(gt[3], 5398800);
    EXPECT_EQ(gt[1], e.pixel);
    EXPECT_EQ(gt[5], -e.pixel);
    GDALClose(ds);
  }
  // Split lists hold every patch once.
  size_t listed = 0;
  for (const char* name : {"train.csv", "val.csv", "test.csv"}) {
    std::ifstream in(fs::path(root) / name);
    std::string line;
    while (std::getline(in, line)) listed += line.empty() ? 0 : 1;
  }
  EXPECT_EQ(listed, written->patches.size());
}

TEST(BigEarthNetWriter, SplitsAreDeterministicAndFollowTheFractions) {
  testing::TempDir dir;
  const synth::SyntheticScene scene = testing::MakeTestScene(600, 480);  // 5 x 4 patches
  auto a = WriteBigEarthNetV1(scene, dir.File("a"), BigEarthNetWriteOptions());
  auto b = WriteBigEarthNetV1(scene, dir.File("b"), BigEarthNetWriteOptions());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  std::map<std::string, int> counts;
  for (size_t i = 0; i < a->patches.size(); ++i) {
    EXPECT_EQ(a->patches[i].split, b->patches[i].split);
    ++counts[a->patches[i].split];
  }
  EXPECT_EQ(counts["train"], 12);
  EXPECT_EQ(counts["validation"], 4);
  EXPECT_EQ(counts["test"], 4);
  BigEarthNetWriteOptions other_seed;
  other_seed.split_seed = 7;
  auto c = WriteBigEarthNetV1(scene, dir.File("c"), other_seed);
  ASSERT_TRUE(c.ok());
  bool differs = false;
  for (size_t i = 0; i < a->patches.size(); ++i)
    differs |= a->patches[i].split != c->patches[i].split;
  EXPECT_TRUE(differs);
}

TEST(BigEarthNetWriter, V2RoundTripsThroughTheReader) {
  testing::TempDir dir;
  const synth::SyntheticScene scene = testing::MakeTestScene();
  const std::string root = dir.File("ben-v2");
  BigEarthNetWriteOptions options;
  options.label_min_fraction = 0.0;  // any pixel, as labels from reference maps
  auto written = WriteBigEarthNetV2(scene, root, options);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->patches.size(), 6u);
  const WrittenPatch& p = written->patches[5];
  EXPECT_EQ(p.id, "S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP_2_1");
  EXPECT_EQ(p.s2v1_name, "S2A_MSIL2A_20170613T101031_2_1");
  for (const fs::path& file :
       {fs::path(root) / "BigEarthNet-S2/S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP" / p.id /
            (p.id + "_B12.tif"),
        fs::path(root) / "BigEarthNet-S1/S1A_IW_GRDH_1SDV_20170613T165043" / p.s1_name /
            (p.s1_name + "_VV.tif"),
        fs::path(root) / "Reference_Maps/S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP" / p.id /
            (p.id + "_reference_map.tif"),
        fs::path(root) / "metadata.csv"}) {
    EXPECT_TRUE(fs::is_regular_file(file)) << file;
  }

  auto dataset = OpenBigEarthNetV2(root, DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  EXPECT_EQ((*dataset)->record(0).id, written->patches[0].id);  // metadata row order
  const std::string s2_root = root + "/BigEarthNet-S2/" + options.s2_product_v2 + "/";
  ExpectMatchesScene(**dataset, *written, scene,
                     [&](const WrittenPatch& patch) { return s2_root + patch.id; });

  // Labels from the reference maps agree with the metadata.
  DatasetOptions from_maps;
  from_maps.labels_from_reference_maps = true;
  auto mapped = OpenBigEarthNetV2(root, from_maps);
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  for (size_t i = 0; i < (*mapped)->size(); ++i) {
    EXPECT_EQ((*mapped)->record(i).labels, (*dataset)->record(i).labels);
  }

  // Excluding cloudy patches drops patch (0, 0).
  DatasetOptions clear_only;
  clear_only.exclude_snow_cloud_shadow = true;
  auto clear = OpenBigEarthNetV2(root, clear_only);
  ASSERT_TRUE(clear.ok()) << clear.status().ToString();
  EXPECT_EQ((*clear)->size(), 5u);
  EXPECT_NE((*clear)->record(0).id, written->patches[0].id);
}

// Rewrites metadata.csv as a GeoJSON table with a string-list "labels" field,
// the same OGR path a Parquet file takes.
void WriteMetadataAsGeoJson(const std::string& csv, const std::string& geojson) {
  GDALAllRegister();
  GDALDatasetH src = GDALOpenEx(csv.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  ASSERT_NE(src, nullptr);
  OGRLayerH in = GDALDatasetGetLayer(src, 0);
  GDALDatasetH dst =
      GDALCreate(GDALGetDriverByName("GeoJSON"), geojson.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
  ASSERT_NE(dst, nullptr);
  OGRLayerH out = GDALDatasetCreateLayer(dst, "metadata", nullptr, wkbNone, nullptr);
  for (const char* name : {"patch_id", "split", "s1_name"}) {
    OGRFieldDefnH field = OGR_Fld_Create(name, OFTString);
    OGR_L_CreateField(out, field, TRUE);
    OGR_Fld_Destroy(field);
  }
  OGRFieldDefnH list = OGR_Fld_Create("labels", OFTStringList);
  OGR_L_CreateField(out, list, TRUE);
  OGR_Fld_Destroy(list);
  OGR_L_ResetReading(in);
  while (OGRFeatureH f = OGR_L_GetNextFeature(in)) {
    OGRFeatureH g = OGR_F_Create(OGR_L_GetLayerDefn(out));
    for (const char* name : {"patch_id", "split", "s1_name"}) {
      OGR_F_SetFieldString(g, OGR_F_GetFieldIndex(g, name),
                           OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, name)));
    }
    const nlohmann::json labels =
        nlohmann::json::parse(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "labels")));
    std::vector<std::string> names = labels.get<std::vector<std::string>>();
    std::vector<const char*> pointers;
    for (const std::string& n : names) pointers.push_back(n.c_str());
    pointers.push_back(nullptr);
    OGR_F_SetFieldStringList(g, OGR_F_GetFieldIndex(g, "labels"), pointers.data());
    EXPECT_EQ(OGR_L_CreateFeature(out, g), OGRERR_NONE);
    OGR_F_Destroy(g);
    OGR_F_Destroy(f);
  }
  GDALClose(dst);
  GDALClose(src);
}

TEST(BigEarthNetV2Reader, ReadsMetadataThroughGdalVectorDrivers) {
  testing::TempDir dir;
  const std::string root = dir.File("ben-v2");
  auto written = WriteBigEarthNetV2(testing::MakeTestScene(), root, BigEarthNetWriteOptions());
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  WriteMetadataAsGeoJson(root + "/metadata.csv", dir.File("metadata.geojson"));
  DatasetOptions options;
  options.metadata_path = dir.File("metadata.geojson");
  auto from_geojson = OpenBigEarthNetV2(root, options);
  ASSERT_TRUE(from_geojson.ok()) << from_geojson.status().ToString();
  auto from_csv = OpenBigEarthNetV2(root, DatasetOptions());
  ASSERT_TRUE(from_csv.ok());
  ASSERT_EQ((*from_geojson)->size(), (*from_csv)->size());
  for (size_t i = 0; i < (*from_csv)->size(); ++i) {
    EXPECT_EQ((*from_geojson)->record(i).id, (*from_csv)->record(i).id);
    EXPECT_EQ((*from_geojson)->record(i).labels, (*from_csv)->record(i).labels);
    EXPECT_EQ((*from_geojson)->record(i).split, (*from_csv)->record(i).split);
  }
}

TEST(BigEarthNetV2Reader, MetadataErrorsNameTheFile) {
  testing::TempDir dir;
  const std::string root = dir.File("ben-v2");
  ASSERT_TRUE(WriteBigEarthNetV2(testing::MakeTestScene(), root, BigEarthNetWriteOptions()).ok());
  const std::string csv = root + "/metadata.csv";
  const std::string original = [&] {
    std::ifstream in(csv);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();

  // Missing column.
  std::string no_s1 = original;
  const size_t at = no_s1.find("s1_name");
  no_s1.replace(at, 7, "s1_nom");
  std::ofstream(csv, std::ios::trunc) << no_s1;
  auto missing = OpenBigEarthNetV2(root, DatasetOptions());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(csv), std::string::npos);
  EXPECT_NE(missing.status().message().find("missing column 's1_name'"), std::string::npos)
      << missing.status().message();
  DatasetOptions s2_only;
  s2_only.read_s1 = false;
  EXPECT_TRUE(OpenBigEarthNetV2(root, s2_only).ok());

  // Unknown label.
  std::string unknown = original;
  unknown.replace(unknown.find("Arable land"), 11, "Arable moon");
  std::ofstream(csv, std::ios::trunc) << unknown;
  auto bad_label = OpenBigEarthNetV2(root, DatasetOptions());
  ASSERT_FALSE(bad_label.ok());
  EXPECT_NE(bad_label.status().message().find(csv), std::string::npos);
  EXPECT_NE(bad_label.status().message().find("Arable moon"), std::string::npos);

  // Empty table.
  std::ofstream(csv, std::ios::trunc) << original.substr(0, original.find('\n') + 1);
  auto empty = OpenBigEarthNetV2(root, DatasetOptions());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no patches"), std::string::npos);

  // No metadata at all.
  fs::remove(csv);
  auto none = OpenBigEarthNetV2(root, DatasetOptions());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("metadata.csv"), std::string::npos);
}

TEST(BigEarthNetV2Reader, MissingBandFileNamesTheFile) {
  testing::TempDir dir;
  const std::string root = dir.File("ben-v2");
  auto written = WriteBigEarthNetV2(testing::MakeTestScene(), root, BigEarthNetWriteOptions());
  ASSERT_TRUE(written.ok());
  const WrittenPatch& p = written->patches[0];
  const std::string vh = root + "/BigEarthNet-S1/S1A_IW_GRDH_1SDV_20170613T165043/" + p.s1_name +
                         "/" + p.s1_name + "_VH.tif";
  fs::remove(vh);
  auto dataset = OpenBigEarthNetV2(root, DatasetOptions());
  ASSERT_TRUE(dataset.ok());
  auto sample = (*dataset)->Read(0);
  ASSERT_FALSE(sample.ok());
  EXPECT_NE(sample.status().message().find(vh), std::string::npos) << sample.status().message();
}

TEST(BigEarthNetWriter, GeneratedScenesRoundTrip) {
  synth::SynthOptions synth_options;
  synth_options.seed = 3;
  synth_options.width_px = 240;
  synth_options.height_px = 240;
  synth_options.cloud_fraction = 0.1;
  auto scene = synth::GenerateScene(synth_options);
  ASSERT_TRUE(scene.ok()) << scene.status().ToString();
  testing::TempDir dir;
  const std::string root = dir.File("generated");
  auto written = WriteBigEarthNetV2(*scene, root, BigEarthNetWriteOptions());
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_EQ(written->patches.size(), 4u);
  auto dataset = OpenBigEarthNetV2(root, DatasetOptions());
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  ExpectMatchesScene(**dataset, *written, *scene, [&](const WrittenPatch& p) {
    return root + "/BigEarthNet-S2/S2A_MSIL2A_20170613T101031_N9999_R022_T33UUP/" + p.id;
  });
}

TEST(BigEarthNetWriter, RefusesExistingFoldersAndBadScenesWithoutLeavingFiles) {
  testing::TempDir dir;
  const synth::SyntheticScene scene = testing::MakeTestScene();
  fs::create_directories(dir.path() / "exists");
  auto exists = WriteBigEarthNetV1(scene, dir.File("exists"), BigEarthNetWriteOptions());
  ASSERT_FALSE(exists.ok());
  EXPECT_NE(exists.status().message().find("already exists"), std::string::npos);

  synth::SyntheticScene broken = scene;
  broken.s2[3].data.pop_back();
  auto bad = WriteBigEarthNetV2(broken, dir.File("bad"), BigEarthNetWriteOptions());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("B04"), std::string::npos) << bad.status().message();

  synth::SyntheticScene foreign = scene;
  foreign.class_names[0] = "Rice paddies on Mars";
  auto unknown = WriteBigEarthNetV1(foreign, dir.File("unknown"), BigEarthNetWriteOptions());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("Rice paddies on Mars"), std::string::npos);

  auto tiny = WriteBigEarthNetV1(testing::MakeTestScene(60, 60), dir.File("tiny"),
                                 BigEarthNetWriteOptions());
  ASSERT_FALSE(tiny.ok());
  EXPECT_EQ(dir.List(), std::vector<std::string>{"exists"});
}

}  // namespace
}  // namespace mosaic::geo
