// Whole-scene GeoTIFFs, checked with GDAL itself (gdalinfo -json through the
// GDALInfo API, and coordinate transformations).
#include "mosaic/geo/scene_writer.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <gtest/gtest.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "geo/test_scene.h"
#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;

// `gdalinfo -json <path>` as parsed JSON.
nlohmann::json GdalInfoJson(const std::string& path) {
  GDALAllRegister();
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
  if (ds == nullptr) return nullptr;
  char* argv[] = {const_cast<char*>("-json"), nullptr};
  GDALInfoOptions* options = GDALInfoOptionsNew(argv, nullptr);
  char* text = GDALInfo(ds, options);
  GDALInfoOptionsFree(options);
  GDALClose(ds);
  nlohmann::json json = nlohmann::json::parse(text);
  CPLFree(text);
  return json;
}

int Epsg(const nlohmann::json& info) {
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  const std::string wkt = info["coordinateSystem"]["wkt"].get<std::string>();
  int epsg = 0;
  if (OSRImportFromWkt(srs, std::vector<char*>{const_cast<char*>(wkt.c_str())}.data()) ==
          OGRERR_NONE &&
      OSRAutoIdentifyEPSG(srs) == OGRERR_NONE && OSRGetAuthorityCode(srs, nullptr) != nullptr) {
    epsg = std::atoi(OSRGetAuthorityCode(srs, nullptr));
  }
  OSRDestroySpatialReference(srs);
  return epsg;
}

TEST(SceneWriter, WritesGeoreferencedTiledDeflateGeoTiffs) {
  testing::TempDir dir;
  const synth::SyntheticScene scene = testing::MakeTestScene();
  auto files = WriteSceneGeoTiffs(scene, dir.File("scene"), SceneWriteOptions());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(dir.List(), std::vector<std::string>{"scene"});
  ASSERT_EQ(files->s2_band_files.size(), 12u);

  struct Expect {
    std::string path;
    int width, height, bands;
    double pixel;
    std::string type;
  };
  const std::vector<Expect> expected = {
      {files->s2_band_files[0], 60, 40, 1, 60, "UInt16"},    // B01, 60 m
      {files->s2_band_files[1], 360, 240, 1, 10, "UInt16"},  // B02, 10 m
      {files->s2_band_files[4], 180, 120, 1, 20, "UInt16"},  // B05, 20 m
      {files->s2_stack_10m, 360, 240, 12, 10, "UInt16"},
      {files->s1, 360, 240, 2, 10, "Float32"},
      {files->land_cover, 360, 240, 1, 10, "Byte"},
      {files->cloud_mask, 360, 240, 1, 10, "Byte"},
  };
  for (const Expect& e : expected) {
    const nlohmann::json info = GdalInfoJson(e.path);
    ASSERT_FALSE(info.is_null()) << e.path;
    EXPECT_EQ(info["size"][0], e.width) << e.path;
    EXPECT_EQ(info["size"][1], e.height) << e.path;
    ASSERT_EQ(info["bands"].size(), static_cast<size_t>(e.bands)) << e.path;
    EXPECT_EQ(info["bands"][0]["type"], e.type) << e.path;
    EXPECT_EQ(info["bands"][0]["block"][0], 256) << e.path;  // tiled
    EXPECT_EQ(info["metadata"]["IMAGE_STRUCTURE"]["COMPRESSION"], "DEFLATE") << e.path;
    EXPECT_EQ(Epsg(info), 32633) << e.path;
    const auto& gt = info["geoTransform"];
    EXPECT_EQ(gt[0], 400000.0) << e.path;
    EXPECT_EQ(gt[1], e.pixel) << e.path;
    EXPECT_EQ(gt[3], 5400000.0) << e.path;
    EXPECT_EQ(gt[5], -e.pixel) << e.path;
  }
  const nlohmann::json stack = GdalInfoJson(files->s2_stack_10m);
  EXPECT_EQ(stack["bands"][8]["description"], "B8A");
  const nlohmann::json s1 = GdalInfoJson(files->s1);
  EXPECT_EQ(s1["bands"][0]["description"], "VV");
  EXPECT_EQ(s1["bands"][1]["description"], "VH");

  // Pixel values: the stack repeats the 20 m band exactly; S1 and land cover as given.
  const std::vector<float> b05 = testing::GdalRead(files->s2_stack_10m, 5, 360, 240);
  EXPECT_EQ(b05[static_cast<size_t>(101 * 360 + 33)], scene.s2[4].data[50 * 180 + 16]);
  const std::vector<float> vh = testing::GdalRead(files->s1, 2, 360, 240);
  EXPECT_EQ(vh[12345], scene.s1_vh[12345]);
  const std::vector<float> lc = testing::GdalRead(files->land_cover, 1, 360, 240);
  EXPECT_EQ(lc[200 * 360 + 300], scene.land_cover[200 * 360 + 300]);
  const nlohmann::json land_cover = GdalInfoJson(files->land_cover);
  EXPECT_EQ(land_cover["bands"][0]["categories"],
            nlohmann::json({"Arable land", "Coniferous forest", "Urban fabric", "Inland waters"}));
}

TEST(SceneWriter, GeoreferenceOptionsAreHonoured) {
  testing::TempDir dir;
  SceneWriteOptions options;
  options.georef.epsg = 32632;
  options.georef.origin_x_m = 600000;
  options.georef.origin_y_m = 5300000;
  auto files = WriteSceneGeoTiffs(testing::MakeTestScene(120, 120), dir.File("s"), options);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const nlohmann::json info = GdalInfoJson(files->s2_stack_10m);
  EXPECT_EQ(Epsg(info), 32632);
  EXPECT_EQ(info["geoTransform"][0], 600000.0);
  EXPECT_EQ(info["geoTransform"][3], 5300000.0);
}

// S1's footprint, transformed into the S2 CRS, overlaps S2's footprint.
TEST(SceneWriter, S1OnAnotherCrsOverlapsS2) {
  testing::TempDir dir;
  const synth::SyntheticScene scene = testing::MakeTestScene();
  for (int epsg : {4326, 32634}) {
    SceneWriteOptions options;
    options.s1_grid.epsg = epsg;
    const std::string out = dir.File("scene-" + std::to_string(epsg));
    auto files = WriteSceneGeoTiffs(scene, out, options);
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    const nlohmann::json s1 = GdalInfoJson(files->s1);
    EXPECT_EQ(Epsg(s1), epsg);
    EXPECT_EQ(s1["bands"].size(), 2u);
    EXPECT_EQ(s1["bands"][0]["description"], "VV");
    EXPECT_EQ(Epsg(GdalInfoJson(files->s2_stack_10m)), 32633);
    // S1 corners in the S2 CRS.
    const auto& gt = s1["geoTransform"];
    const double w = s1["size"][0].get<double>();
    const double h = s1["size"][1].get<double>();
    OGRSpatialReferenceH src = OSRNewSpatialReference(nullptr);
    OGRSpatialReferenceH dst = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(src, epsg);
    OSRImportFromEPSG(dst, 32633);
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(src, dst);
    double xs[4] = {gt[0].get<double>(), gt[0].get<double>() + w * gt[1].get<double>(),
                    gt[0].get<double>(), gt[0].get<double>() + w * gt[1].get<double>()};
    double ys[4] = {gt[3].get<double>(), gt[3].get<double>(),
                    gt[3].get<double>() + h * gt[5].get<double>(),
                    gt[3].get<double>() + h * gt[5].get<double>()};
    ASSERT_TRUE(OCTTransform(ct, 4, xs, ys, nullptr));
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(src);
    OSRDestroySpatialReference(dst);
    const double s1_xmin = *std::min_element(xs, xs + 4);
    const double s1_xmax = *std::max_element(xs, xs + 4);
    const double s1_ymin = *std::min_element(ys, ys + 4);
    const double s1_ymax = *std::max_element(ys, ys + 4);
    // S2 footprint: x 400000..403600, y 5397600..5400000. S1 must cover most of it.
    const double ox = std::min(s1_xmax, 403600.0) - std::max(s1_xmin, 400000.0);
    const double oy = std::min(s1_ymax, 5400000.0) - std::max(s1_ymin, 5397600.0);
    EXPECT_GT(ox, 0.9 * 3600) << epsg;
    EXPECT_GT(oy, 0.9 * 2400) << epsg;
    // And holds real data (NaN only outside the scene).
    const std::vector<float> vv =
        testing::GdalRead(files->s1, 1, static_cast<int>(w), static_cast<int>(h));
    const size_t centre = static_cast<size_t>((h / 2) * w + w / 2);
    EXPECT_TRUE(std::isfinite(vv[centre]));
    EXPECT_LT(vv[centre], 0.0f);
  }
}

TEST(SceneWriter, S1OnAShiftedGridIsResampled) {
  testing::TempDir dir;
  const synth::SyntheticScene scene = testing::MakeTestScene();
  SceneWriteOptions options;
  options.s1_grid.shift_x_m = 5;  // half a pixel east and south
  options.s1_grid.shift_y_m = -5;
  auto files = WriteSceneGeoTiffs(scene, dir.File("s"), options);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const nlohmann::json info = GdalInfoJson(files->s1);
  EXPECT_EQ(Epsg(info), 32633);
  EXPECT_EQ(info["geoTransform"][0], 400005.0);
  EXPECT_EQ(info["geoTransform"][3], 5399995.0);
  EXPECT_EQ(info["size"][0], 360);
  const std::vector<float> vv = testing::GdalRead(files->s1, 1, 360, 240);
  // Shifted pixel (c, r) is centred on the corner shared by source pixels
  // (c..c+1, r..r+1): bilinear gives their mean.
  for (int r : {10, 77, 150}) {
    for (int c : {3, 100, 222}) {
      auto at = [&](int y, int x) { return scene.s1_vv[static_cast<size_t>(y * 360 + x)]; };
      const float mean = (at(r, c) + at(r, c + 1) + at(r + 1, c) + at(r + 1, c + 1)) / 4;
      EXPECT_NEAR(vv[static_cast<size_t>(r * 360 + c)], mean, 1e-4) << r << "," << c;
    }
  }
}

TEST(SceneWriter, ErrorsLeaveNothingBehind) {
  testing::TempDir dir;
  synth::SyntheticScene scene = testing::MakeTestScene(120, 120);
  SceneWriteOptions bad_crs;
  bad_crs.georef.epsg = 999999;
  auto crs = WriteSceneGeoTiffs(scene, dir.File("a"), bad_crs);
  ASSERT_FALSE(crs.ok());
  EXPECT_NE(crs.status().message().find("EPSG:999999"), std::string::npos);
  scene.s1_vv.resize(10);
  auto sizes = WriteSceneGeoTiffs(scene, dir.File("b"), SceneWriteOptions());
  ASSERT_FALSE(sizes.ok());
  EXPECT_NE(sizes.status().message().find("s1_vv"), std::string::npos);
  EXPECT_TRUE(dir.List().empty());
}

}  // namespace
}  // namespace mosaic::geo
