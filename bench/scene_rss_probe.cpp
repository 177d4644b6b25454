// One scene-engine run per process, for peak memory per scene size (VmHWM is
// a high-water mark, so each size needs a fresh process). Driven by
// bench/scene_scaling.sh.
//
//   mosaic_scene_rss_probe generate --size N --dir DIR
//       writes DIR/s2_N.tif and DIR/s1_N.tif (a synthetic N x N px scene) unless present
//   mosaic_scene_rss_probe run --size N --dir DIR [--device D] [--strip-width W]
//       runs PredictScene on it (sample model, stride 60, Hann, float32,
//       dense) and prints one JSON line:
//       {"size", "seconds", "patches", "patches_per_s", "km2_per_s",
//        "read_s", "infer_s", "write_s", "vmhwm_before_kb", "vmhwm_kb", "device"}
//       vmhwm_before_kb is the peak before PredictScene (libraries loaded),
//       vmhwm_kb the peak at the end.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "mosaic/process_memory.h"
#include "scene_fixture.h"

namespace {

int Usage() {
  std::fprintf(stderr,
               "usage: mosaic_scene_rss_probe generate --size N --dir DIR\n"
               "       mosaic_scene_rss_probe run --size N --dir DIR [--device D] "
               "[--strip-width W]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  mosaic::KeepFreedMemoryForReuse();  // as the mosaic executable does
  if (argc < 2) return Usage();
  const std::string mode = argv[1];
  int64_t size = 0, strip_width = 0;
  std::string dir, device = mosaic::bench::BenchDevice();
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--size") {
      size = std::atoll(value.c_str());
    } else if (flag == "--dir") {
      dir = value;
    } else if (flag == "--device") {
      device = value;
    } else if (flag == "--strip-width") {
      strip_width = std::atoll(value.c_str());
    } else {
      return Usage();
    }
  }
  if (size <= 0 || dir.empty()) return Usage();

  if (mode == "generate") {
    auto scene = mosaic::bench::MakeBenchScene(dir, size);
    if (!scene.ok()) {
      std::fprintf(stderr, "%s\n", scene.status().ToString().c_str());
      return 1;
    }
    std::printf("%s\n%s\n", scene->s2.c_str(), scene->s1.c_str());
    return 0;
  }
  if (mode != "run") return Usage();

  const mosaic::bench::BenchScene scene = mosaic::bench::SceneFilesFor(dir, size);
  if (!std::filesystem::exists(scene.s2) || !std::filesystem::exists(scene.s1)) {
    std::fprintf(stderr, "%s: no scene; run 'generate' first\n", scene.s2.c_str());
    return 1;
  }
  const std::string output =
      (std::filesystem::path(dir) / ("probe_prob_" + std::to_string(size) + ".tif")).string();
  mosaic::geo::ScenePredictOptions options = mosaic::bench::BenchOptions(output);
  options.device = device;
  if (strip_width > 0) options.strip_width_px = strip_width;
  const int64_t before = mosaic::bench::PeakRssKb();
  const auto start = std::chrono::steady_clock::now();
  auto result = mosaic::geo::PredictScene(mosaic::bench::BenchInputs(scene), options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int64_t peak = mosaic::bench::PeakRssKb();
  std::error_code ec;
  std::filesystem::remove(output, ec);
  if (!result.ok()) {
    std::fprintf(stderr, "%s\n", result.status().ToString().c_str());
    return 1;
  }
  const double km2 = static_cast<double>(size * size) * 1e-4;
  std::printf(
      "{\"size\": %lld, \"seconds\": %.3f, \"patches\": %lld, \"patches_per_s\": %.2f, "
      "\"km2_per_s\": %.3f, \"read_s\": %.3f, \"infer_s\": %.3f, \"write_s\": %.3f, "
      "\"vmhwm_before_kb\": %lld, \"vmhwm_kb\": %lld, \"device\": \"%s\"}\n",
      static_cast<long long>(size), seconds, static_cast<long long>(result->patches_inferred),
      static_cast<double>(result->patches_inferred) / seconds, km2 / seconds, result->read_seconds,
      result->infer_seconds, result->write_seconds, static_cast<long long>(before),
      static_cast<long long>(peak), device.c_str());
  return 0;
}
