// The scene engine (mosaic/geo/scene_predict.h) checked against expectations
// that do not come from the engine: outputs are read back with GDAL's C API,
// patch predictions are recomputed with PatchClassifier on windows read with
// GDAL RasterIO, S1 is pre-warped with the real gdalwarp tool, and the tiling
// helpers are checked against values worked out by hand.
#include "mosaic/geo/scene_predict.h"

#include <cpl_conv.h>
#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "geo/scene_tiling.h"
#include "mosaic/geo/scene_session.h"
#include "mosaic/geo/scene_writer.h"
#include "mosaic/patch_classifier.h"
#include "mosaic/synth/scene_generator.h"
#include "testing/temp_dir.h"

namespace mosaic::geo {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr double kPi = 3.14159265358979323846;

std::string SampleModel() { return std::string(MOSAIC_SAMPLE_DATA_DIR) + "/mosaic-sample.mosaic"; }

// The sample model, opened once for the tests that call it directly.
const PatchClassifier& Classifier() {
  static const std::unique_ptr<PatchClassifier> classifier = [] {
    StatusOr<std::unique_ptr<PatchClassifier>> c = PatchClassifier::Open(SampleModel());
    if (!c.ok()) {
      ADD_FAILURE() << c.status().ToString();
      std::abort();
    }
    return std::move(*c);
  }();
  return *classifier;
}

// ------------------------------------------------------------- GDAL helpers

// Everything a test needs from a raster, read with the GDAL C API.
struct Raster {
  int width = 0;
  int height = 0;
  int bands = 0;
  std::array<double, 6> gt{};
  std::string wkt;
  std::vector<std::string> descriptions;
  bool has_nodata = false;
  double nodata = 0.0;
  std::vector<float> data;  // [bands][height][width]

  float At(int band, int x, int y) const {  // band is 0-based
    return data[(static_cast<size_t>(band) * height + y) * width + x];
  }
};

Raster ReadRaster(const std::string& path) {
  GDALAllRegister();
  Raster r;
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
  EXPECT_NE(ds, nullptr) << path;
  if (ds == nullptr) return r;
  r.width = GDALGetRasterXSize(ds);
  r.height = GDALGetRasterYSize(ds);
  r.bands = GDALGetRasterCount(ds);
  GDALGetGeoTransform(ds, r.gt.data());
  r.wkt = GDALGetProjectionRef(ds);
  for (int b = 1; b <= r.bands; ++b) {
    r.descriptions.push_back(GDALGetDescription(GDALGetRasterBand(ds, b)));
  }
  int has = 0;
  r.nodata = GDALGetRasterNoDataValue(GDALGetRasterBand(ds, 1), &has);
  r.has_nodata = has != 0;
  r.data.resize(static_cast<size_t>(r.bands) * r.width * r.height);
  EXPECT_EQ(GDALDatasetRasterIO(ds, GF_Read, 0, 0, r.width, r.height, r.data.data(), r.width,
                                r.height, GDT_Float32, r.bands, nullptr, 0, 0, 0),
            CE_None);
  GDALClose(ds);
  return r;
}

int EpsgOf(const std::string& wkt) {
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  char* text = const_cast<char*>(wkt.c_str());
  int epsg = 0;
  if (OSRImportFromWkt(srs, &text) == OGRERR_NONE && OSRAutoIdentifyEPSG(srs) == OGRERR_NONE &&
      OSRGetAuthorityCode(srs, nullptr) != nullptr) {
    epsg = std::atoi(OSRGetAuthorityCode(srs, nullptr));
  }
  OSRDestroySpatialReference(srs);
  return epsg;
}

// Writes a north-up GeoTIFF in EPSG `epsg`; `values` is [bands][height][width].
void WriteRaster(const std::string& path, int width, int height, GDALDataType type,
                 const std::array<double, 6>& gt, int epsg, const std::vector<float>& values,
                 const std::vector<std::string>& descriptions,
                 std::optional<double> nodata = std::nullopt) {
  GDALAllRegister();
  const int bands = static_cast<int>(descriptions.size());
  ASSERT_EQ(values.size(), static_cast<size_t>(bands) * width * height);
  char* options[] = {const_cast<char*>("TILED=YES"), nullptr};
  GDALDatasetH ds =
      GDALCreate(GDALGetDriverByName("GTiff"), path.c_str(), width, height, bands, type, options);
  ASSERT_NE(ds, nullptr) << path;
  GDALSetGeoTransform(ds, const_cast<double*>(gt.data()));
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  OSRImportFromEPSG(srs, epsg);
  char* wkt = nullptr;
  OSRExportToWkt(srs, &wkt);
  GDALSetProjection(ds, wkt);
  CPLFree(wkt);
  OSRDestroySpatialReference(srs);
  for (int b = 0; b < bands; ++b) {
    GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
    GDALSetDescription(band, descriptions[b].c_str());
    if (nodata.has_value()) GDALSetRasterNoDataValue(band, *nodata);
  }
  ASSERT_EQ(
      GDALDatasetRasterIO(ds, GF_Write, 0, 0, width, height, const_cast<float*>(values.data()),
                          width, height, GDT_Float32, bands, nullptr, 0, 0, 0),
      CE_None);
  GDALClose(ds);
}

// Sets a rectangle of bands `bands` (1-based) of an existing raster to `value`.
void FillBlock(const std::string& path, const std::vector<int>& bands, int x0, int y0, int w, int h,
               float value) {
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_Update);
  ASSERT_NE(ds, nullptr) << path;
  std::vector<float> block(static_cast<size_t>(w * h), value);
  for (int b : bands) {
    ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(ds, b), GF_Write, x0, y0, w, h, block.data(), w, h,
                           GDT_Float32, 0, 0),
              CE_None);
  }
  GDALClose(ds);
}

// ------------------------------------------------------------ scene helpers

// A synthetic S1 + S2 scene written by the scene writer into dir/scene.
SceneFiles WriteScene(const TempDir& dir, int64_t width, int64_t height, uint64_t seed = 7,
                      const SceneWriteOptions& write_options = SceneWriteOptions(),
                      const std::string& name = "scene") {
  synth::SynthOptions o;
  o.seed = seed;
  o.width_px = width;
  o.height_px = height;
  StatusOr<synth::SyntheticScene> scene = synth::GenerateScene(o);
  EXPECT_TRUE(scene.ok()) << scene.status().ToString();
  StatusOr<SceneFiles> files = WriteSceneGeoTiffs(*scene, dir.File(name), write_options);
  EXPECT_TRUE(files.ok()) << files.status().ToString();
  return *files;
}

SceneInputs InputsOf(const SceneFiles& files) {
  SceneInputs inputs;
  inputs.s2 = {files.s2_stack_10m};
  inputs.s1 = {files.s1};
  return inputs;
}

ScenePredictOptions Options(const std::string& output) {
  ScenePredictOptions o;
  o.model = SampleModel();
  o.output = output;
  o.stride_px = 60;
  o.blend = BlendWindow::kHann;
  return o;
}

ScenePredictResult MustPredict(const SceneInputs& inputs, const ScenePredictOptions& options) {
  StatusOr<ScenePredictResult> result = PredictScene(inputs, options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : ScenePredictResult{};
}

// Typical L2A reflectances (×10000) of vegetation per model band, and σ0 in dB.
const std::map<std::string, float>& TypicalValues() {
  static const std::map<std::string, float> values = {
      {"B01", 300},  {"B02", 400},  {"B03", 700},   {"B04", 500},  {"B05", 1000},
      {"B06", 2100}, {"B07", 2600}, {"B08", 2800},  {"B8A", 2900}, {"B09", 2700},
      {"B11", 2000}, {"B12", 1200}, {"VV", -11.0f}, {"VH", -17.5f}};
  return values;
}

// Spatially constant S2 (UInt16, 12 bands) and S1 (Float32, VV VH) GeoTIFFs.
SceneInputs WriteConstantScene(const TempDir& dir, int width, int height) {
  const std::array<double, 6> gt = {500000.0, 10.0, 0.0, 5300000.0, 0.0, -10.0};
  const ModelManifest& m = Classifier().manifest();
  const size_t plane = static_cast<size_t>(width * height);
  std::vector<float> s2, s1;
  for (const std::string& b : m.s2.bands) s2.insert(s2.end(), plane, TypicalValues().at(b));
  for (const std::string& b : m.s1.bands) s1.insert(s1.end(), plane, TypicalValues().at(b));
  const std::string tag = std::to_string(width) + "x" + std::to_string(height);
  SceneInputs inputs;
  inputs.s2 = {dir.File("const_s2_" + tag + ".tif")};
  inputs.s1 = {dir.File("const_s1_" + tag + ".tif")};
  WriteRaster(inputs.s2[0], width, height, GDT_UInt16, gt, 32632, s2, m.s2.bands);
  WriteRaster(inputs.s1[0], width, height, GDT_Float32, gt, 32632, s1, m.s1.bands);
  return inputs;
}

// Reads a patch (bands in manifest order) from a raster whose band
// descriptions name the bands, or in band order when `by_index`.
std::vector<float> ReadPatch(const std::string& path, const std::vector<std::string>& bands, int x0,
                             int y0, int size, bool by_index) {
  GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
  EXPECT_NE(ds, nullptr);
  std::vector<float> out(bands.size() * size * size, std::nanf(""));
  if (ds == nullptr) return out;
  for (size_t i = 0; i < bands.size(); ++i) {
    int source = by_index ? static_cast<int>(i) + 1 : 0;
    for (int b = 1; !by_index && b <= GDALGetRasterCount(ds); ++b) {
      if (bands[i] == GDALGetDescription(GDALGetRasterBand(ds, b))) source = b;
    }
    EXPECT_GT(source, 0) << "band " << bands[i] << " not in " << path;
    if (source == 0) continue;
    EXPECT_EQ(GDALRasterIO(GDALGetRasterBand(ds, source), GF_Read, x0, y0, size, size,
                           out.data() + i * size * size, size, size, GDT_Float32, 0, 0),
              CE_None);
  }
  GDALClose(ds);
  return out;
}

bool FilesEqual(const std::string& a, const std::string& b) {
  const std::vector<char> x = testing::ReadBytes(a), y = testing::ReadBytes(b);
  return !x.empty() && x == y;
}

// ======================================================= tiling (private helpers)

using internal::BlendWeights;
using internal::CoarseCellCount;
using internal::CoarsePatchOrigin;
using internal::CoarseStrips;
using internal::DensePatchOrigins;
using internal::DenseStrips;
using V = std::vector<int64_t>;

TEST(SceneTilingTest, DenseOriginsShiftEndAtTheEdge) {
  EXPECT_EQ(DensePatchOrigins(360, 120, 60, EdgeMode::kShift), (V{0, 60, 120, 180, 240}));
  EXPECT_EQ(DensePatchOrigins(360, 120, 120, EdgeMode::kShift), (V{0, 120, 240}));
  EXPECT_EQ(DensePatchOrigins(250, 120, 60, EdgeMode::kShift), (V{0, 60, 120, 130}));
  EXPECT_EQ(DensePatchOrigins(170, 120, 60, EdgeMode::kShift), (V{0, 50}));
  EXPECT_EQ(DensePatchOrigins(120, 120, 60, EdgeMode::kShift), (V{0}));
  EXPECT_EQ(DensePatchOrigins(121, 120, 60, EdgeMode::kShift), (V{0, 1}));
  // The shifted last patch would land on the previous origin: no duplicate.
  EXPECT_EQ(DensePatchOrigins(180, 120, 60, EdgeMode::kShift), (V{0, 60}));
}

TEST(SceneTilingTest, DenseOriginsReflectRunPastTheEdge) {
  EXPECT_EQ(DensePatchOrigins(360, 120, 60, EdgeMode::kReflect), (V{0, 60, 120, 180, 240}));
  EXPECT_EQ(DensePatchOrigins(250, 120, 60, EdgeMode::kReflect), (V{0, 60, 120, 180}));
  EXPECT_EQ(DensePatchOrigins(170, 120, 60, EdgeMode::kReflect), (V{0, 60}));
  EXPECT_EQ(DensePatchOrigins(1, 120, 60, EdgeMode::kReflect), (V{0}));
}

TEST(SceneTilingTest, DenseOriginsSmallerThanAPatch) {
  // A side shorter than the patch has one patch at 0, whatever the mode.
  EXPECT_EQ(DensePatchOrigins(100, 120, 60, EdgeMode::kReflect), (V{0}));
  EXPECT_EQ(DensePatchOrigins(100, 120, 60, EdgeMode::kShift), (V{0}));
  EXPECT_EQ(DensePatchOrigins(90, 120, 60, EdgeMode::kShift), (V{0}));
}

TEST(SceneTilingTest, DenseOriginsCoverEveryPixel) {
  for (EdgeMode mode : {EdgeMode::kShift, EdgeMode::kReflect}) {
    for (int64_t size : {1, 59, 100, 119, 120, 121, 179, 250, 361, 1000}) {
      for (int64_t stride : {1, 7, 60, 119, 120}) {
        const V origins = DensePatchOrigins(size, 120, stride, mode);
        std::vector<int> covered(static_cast<size_t>(size), 0);
        for (int64_t o : origins) {
          EXPECT_GE(o, 0);
          for (int64_t x = o; x < std::min(size, o + 120); ++x) covered[x] = 1;
        }
        EXPECT_EQ(std::count(covered.begin(), covered.end(), 0), 0)
            << "size " << size << " stride " << stride;
        if (mode == EdgeMode::kShift && size >= 120) {
          EXPECT_EQ(origins.back() + 120, size);
        }
      }
    }
  }
}

TEST(SceneTilingTest, CoarseCellsAndCentredPatches) {
  EXPECT_EQ(CoarseCellCount(240, 60), 4);
  EXPECT_EQ(CoarseCellCount(250, 60), 5);
  EXPECT_EQ(CoarseCellCount(1, 60), 1);
  // Cell c covers [60c, 60c + 60): its centre 60c + 30, the patch from 60c - 30.
  EXPECT_EQ(CoarsePatchOrigin(0, 120, 60), -30);
  EXPECT_EQ(CoarsePatchOrigin(1, 120, 60), 30);
  EXPECT_EQ(CoarsePatchOrigin(4, 120, 60), 210);
  EXPECT_EQ(CoarsePatchOrigin(0, 120, 120), 0);
  EXPECT_EQ(CoarsePatchOrigin(2, 120, 120), 240);
  // Half-pixel centres round down: cell 0 of stride 25 is centred on 12.5,
  // the patch would start at -47.5 -> -48; cell 1: 37.5 - 60 = -22.5 -> -23.
  EXPECT_EQ(CoarsePatchOrigin(0, 120, 25), -48);
  EXPECT_EQ(CoarsePatchOrigin(1, 120, 25), -23);
  EXPECT_EQ(CoarsePatchOrigin(3, 120, 25), 27);
}

TEST(SceneTilingTest, BlendWeightsByHand) {
  const std::vector<float> uniform = BlendWeights(BlendWindow::kUniform, 4, 0.25);
  EXPECT_EQ(uniform, (std::vector<float>{1, 1, 1, 1}));

  const std::vector<float> hann = BlendWeights(BlendWindow::kHann, 4, 0.25);
  ASSERT_EQ(hann.size(), 4u);
  const double s0 = std::sin(kPi * 0.5 / 4), s1 = std::sin(kPi * 1.5 / 4);
  EXPECT_NEAR(hann[0], s0 * s0, 1e-7);  // 0.1464466
  EXPECT_NEAR(hann[1], s1 * s1, 1e-7);  // 0.8535534
  EXPECT_NEAR(hann[2], s1 * s1, 1e-7);
  EXPECT_NEAR(hann[3], s0 * s0, 1e-7);
  EXPECT_NEAR(hann[0], 0.14644661, 1e-7);

  // σ = 0.25 · 4 = 1 px; centre at 2: d = -1.5, -0.5, 0.5, 1.5.
  const std::vector<float> gauss = BlendWeights(BlendWindow::kGaussian, 4, 0.25);
  EXPECT_NEAR(gauss[0], std::exp(-1.125), 1e-7);
  EXPECT_NEAR(gauss[1], std::exp(-0.125), 1e-7);
  EXPECT_NEAR(gauss[2], std::exp(-0.125), 1e-7);
  EXPECT_NEAR(gauss[3], std::exp(-1.125), 1e-7);

  // Every weight stays positive, even far in the tails.
  for (float w : BlendWeights(BlendWindow::kGaussian, 120, 0.05)) EXPECT_GT(w, 0.0f);
  for (float w : BlendWeights(BlendWindow::kHann, 120, 0.25)) EXPECT_GT(w, 0.0f);
}

TEST(SceneTilingTest, StripsTakeEveryOverlappingPatch) {
  const V origins = {0, 60, 120, 180, 240, 300, 360, 420, 480};  // width 600, patch 120
  const std::vector<internal::Strip> strips = DenseStrips(origins, 120, 600, 256);
  ASSERT_EQ(strips.size(), 3u);
  // Core [0, 256): patches 0..240 (origin 240 covers 240..359) -> indices 0..4.
  EXPECT_EQ(strips[0].core_begin, 0);
  EXPECT_EQ(strips[0].core_end, 256);
  EXPECT_EQ(strips[0].first_patch, 0);
  EXPECT_EQ(strips[0].end_patch, 5);
  // Core [256, 512): origins 180 (to 299) .. 480 -> indices 3..8.
  EXPECT_EQ(strips[1].first_patch, 3);
  EXPECT_EQ(strips[1].end_patch, 9);
  // Core [512, 600): origins 420, 480 -> indices 7..8.
  EXPECT_EQ(strips[2].core_end, 600);
  EXPECT_EQ(strips[2].first_patch, 7);
  EXPECT_EQ(strips[2].end_patch, 9);

  const std::vector<internal::Strip> coarse = CoarseStrips(10, 4);
  ASSERT_EQ(coarse.size(), 3u);
  EXPECT_EQ(coarse[2].core_begin, 8);
  EXPECT_EQ(coarse[2].core_end, 10);
  EXPECT_EQ(coarse[2].first_patch, 8);
  EXPECT_EQ(coarse[2].end_patch, 10);
}

// ================================================================ the engine

TEST(ScenePredictTest, OutputGeoreferencingMatchesTheInputs) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 180);
  const Raster s2 = ReadRaster(files.s2_stack_10m);
  const ModelManifest& m = Classifier().manifest();

  ScenePredictOptions o = Options(dir.File("dense.tif"));
  const ScenePredictResult dense = MustPredict(InputsOf(files), o);
  EXPECT_EQ(dense.width, 240);
  EXPECT_EQ(dense.height, 180);
  EXPECT_EQ(dense.files, std::vector<std::string>{o.output});
  const Raster out = ReadRaster(o.output);
  EXPECT_EQ(EpsgOf(out.wkt), 32633);
  EXPECT_EQ(EpsgOf(out.wkt), EpsgOf(s2.wkt));
  EXPECT_EQ(out.gt, s2.gt);
  EXPECT_EQ(out.width, 240);
  EXPECT_EQ(out.height, 180);
  EXPECT_EQ(out.bands, static_cast<int>(m.class_names.size()));
  EXPECT_EQ(out.bands, 19);
  EXPECT_EQ(out.descriptions, m.class_names);
  EXPECT_TRUE(out.has_nodata);
  EXPECT_EQ(out.nodata, -1.0);
  for (float v : out.data) {
    ASSERT_GE(v, 0.0f);
    ASSERT_LE(v, 1.0f);
  }

  // Coarse: one pixel per 60 px cell, same origin, 600 m pixels.
  o.output = dir.File("coarse.tif");
  o.grid = OutputGrid::kCoarse;
  const ScenePredictResult coarse = MustPredict(InputsOf(files), o);
  const Raster c = ReadRaster(o.output);
  EXPECT_EQ(coarse.width, 4);
  EXPECT_EQ(coarse.height, 3);
  EXPECT_EQ(c.width, 4);
  EXPECT_EQ(c.height, 3);
  EXPECT_EQ(EpsgOf(c.wkt), 32633);
  EXPECT_EQ(c.gt, (std::array<double, 6>{s2.gt[0], 600.0, 0.0, s2.gt[3], 0.0, -600.0}));
  EXPECT_EQ(c.descriptions, m.class_names);
  EXPECT_EQ(c.nodata, -1.0);
}

TEST(ScenePredictTest, PatchCentresEqualTheModelOnThatWindow) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 360, 360, 11);
  const ModelManifest& m = Classifier().manifest();
  const int P = static_cast<int>(m.patch_size_px);
  ASSERT_EQ(P, 120);
  const int classes = static_cast<int>(m.class_names.size());

  // The nine windows, read with GDAL, bands in manifest order.
  std::vector<float> s1, s2;
  std::vector<std::array<int, 2>> origins;
  for (int y : {0, 120, 240}) {
    for (int x : {0, 120, 240}) {
      const std::vector<float> a = ReadPatch(files.s2_stack_10m, m.s2.bands, x, y, P, false);
      const std::vector<float> b = ReadPatch(files.s1, m.s1.bands, x, y, P, true);
      s2.insert(s2.end(), a.begin(), a.end());
      s1.insert(s1.end(), b.begin(), b.end());
      origins.push_back({x, y});
    }
  }
  // The synthetic scene has water pixels whose B11/B12 reflectance is
  // exactly 0, which is L2A's fill value and by default S2 nodata: the engine
  // replaces such values by the band's normalisation mean. The same windows
  // with that replacement done here:
  std::vector<float> s2_filled = s2;
  int64_t zeros = 0;
  for (size_t i = 0; i < s2_filled.size(); ++i) {
    const size_t band = (i / static_cast<size_t>(P * P)) % m.s2.bands.size();
    if (s2_filled[i] == 0.0f) {
      s2_filled[i] = static_cast<float>(m.s2.normalization.mean[band]);
      ++zeros;
    }
  }
  auto classify = [&](const std::vector<float>& s2_values) {
    PatchBatch batch;
    batch.count = static_cast<int64_t>(origins.size());
    batch.height = batch.width = P;
    batch.s1 = s1.data();
    batch.s2 = s2_values.data();
    std::vector<float> p;
    EXPECT_TRUE(Classifier().Classify(batch, HeadChoice::kFused, &p).ok());
    return p;
  };

  for (const bool zero_is_nodata : {false, true}) {
    ScenePredictOptions o =
        Options(dir.File(zero_is_nodata ? "zero_is_nodata.tif" : "no_nodata.tif"));
    o.stride_px = 120;
    o.blend = BlendWindow::kUniform;
    if (!zero_is_nodata) o.s2_nodata = std::nan("");  // raw values, no fill
    const ScenePredictResult result = MustPredict(InputsOf(files), o);
    EXPECT_EQ(result.patches_inferred, 9);
    EXPECT_EQ(result.patches_by_head[0], 9);
    const Raster out = ReadRaster(o.output);
    const std::vector<float> expected = classify(zero_is_nodata ? s2_filled : s2);
    ASSERT_EQ(expected.size(), origins.size() * classes);
    for (size_t i = 0; i < origins.size(); ++i) {
      const int cx = origins[i][0] + P / 2, cy = origins[i][1] + P / 2;
      for (int c = 0; c < classes; ++c) {
        EXPECT_NEAR(out.At(c, cx, cy), expected[i * classes + c], 1e-5)
            << "patch at " << origins[i][0] << "," << origins[i][1] << " class " << c
            << (zero_is_nodata ? " (zero is S2 nodata)" : " (no S2 nodata)");
      }
    }
  }
  RecordProperty("s2_zero_values", std::to_string(zeros));
}

TEST(ScenePredictTest, ConstantSceneGivesConstantOutputWithoutSeamsOrEdgeEffects) {
  TempDir dir;
  const ModelManifest& m = Classifier().manifest();
  const int classes = static_cast<int>(m.class_names.size());
  // What the model says about the constant patch.
  const int64_t P = m.patch_size_px;
  std::vector<float> s1, s2;
  for (const std::string& b : m.s1.bands) s1.insert(s1.end(), P * P, TypicalValues().at(b));
  for (const std::string& b : m.s2.bands) s2.insert(s2.end(), P * P, TypicalValues().at(b));
  PatchBatch batch;
  batch.count = 1;
  batch.height = batch.width = P;
  batch.s1 = s1.data();
  batch.s2 = s2.data();
  std::vector<float> expected;
  ASSERT_TRUE(Classifier().Classify(batch, HeadChoice::kFused, &expected).ok());

  // 250 x 170: not a multiple of the stride; 100 x 90: smaller than a patch
  // (shift falls back to reflect); 360 x 240: the plain case.
  for (const auto& [w, h] : std::vector<std::pair<int, int>>{{360, 240}, {250, 170}, {100, 90}}) {
    const SceneInputs inputs = WriteConstantScene(dir, w, h);
    for (EdgeMode edges : {EdgeMode::kShift, EdgeMode::kReflect}) {
      for (OutputGrid grid : {OutputGrid::kDense, OutputGrid::kCoarse}) {
        const std::string what = std::to_string(w) + "x" + std::to_string(h) + " " +
                                 EdgeModeName(edges) + " " + OutputGridName(grid);
        ScenePredictOptions o =
            Options(dir.File("out_" + std::to_string(w) + "_" + EdgeModeName(edges) +
                             OutputGridName(grid) + ".tif"));
        o.edges = edges;
        o.grid = grid;
        const ScenePredictResult result = MustPredict(inputs, o);
        EXPECT_GT(result.patches_inferred, 0) << what;
        EXPECT_EQ(result.patches_skipped, 0) << what;
        const Raster out = ReadRaster(o.output);
        const int ew = grid == OutputGrid::kDense ? w : (w + 59) / 60;
        const int eh = grid == OutputGrid::kDense ? h : (h + 59) / 60;
        ASSERT_EQ(out.width, ew) << what;
        ASSERT_EQ(out.height, eh) << what;
        ASSERT_EQ(out.bands, classes) << what;
        for (int c = 0; c < classes; ++c) {
          const auto begin = out.data.begin() + static_cast<size_t>(c) * ew * eh;
          const auto [lo, hi] = std::minmax_element(begin, begin + ew * eh);
          EXPECT_GE(*lo, 0.0f) << what << " class " << c << " (nodata in the output)";
          EXPECT_LT(*hi - *lo, 1e-5) << what << " class " << c;
          EXPECT_NEAR(*lo, expected[c], 1e-5) << what << " class " << c;
        }
      }
    }
  }
}

TEST(ScenePredictTest, S1InAnotherCrsMatchesS1PreWarpedWithGdalwarp) {
  TempDir dir;
  SceneWriteOptions write;
  write.s1_grid.epsg = 32634;  // the neighbouring UTM zone
  const SceneFiles files = WriteScene(dir, 240, 240, 5, write);
  const Raster s1 = ReadRaster(files.s1);
  const Raster s2 = ReadRaster(files.s2_stack_10m);
  ASSERT_EQ(EpsgOf(s1.wkt), 32634);
  ASSERT_EQ(EpsgOf(s2.wkt), 32633);

  // gdalwarp onto the S2 grid: same CRS, extent and size.
  const std::string warped = dir.File("s1_on_s2_grid.tif");
  char command[2048];
  std::snprintf(command, sizeof(command),
                "gdalwarp -q -t_srs EPSG:32633 -te %.17g %.17g %.17g %.17g -ts %d %d "
                "-r bilinear -dstnodata nan '%s' '%s'",
                s2.gt[0], s2.gt[3] + s2.gt[5] * s2.height, s2.gt[0] + s2.gt[1] * s2.width, s2.gt[3],
                s2.width, s2.height, files.s1.c_str(), warped.c_str());
  ASSERT_EQ(std::system(command), 0) << command;
  const Raster pre = ReadRaster(warped);
  ASSERT_EQ(pre.gt, s2.gt);

  ScenePredictOptions o = Options(dir.File("on_the_fly.tif"));
  const ScenePredictResult a = MustPredict(InputsOf(files), o);
  SceneInputs prewarped = InputsOf(files);
  prewarped.s1 = {warped};
  ScenePredictOptions o2 = Options(dir.File("prewarped.tif"));
  const ScenePredictResult b = MustPredict(prewarped, o2);
  EXPECT_EQ(a.patches_by_head[0], b.patches_by_head[0]);
  EXPECT_GT(a.patches_by_head[0], 0);

  // Not exactly equal: the engine warps through a VRT read block by block,
  // gdalwarp warps the file in one chunk, and GDAL's warper derives the
  // bilinear kernel's scale from each chunk's source window (here slightly
  // below 1, so the kernel is widened by a chunk-dependent amount). The S1
  // values then differ by up to ~1.6 dB on speckled pixels (with
  // -wo XSCALE=1 -wo YSCALE=1 on both sides they are identical); after the
  // model and the blending, probabilities differ by ~7.5e-4 at most here.
  const Raster ra = ReadRaster(o.output), rb = ReadRaster(o2.output);
  ASSERT_EQ(ra.data.size(), rb.data.size());
  double max_diff = 0.0;
  for (size_t i = 0; i < ra.data.size(); ++i) {
    ASSERT_EQ(ra.data[i] == -1.0f, rb.data[i] == -1.0f) << "nodata differs at " << i;
    max_diff = std::max(max_diff, static_cast<double>(std::abs(ra.data[i] - rb.data[i])));
  }
  EXPECT_LT(max_diff, 1e-3);
  RecordProperty("max_abs_difference", std::to_string(max_diff));
}

TEST(ScenePredictTest, NodataBlockGivesNodataAndFarPixelsStayValid) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 360, 360, 3);
  const int bx = 150, by = 150, bs = 120;  // the block [150, 270)²
  FillBlock(files.s2_stack_10m, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, bx, by, bs, bs, 0.0f);
  FillBlock(files.s1, {1, 2}, bx, by, bs, bs, std::nanf(""));
  auto in_block = [&](int x, int y, int margin) {
    return x >= bx - margin && x < bx + bs + margin && y >= by - margin && y < by + bs + margin;
  };

  ScenePredictOptions o = Options(dir.File("float.tif"));
  const ScenePredictResult result = MustPredict(InputsOf(files), o);
  EXPECT_GT(result.patches_skipped, 0);
  const Raster f = ReadRaster(o.output);
  o.output = dir.File("byte.tif");
  o.type = ProbabilityType::kByte;
  MustPredict(InputsOf(files), o);
  const Raster b = ReadRaster(o.output);
  EXPECT_EQ(b.nodata, 255.0);
  int checked_far = 0;
  for (int c = 0; c < f.bands; ++c) {
    for (int y = 0; y < 360; ++y) {
      for (int x = 0; x < 360; ++x) {
        if (in_block(x, y, 0)) {
          ASSERT_EQ(f.At(c, x, y), -1.0f) << x << "," << y;
          ASSERT_EQ(b.At(c, x, y), 255.0f) << x << "," << y;
        } else if (!in_block(x, y, 60)) {
          ASSERT_GE(f.At(c, x, y), 0.0f) << x << "," << y;
          ASSERT_LE(f.At(c, x, y), 1.0f) << x << "," << y;
          ASSERT_LE(b.At(c, x, y), 254.0f) << x << "," << y;
          ++checked_far;
        }
      }
    }
  }
  EXPECT_GT(checked_far, 0);
}

TEST(ScenePredictTest, CloudyS2FallsBackToTheS1Head) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 360, 360, 4);
  const Raster s2 = ReadRaster(files.s2_stack_10m);
  // An SCL-like mask: 4 (vegetation) everywhere, 9 (cloud, high probability)
  // in columns [100, 260).
  std::vector<float> scl(360 * 360, 4.0f);
  for (int y = 0; y < 360; ++y) {
    for (int x = 100; x < 260; ++x) scl[y * 360 + x] = 9.0f;
  }
  const std::string mask = dir.File("scl.tif");
  WriteRaster(mask, 360, 360, GDT_Byte, s2.gt, 32633, scl, {"SCL"});
  SceneInputs inputs = InputsOf(files);
  inputs.s2_mask = mask;

  ScenePredictOptions o = Options(dir.File("out.tif"));
  const ScenePredictResult result = MustPredict(inputs, o);
  EXPECT_GT(result.patches_by_head[1], 0);  // S1 only under the cloud
  EXPECT_GT(result.patches_by_head[0], 0);  // fused elsewhere
  EXPECT_EQ(result.patches_by_head[2], 0);
  EXPECT_EQ(result.patches_skipped, 0);
  const Raster out = ReadRaster(o.output);
  for (int c = 0; c < out.bands; ++c) {
    for (int y = 0; y < 360; ++y) {
      for (int x = 100; x < 260; ++x) {
        ASSERT_GE(out.At(c, x, y), 0.0f) << x << "," << y;
        ASSERT_LE(out.At(c, x, y), 1.0f) << x << "," << y;
      }
    }
  }
}

// Reader threads and GDAL's compression threads change only who does the work.
TEST(ScenePredictTest, SameInputsGiveByteIdenticalFiles) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 300, 240, 9);
  std::vector<std::array<std::string, 3>> runs;
  const std::pair<int, int> reader_and_encode_threads[] = {{1, 1}, {1, 0}, {2, 3}, {2, 0}};
  for (const auto& [readers, encoders] : reader_and_encode_threads) {
    const std::string tag = std::to_string(runs.size());
    ScenePredictOptions o = Options(dir.File("out" + tag + ".tif"));
    o.reader_threads = readers;
    o.encode_threads = encoders;
    o.topk_output = dir.File("topk" + tag + ".tif");
    o.summary_output = dir.File("summary" + tag + ".json");
    MustPredict(InputsOf(files), o);
    runs.push_back({o.output, o.topk_output, o.summary_output});
  }
  for (size_t r = 1; r < runs.size(); ++r) {
    for (size_t f = 0; f < 3; ++f) {
      EXPECT_TRUE(FilesEqual(runs[0][f], runs[r][f])) << runs[0][f] << " vs " << runs[r][f];
    }
  }
}

TEST(ScenePredictTest, StripWidthDoesNotChangeTheOutput) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 600, 240, 13);
  for (OutputGrid grid : {OutputGrid::kDense, OutputGrid::kCoarse}) {
    ScenePredictOptions wide = Options(dir.File(std::string("wide_") + OutputGridName(grid)));
    wide.grid = grid;
    ScenePredictOptions narrow = wide;
    narrow.output = dir.File(std::string("narrow_") + OutputGridName(grid));
    narrow.strip_width_px = 256;  // three strips
    MustPredict(InputsOf(files), wide);
    MustPredict(InputsOf(files), narrow);
    // Coarse strips end mid-tile: a tile flushed after each of the three
    // strips would be encoded (and appended) three times. Sizes still differ a
    // little: batches of another size round differently.
    EXPECT_LT(fs::file_size(narrow.output), 2 * fs::file_size(wide.output)) << OutputGridName(grid);
    const Raster a = ReadRaster(wide.output), b = ReadRaster(narrow.output);
    ASSERT_EQ(a.data.size(), b.data.size());
    for (size_t i = 0; i < a.data.size(); ++i) {
      ASSERT_NEAR(a.data[i], b.data[i], 1e-6) << OutputGridName(grid) << " value " << i;
    }
  }
}

TEST(ScenePredictTest, ByteOutputIsTheRoundedFloatOutput) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 240, 21);
  ScenePredictOptions o = Options(dir.File("float.tif"));
  MustPredict(InputsOf(files), o);
  o.output = dir.File("byte.tif");
  o.type = ProbabilityType::kByte;
  MustPredict(InputsOf(files), o);
  const Raster f = ReadRaster(dir.File("float.tif")), b = ReadRaster(o.output);
  ASSERT_EQ(f.data.size(), b.data.size());
  for (size_t i = 0; i < f.data.size(); ++i) {
    if (f.data[i] == -1.0f) {
      ASSERT_EQ(b.data[i], 255.0f);
    } else {
      ASSERT_NEAR(b.data[i], std::round(f.data[i] * 254.0), 1.0) << i;
    }
  }
  GDALDatasetH ds = GDALOpen(o.output.c_str(), GA_ReadOnly);
  ASSERT_NE(ds, nullptr);
  EXPECT_EQ(GDALGetRasterDataType(GDALGetRasterBand(ds, 1)), GDT_Byte);
  for (int band = 1; band <= GDALGetRasterCount(ds); ++band) {
    GDALRasterBandH h = GDALGetRasterBand(ds, band);
    int has_scale = 0, has_offset = 0, has_nodata = 0;
    EXPECT_DOUBLE_EQ(GDALGetRasterScale(h, &has_scale), 1.0 / 254.0);
    EXPECT_DOUBLE_EQ(GDALGetRasterOffset(h, &has_offset), 0.0);
    EXPECT_EQ(GDALGetRasterNoDataValue(h, &has_nodata), 255.0);
    EXPECT_TRUE(has_scale);
    EXPECT_TRUE(has_nodata);
  }
  GDALClose(ds);
}

TEST(ScenePredictTest, CogOutputIsACogWithOverviews) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 360, 360, 17);
  ScenePredictOptions o = Options(dir.File("plain.tif"));
  MustPredict(InputsOf(files), o);
  o.output = dir.File("cog.tif");
  o.format = OutputFormat::kCOG;
  MustPredict(InputsOf(files), o);
  GDALDatasetH ds = GDALOpen(o.output.c_str(), GA_ReadOnly);
  ASSERT_NE(ds, nullptr);
  const char* layout = GDALGetMetadataItem(ds, "LAYOUT", "IMAGE_STRUCTURE");
  ASSERT_NE(layout, nullptr);
  EXPECT_STREQ(layout, "COG");
  EXPECT_GT(GDALGetOverviewCount(GDALGetRasterBand(ds, 1)), 0);
  GDALClose(ds);
  // Same pixels, georeferencing and band names as the plain GeoTIFF.
  const Raster plain = ReadRaster(dir.File("plain.tif")), cog = ReadRaster(o.output);
  EXPECT_EQ(cog.gt, plain.gt);
  EXPECT_EQ(EpsgOf(cog.wkt), 32633);
  EXPECT_EQ(cog.descriptions, plain.descriptions);
  EXPECT_EQ(cog.nodata, -1.0);
  EXPECT_EQ(cog.data, plain.data);
  EXPECT_EQ(dir.List().size(), 3u) << "temporaries left behind";  // scene, plain, cog
}

TEST(ScenePredictTest, TopkSummaryAndEmbeddingAgreeWithTheProbabilities) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 360, 300, 23);
  ScenePredictOptions o = Options(dir.File("prob.tif"));
  o.topk_output = dir.File("topk.tif");
  o.topk = 3;
  o.summary_output = dir.File("summary.json");
  o.embedding_output = dir.File("embedding.tif");
  const ScenePredictResult result = MustPredict(InputsOf(files), o);
  EXPECT_EQ(result.files.size(), 4u);
  const Raster prob = ReadRaster(o.output);
  const Raster topk = ReadRaster(o.topk_output);
  const int classes = prob.bands;
  const int W = prob.width, H = prob.height;

  // Top-k: band 1 = argmax + 1, band 2 = the second, on the same grid.
  ASSERT_EQ(topk.bands, 3);
  ASSERT_EQ(topk.width, W);
  ASSERT_EQ(topk.height, H);
  EXPECT_EQ(topk.gt, prob.gt);
  std::vector<int64_t> above(classes, 0);
  std::vector<double> sum(classes, 0.0);
  int64_t valid = 0;
  for (int y = 0; y < H; ++y) {
    for (int x = 0; x < W; ++x) {
      if (prob.At(0, x, y) == -1.0f) {
        ASSERT_EQ(topk.At(0, x, y), 0.0f);
        continue;
      }
      ++valid;
      std::vector<std::pair<float, int>> order;
      for (int c = 0; c < classes; ++c) {
        const float p = prob.At(c, x, y);
        order.push_back({-p, c});
        sum[c] += p;
        if (p >= 0.5f) ++above[c];
      }
      std::sort(order.begin(), order.end());
      ASSERT_EQ(topk.At(0, x, y), static_cast<float>(order[0].second + 1)) << x << "," << y;
      ASSERT_EQ(topk.At(1, x, y), static_cast<float>(order[1].second + 1)) << x << "," << y;
    }
  }
  ASSERT_GT(valid, 0);

  // Summary: shares recounted from the probability raster.
  const nlohmann::json summary = nlohmann::json::parse(testing::ReadBytes(o.summary_output));
  EXPECT_EQ(summary["valid_pixels"].get<int64_t>(), valid);
  ASSERT_EQ(summary["classes"].size(), static_cast<size_t>(classes));
  std::vector<std::string> labels;
  for (int c = 0; c < classes; ++c) {
    const nlohmann::json& entry = summary["classes"][c];
    EXPECT_EQ(entry["name"], prob.descriptions[c]);
    const double share = entry["area_share"].get<double>();
    EXPECT_GE(share, 0.0);
    EXPECT_LE(share, 1.0);
    EXPECT_NEAR(share, static_cast<double>(above[c]) / static_cast<double>(valid), 1e-12)
        << prob.descriptions[c];
    EXPECT_NEAR(entry["area_km2"].get<double>(), static_cast<double>(above[c]) * 1e-4, 1e-9);
    EXPECT_NEAR(entry["mean_probability"].get<double>(), sum[c] / static_cast<double>(valid), 1e-6);
    if (share >= o.label_min_share) labels.push_back(prob.descriptions[c]);
  }
  EXPECT_EQ(summary["labels"].get<std::vector<std::string>>(), labels);

  // Embeddings: fused (2 x 128 = 256 bands) unit vectors on the coarse grid.
  const Raster emb = ReadRaster(o.embedding_output);
  EXPECT_EQ(emb.bands, 256);
  EXPECT_EQ(emb.bands, 2 * Classifier().manifest().projection_dim);
  EXPECT_EQ(emb.width, 6);  // ceil(360 / 60)
  EXPECT_EQ(emb.height, 5);
  EXPECT_EQ(emb.gt, (std::array<double, 6>{prob.gt[0], 600.0, 0.0, prob.gt[3], 0.0, -600.0}));
  for (int y = 0; y < emb.height; ++y) {
    for (int x = 0; x < emb.width; ++x) {
      double norm = 0.0;
      for (int d = 0; d < emb.bands; ++d) norm += std::pow(emb.At(d, x, y), 2);
      EXPECT_NEAR(std::sqrt(norm), 1.0, 1e-4) << "cell " << x << "," << y;
    }
  }
}

// ------------------------------------------------------------------- errors

TEST(ScenePredictTest, ExistingOutputWithoutOverwriteIsRefusedAndKept) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 180);
  const std::string output = dir.File("out.tif");
  const std::vector<char> old = {'o', 'l', 'd'};
  testing::WriteBytes(output, old);
  StatusOr<ScenePredictResult> r = PredictScene(InputsOf(files), Options(output));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(output), std::string::npos) << r.status().ToString();
  EXPECT_EQ(testing::ReadBytes(output), old);
}

TEST(ScenePredictTest, EncodeThreadsOutOfRangeAreNamed) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 180);
  for (int threads : {-1, 65}) {
    ScenePredictOptions o = Options(dir.File("out.tif"));
    o.encode_threads = threads;
    StatusOr<ScenePredictResult> r = PredictScene(InputsOf(files), o);
    ASSERT_FALSE(r.ok()) << threads;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("--encode-threads"), std::string::npos)
        << r.status().ToString();
    EXPECT_FALSE(fs::exists(o.output));
  }
}

TEST(ScenePredictTest, MissingS2BandIsNamed) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 180);
  SceneInputs inputs;
  inputs.s1 = {files.s1};
  for (const std::string& f : files.s2_band_files) {
    if (fs::path(f).filename().string().find("B05") == std::string::npos) inputs.s2.push_back(f);
  }
  ASSERT_EQ(inputs.s2.size(), 11u);
  StatusOr<ScenePredictResult> r = PredictScene(inputs, Options(dir.File("out.tif")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("B05"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(fs::exists(dir.File("out.tif")));
}

TEST(ScenePredictTest, S1ThatDoesNotOverlapS2IsRefused) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 180);
  // The same S1, moved 100 km east.
  const std::string moved = dir.File("s1_moved.tif");
  GDALDatasetH source = GDALOpen(files.s1.c_str(), GA_ReadOnly);
  ASSERT_NE(source, nullptr);
  GDALDatasetH copy = GDALCreateCopy(GDALGetDriverByName("GTiff"), moved.c_str(), source, FALSE,
                                     nullptr, nullptr, nullptr);
  ASSERT_NE(copy, nullptr);
  std::array<double, 6> gt{};
  GDALGetGeoTransform(source, gt.data());
  gt[0] += 100000.0;
  GDALSetGeoTransform(copy, gt.data());
  GDALClose(copy);
  GDALClose(source);
  SceneInputs inputs = InputsOf(files);
  inputs.s1 = {moved};
  StatusOr<ScenePredictResult> r = PredictScene(inputs, Options(dir.File("out.tif")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("overlap"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(fs::exists(dir.File("out.tif")));
}

TEST(ScenePredictTest, MissingOutputFolderIsRefused) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 180);
  StatusOr<ScenePredictResult> r =
      PredictScene(InputsOf(files), Options(dir.File("no/such/folder/out.tif")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir.File("no")));
}

TEST(ScenePredictTest, CancellingLeavesNothingBehind) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 300, 240, 31);
  // Cancel on the first call, after the first call, and while the COG is
  // written (progress >= 0.9).
  const std::vector<std::function<bool(int, double)>> stops = {
      [](int call, double) { return call >= 1; },
      [](int call, double) { return call >= 2; },
      [](int, double fraction) { return fraction >= 0.9 && fraction < 1.0; },
  };
  for (size_t s = 0; s < stops.size(); ++s) {
    TempDir out;
    ScenePredictOptions o = Options(out.File("prob.tif"));
    o.topk_output = out.File("topk.tif");
    o.summary_output = out.File("summary.json");
    o.embedding_output = out.File("embedding.tif");
    o.format = OutputFormat::kCOG;
    int calls = 0;
    bool stopped = false;
    auto progress = [&](double fraction, const std::string&) {
      ++calls;
      if (stops[s](calls, fraction)) stopped = true;
      return !stopped;
    };
    StatusOr<ScenePredictResult> r = PredictScene(InputsOf(files), o, progress);
    ASSERT_FALSE(r.ok()) << "variant " << s;
    EXPECT_EQ(r.status().code(), StatusCode::kCancelled) << r.status().ToString();
    EXPECT_TRUE(out.List().empty()) << "variant " << s << ": " << out.List().front();
  }

  // An existing output that --overwrite would replace survives a cancel.
  TempDir out;
  ScenePredictOptions o = Options(out.File("prob.tif"));
  o.overwrite = true;
  const std::vector<char> old = {'o', 'l', 'd'};
  testing::WriteBytes(o.output, old);
  int calls = 0;
  StatusOr<ScenePredictResult> r =
      PredictScene(InputsOf(files), o, [&](double, const std::string&) { return ++calls < 2; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(out.List(), std::vector<std::string>{"prob.tif"});
  EXPECT_EQ(testing::ReadBytes(o.output), old);
}

}  // namespace
}  // namespace mosaic::geo

// ------------------------------------------------------------ SceneSession

namespace mosaic::geo {
namespace {

// Every window of a session equals the same pixels of the full run's file:
// the window is computed from the same patches with the same weights.
void ExpectWindowsMatchTheFile(const SceneSession& session, const Raster& file,
                               const std::vector<std::array<int64_t, 4>>& windows) {
  const int64_t classes = static_cast<int64_t>(session.manifest().class_names.size());
  ASSERT_EQ(session.width(), file.width);
  ASSERT_EQ(session.height(), file.height);
  EXPECT_EQ(session.geotransform(), file.gt);
  for (const auto& [x0, y0, w, h] : windows) {
    std::vector<float> out(static_cast<size_t>(classes * w * h));
    ASSERT_TRUE(session.PredictWindow(x0, y0, w, h, out.data()).ok());
    double max_diff = 0.0;
    int64_t nodata_mismatch = 0;
    for (int64_t c = 0; c < classes; ++c) {
      for (int64_t y = 0; y < h; ++y) {
        for (int64_t x = 0; x < w; ++x) {
          const float got = out[(c * h + y) * w + x];
          const float want =
              file.At(static_cast<int>(c), static_cast<int>(x0 + x), static_cast<int>(y0 + y));
          if (std::isnan(got) != (want == kFloatProbabilityNodata)) {
            ++nodata_mismatch;
          } else if (!std::isnan(got)) {
            max_diff = std::max(max_diff, static_cast<double>(std::abs(got - want)));
          }
        }
      }
    }
    EXPECT_EQ(nodata_mismatch, 0) << "window " << x0 << "," << y0 << " " << w << "x" << h;
    EXPECT_LE(max_diff, 1e-6) << "window " << x0 << "," << y0 << " " << w << "x" << h;
  }
}

TEST(SceneSessionTest, DenseWindowsEqualTheFullRun) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 420, 330, 31);
  // A nodata block, so that nodata is compared too.
  FillBlock(files.s1, {1, 2}, 300, 200, 80, 80, std::nanf(""));
  ScenePredictOptions o = Options(dir.File("full.tif"));
  o.strip_width_px = 256;  // the full run uses two strips; windows straddle them
  MustPredict(InputsOf(files), o);
  const Raster full = ReadRaster(o.output);
  StatusOr<std::unique_ptr<SceneSession>> session = SceneSession::Open(InputsOf(files), o);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ExpectWindowsMatchTheFile(**session, full,
                            {{0, 0, 420, 330},      // the whole scene
                             {0, 0, 64, 64},        // the corner
                             {200, 150, 100, 90},   // the middle, across the strip border
                             {356, 266, 64, 64},    // the far corner (shifted last patches)
                             {250, 0, 1, 330},      // one column
                             {290, 190, 100, 100}}  // over the nodata block
  );
}

TEST(SceneSessionTest, CoarseWindowsAndEmbeddingsEqualTheFullRun) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 360, 300, 37);
  ScenePredictOptions o = Options(dir.File("coarse.tif"));
  o.grid = OutputGrid::kCoarse;
  o.embedding_output = dir.File("embedding.tif");
  MustPredict(InputsOf(files), o);
  const Raster full = ReadRaster(o.output);
  StatusOr<std::unique_ptr<SceneSession>> session = SceneSession::Open(InputsOf(files), o);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ExpectWindowsMatchTheFile(**session, full, {{0, 0, 6, 5}, {2, 1, 3, 3}, {5, 4, 1, 1}});

  const Raster embedding = ReadRaster(o.embedding_output);
  const int64_t dim = (*session)->embedding_dim();
  ASSERT_EQ(dim, embedding.bands);
  std::vector<float> out(static_cast<size_t>(dim * 2 * 3));
  ASSERT_TRUE((*session)->EmbedWindow(3, 2, 3, 2, out.data()).ok());
  double max_diff = 0.0;
  for (int64_t d = 0; d < dim; ++d) {
    for (int64_t y = 0; y < 2; ++y) {
      for (int64_t x = 0; x < 3; ++x) {
        max_diff = std::max(max_diff, std::abs(static_cast<double>(out[(d * 2 + y) * 3 + x]) -
                                               embedding.At(static_cast<int>(d), 3 + x, 2 + y)));
      }
    }
  }
  EXPECT_LE(max_diff, 1e-6);
}

TEST(SceneSessionTest, WindowsOutsideTheGridAreRefused) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 240, 41);
  ScenePredictOptions o = Options("");
  StatusOr<std::unique_ptr<SceneSession>> session = SceneSession::Open(InputsOf(files), o);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  std::vector<float> out(19 * 64 * 64);
  for (const auto& [x0, y0, w, h] : std::vector<std::array<int64_t, 4>>{
           {-1, 0, 10, 10}, {0, 0, 0, 10}, {200, 0, 64, 64}, {0, 239, 1, 2}}) {
    const Status status = (*session)->PredictWindow(x0, y0, w, h, out.data());
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << x0 << "," << y0;
    EXPECT_NE(status.message().find("window"), std::string::npos) << status.message();
  }
}

}  // namespace
}  // namespace mosaic::geo

namespace mosaic::geo {
namespace {

TEST(ScenePredictBandNamesTest, UnknownRepeatedAndSkippedNames) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 120, 120, 43);
  SceneInputs inputs = InputsOf(files);
  const std::vector<std::string> order = {"B01", "B02", "B03", "B04", "B05", "B06",
                                          "B07", "B08", "B8A", "B09", "B11", "B12"};
  auto run = [&](std::vector<std::string> names) {
    inputs.s2_band_names = std::move(names);
    StatusOr<ScenePredictResult> r = PredictScene(inputs, Options(dir.File("out.tif")));
    return r.ok() ? Status::OK() : r.status();
  };
  std::vector<std::string> unknown = order;
  unknown[3] = "B13";
  Status status = run(unknown);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("'B13' is not a Sentinel-2 band"), std::string::npos)
      << status.message();
  std::vector<std::string> repeated = order;
  repeated[11] = "B11";
  status = run(repeated);
  EXPECT_NE(status.message().find("B11 is named twice"), std::string::npos) << status.message();
  // Skipping a band the model needs names the missing band.
  std::vector<std::string> skipped = order;
  skipped[0] = "-";
  status = run(skipped);
  EXPECT_NE(status.message().find("lacks band(s) B01"), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(dir.File("out.tif")));
  // "b4"-style spellings are accepted.
  std::vector<std::string> lower = order;
  lower[3] = "b4";
  EXPECT_TRUE(run(lower).ok());
}

TEST(ScenePredictBandNamesTest, SceneSmallerThanAPatchSaysItReflects) {
  TempDir dir;
  const SceneInputs inputs = WriteConstantScene(dir, 100, 90);
  const ScenePredictResult result = MustPredict(inputs, Options(dir.File("small.tif")));
  bool said = false;
  for (const std::string& notice : result.notices) {
    said = said || notice.find("smaller than a patch") != std::string::npos;
  }
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace mosaic::geo

namespace mosaic::geo {
namespace {

// Largest |a - b| over two rasters of the same shape; nodata must coincide.
double MaxAbsDiff(const Raster& a, const Raster& b) {
  EXPECT_EQ(a.data.size(), b.data.size());
  double diff = 0.0;
  for (size_t i = 0; i < a.data.size() && i < b.data.size(); ++i) {
    const bool nodata_a = a.data[i] == kFloatProbabilityNodata;
    const bool nodata_b = b.data[i] == kFloatProbabilityNodata;
    if (nodata_a != nodata_b) return std::numeric_limits<double>::infinity();
    diff = std::max(diff, static_cast<double>(std::abs(a.data[i] - b.data[i])));
  }
  return diff;
}

// The same scene given as one 10 m stack, as one file per band at 10/20/60 m
// (coarser bands read onto the 10 m grid by nearest neighbour, which is how
// the stack was made), and as a VRT of those files built by the real
// gdalbuildvrt: identical outputs.
TEST(SceneInputFormsTest, StackPerBandFilesAndVrtGiveTheSameOutput) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 300, 240, 47);
  ScenePredictOptions o = Options(dir.File("stack.tif"));
  MustPredict(InputsOf(files), o);

  SceneInputs per_band = InputsOf(files);
  per_band.s2 = files.s2_band_files;  // names come from the file names (S2_B05.tif)
  ASSERT_EQ(per_band.s2.size(), 12u);
  o.output = dir.File("per_band.tif");
  MustPredict(per_band, o);
  EXPECT_EQ(MaxAbsDiff(ReadRaster(dir.File("stack.tif")), ReadRaster(o.output)), 0.0);

  std::string command;
  SceneInputs vrt = InputsOf(files);
  // gdalbuildvrt -separate takes the first file's resolution (60 m for B01)
  // unless told: ask for the 10 m grid as a user would.
  command = "gdalbuildvrt -q -separate -tr 10 10 " + dir.File("s2_10m.vrt");
  for (const std::string& f : files.s2_band_files) command += " " + f;
  ASSERT_EQ(std::system(command.c_str()), 0);
  vrt.s2 = {dir.File("s2_10m.vrt")};
  // A VRT's bands carry no names: they are given explicitly.
  vrt.s2_band_names = {"B01", "B02", "B03", "B04", "B05", "B06",
                       "B07", "B08", "B8A", "B09", "B11", "B12"};
  o.output = dir.File("vrt.tif");
  MustPredict(vrt, o);
  EXPECT_EQ(MaxAbsDiff(ReadRaster(dir.File("stack.tif")), ReadRaster(o.output)), 0.0);
}

// S1 given as linear σ0 with s1_linear gives the dB result (up to float
// rounding of 10^(x/10) and back).
TEST(SceneInputFormsTest, LinearS1EqualsDecibels) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 240, 53);
  ScenePredictOptions o = Options(dir.File("db.tif"));
  MustPredict(InputsOf(files), o);
  const std::string linear = dir.File("s1_linear.tif");
  const std::string command = "gdal_calc.py --quiet --allBands=A -A " + files.s1 +
                              " --calc='10**(A/10.0)' --type=Float32 --outfile=" + linear;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  SceneInputs inputs = InputsOf(files);
  inputs.s1 = {linear};
  inputs.s1_band_names = {"VV", "VH"};
  inputs.s1_linear = true;
  o.output = dir.File("linear.tif");
  MustPredict(inputs, o);
  EXPECT_LE(MaxAbsDiff(ReadRaster(dir.File("db.tif")), ReadRaster(o.output)), 1e-4);
}

// Either modality alone: the model's head for it classifies every patch.
TEST(SceneInputFormsTest, EitherModalityAloneUsesItsHead) {
  TempDir dir;
  const SceneFiles files = WriteScene(dir, 240, 240, 59);
  SceneInputs s2_only = InputsOf(files);
  s2_only.s1.clear();
  const ScenePredictResult r2 = MustPredict(s2_only, Options(dir.File("s2.tif")));
  EXPECT_GT(r2.patches_inferred, 0);
  EXPECT_EQ(r2.patches_by_head[2], r2.patches_inferred);
  SceneInputs s1_only = InputsOf(files);
  s1_only.s2.clear();
  const ScenePredictResult r1 = MustPredict(s1_only, Options(dir.File("s1.tif")));
  EXPECT_EQ(r1.patches_by_head[1], r1.patches_inferred);
  EXPECT_EQ(r1.patches_inferred, r2.patches_inferred);
  const Raster a = ReadRaster(dir.File("s2.tif")), b = ReadRaster(dir.File("s1.tif"));
  EXPECT_EQ(a.gt, b.gt);              // S1 alone keeps its own 10 m grid, here the same
  EXPECT_GT(MaxAbsDiff(a, b), 1e-3);  // different heads, different numbers
}

}  // namespace
}  // namespace mosaic::geo
