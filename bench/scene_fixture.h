// Shared by the scene benchmarks (scene_bench.cpp, scene_rss_probe.cpp):
// a synthetic S1 + S2 scene of exactly N x N px written as GeoTIFFs, and the
// process's peak resident set size.
#ifndef MOSAIC_BENCH_SCENE_FIXTURE_H_
#define MOSAIC_BENCH_SCENE_FIXTURE_H_

#include <gdal.h>
#include <gdal_utils.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "mosaic/geo/scene_predict.h"
#include "mosaic/geo/scene_writer.h"
#include "mosaic/status.h"
#include "mosaic/synth/scene_generator.h"

namespace mosaic::bench {

// The bundled sample model (120 px patches, 19 classes, S1 + S2).
inline std::string SampleModel() {
  const char* env = std::getenv("MOSAIC_BENCH_MODEL");
  return env != nullptr ? env : std::string(MOSAIC_SAMPLE_DATA_DIR) + "/mosaic-sample.mosaic";
}

// The device benchmarks run on: $MOSAIC_BENCH_DEVICE, else "cpu".
inline std::string BenchDevice() {
  const char* env = std::getenv("MOSAIC_BENCH_DEVICE");
  return env != nullptr ? env : "cpu";
}

// Peak resident set size of this process (VmHWM), in kB; -1 if unknown.
inline int64_t PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return -1;
}

struct BenchScene {
  std::string s2;  // 12-band UInt16 stack on the 10 m grid, band descriptions = names
  std::string s1;  // Float32 VV, VH in dB on the same grid
};

inline BenchScene SceneFilesFor(const std::string& dir, int64_t size_px) {
  const std::string tag = std::to_string(size_px);
  return {(std::filesystem::path(dir) / ("s2_" + tag + ".tif")).string(),
          (std::filesystem::path(dir) / ("s1_" + tag + ".tif")).string()};
}

// Writes (once: existing files are reused) a synthetic scene of exactly
// size_px x size_px into `dir`. The generator needs multiples of 6, so a
// slightly larger scene is generated and cropped with GDALTranslate.
inline StatusOr<BenchScene> MakeBenchScene(const std::string& dir, int64_t size_px,
                                           uint64_t seed = 2026) {
  namespace fs = std::filesystem;
  const BenchScene out = SceneFilesFor(dir, size_px);
  std::error_code ec;
  if (fs::exists(out.s2, ec) && fs::exists(out.s1, ec)) return out;
  fs::create_directories(dir, ec);
  synth::SynthOptions o;
  o.seed = seed;
  o.width_px = o.height_px = (size_px + 5) / 6 * 6;
  StatusOr<synth::SyntheticScene> scene = synth::GenerateScene(o);
  if (!scene.ok()) return scene.status();
  const std::string raw = (fs::path(dir) / ("raw_" + std::to_string(size_px))).string();
  fs::remove_all(raw, ec);
  StatusOr<geo::SceneFiles> files = geo::WriteSceneGeoTiffs(*scene, raw, geo::SceneWriteOptions());
  *scene = synth::SyntheticScene();  // free the buffers before cropping
  if (!files.ok()) return files.status();
  const std::string n = std::to_string(size_px);
  std::vector<std::string> args = {"-q",    "-of",
                                   "GTiff", "-srcwin",
                                   "0",     "0",
                                   n,       n,
                                   "-co",   "TILED=YES",
                                   "-co",   "COMPRESS=DEFLATE",
                                   "-co",   "BIGTIFF=IF_SAFER"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  GDALAllRegister();
  const std::vector<std::pair<std::string, std::string>> crops = {{files->s2_stack_10m, out.s2},
                                                                  {files->s1, out.s1}};
  for (const auto& [from, to] : crops) {
    GDALDatasetH source = GDALOpen(from.c_str(), GA_ReadOnly);
    if (source == nullptr) return Status::IOError(from + ": cannot open");
    GDALTranslateOptions* options = GDALTranslateOptionsNew(argv.data(), nullptr);
    GDALDatasetH copy = GDALTranslate((to + ".part").c_str(), source, options, nullptr);
    GDALTranslateOptionsFree(options);
    GDALClose(source);
    if (copy == nullptr) return Status::IOError(to + ": cannot write");
    GDALClose(copy);
    fs::rename(to + ".part", to, ec);
    if (ec) return Status::IOError(to + ": " + ec.message());
  }
  fs::remove_all(raw, ec);
  return out;
}

// The engine options the scene benchmarks measure: sample model, stride 60,
// Hann blending, float32 probabilities on the dense grid.
inline geo::ScenePredictOptions BenchOptions(const std::string& output) {
  geo::ScenePredictOptions o;
  o.model = SampleModel();
  o.device = BenchDevice();
  o.output = output;
  o.overwrite = true;
  o.stride_px = 60;
  o.blend = geo::BlendWindow::kHann;
  o.type = geo::ProbabilityType::kFloat32;
  // What `mosaic predict` uses by default: a bounded GDAL block cache, so that
  // memory does not grow with the scene (MOSAIC_BENCH_GDAL_CACHE_MB overrides;
  // 0 keeps GDAL's default of 5 % of RAM).
  const char* cache = std::getenv("MOSAIC_BENCH_GDAL_CACHE_MB");
  o.gdal_cache_mb = cache != nullptr ? std::atoll(cache) : 256;
  return o;
}

inline geo::SceneInputs BenchInputs(const BenchScene& scene) {
  geo::SceneInputs inputs;
  inputs.s2 = {scene.s2};
  inputs.s1 = {scene.s1};
  return inputs;
}

}  // namespace mosaic::bench

#endif  // MOSAIC_BENCH_SCENE_FIXTURE_H_
