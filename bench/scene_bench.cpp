// Scene engine throughput (mosaic/geo/scene_predict.h) against the model's own.
//
//   BM_PredictScene/px:N   end-to-end PredictScene on a synthetic N x N px
//                          S1 + S2 scene (10 m, so N² / 10⁴ km²): sample
//                          model, stride 60 (50 % overlap), Hann blending,
//                          float32 probabilities on the dense grid. Counters:
//                          km2_per_s, patches_per_s, the engine's per-stage
//                          seconds (read/infer/write, summed over threads) and
//                          the process's peak RSS so far (VmHWM: a high-water
//                          mark over the whole process, so use
//                          scene_scaling.sh for RSS per size).
//   BM_ModelClassify       PatchClassifier::Classify on in-memory batches of
//                          16 patches (fused head, both modalities, the same
//                          device and threads): the model's own patches/s.
// After the runs it prints end-to-end / model patches/s per size; the target
// is >= 0.85 (the pipeline hides reading and blending behind inference).
//
// Scenes are generated once into $MOSAIC_BENCH_SCENE_DIR (kept) or else a
// temporary folder (removed at exit). $MOSAIC_BENCH_DEVICE picks the device.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mosaic/patch_classifier.h"
#include "mosaic/process_memory.h"
#include "scene_fixture.h"

namespace {

namespace fs = std::filesystem;
using mosaic::bench::BenchDevice;
using mosaic::bench::SampleModel;

std::map<std::string, double>& Rates() {
  static std::map<std::string, double> rates;
  return rates;
}

// Where scenes and outputs go.
class WorkDir {
 public:
  WorkDir() {
    const char* env = std::getenv("MOSAIC_BENCH_SCENE_DIR");
    if (env != nullptr) {
      path_ = env;
      keep_ = true;
    } else {
      std::string pattern = (fs::temp_directory_path() / "mosaic-scene-bench-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) std::abort();
      path_ = pattern;
    }
    std::error_code ec;
    fs::create_directories(path_, ec);
  }
  ~WorkDir() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool keep_ = false;
};

WorkDir& Work() {
  static WorkDir dir;
  return dir;
}

void BM_PredictScene(benchmark::State& state) {
  const int64_t size = state.range(0);
  auto scene = mosaic::bench::MakeBenchScene(Work().path().string(), size);
  if (!scene.ok()) {
    state.SkipWithError(scene.status().ToString().c_str());
    return;
  }
  const std::string output = (Work().path() / ("prob_" + std::to_string(size) + ".tif")).string();
  const mosaic::geo::ScenePredictOptions options = mosaic::bench::BenchOptions(output);
  double seconds = 0.0, patches = 0.0, read = 0.0, infer = 0.0, write = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto result = mosaic::geo::PredictScene(mosaic::bench::BenchInputs(*scene), options);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result.ok()) {
      state.SkipWithError(result.status().ToString().c_str());
      return;
    }
    patches += static_cast<double>(result->patches_inferred);
    read += result->read_seconds;
    infer += result->infer_seconds;
    write += result->write_seconds;
  }
  const double runs = static_cast<double>(state.iterations());
  const double km2 = static_cast<double>(size * size) * 1e-4 * runs;
  state.counters["km2_per_s"] = km2 / seconds;
  state.counters["patches_per_s"] = patches / seconds;
  state.counters["patches"] = patches / runs;
  state.counters["read_s"] = read / runs;
  state.counters["infer_s"] = infer / runs;
  state.counters["write_s"] = write / runs;
  state.counters["vmhwm_mb"] = static_cast<double>(mosaic::bench::PeakRssKb()) / 1024.0;
  Rates()["scene/" + std::to_string(size)] = patches / seconds;
  Rates()["scene_km2/" + std::to_string(size)] = km2 / seconds;
  std::error_code ec;
  fs::remove(output, ec);
}
BENCHMARK(BM_PredictScene)
    ->ArgName("px")
    ->Arg(1024)
    ->Arg(2048)
    ->Arg(4096)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

// The model alone at batch `batch`; the summary takes the best batch as the
// model's own throughput (the engine's batches are a patch row split evenly
// into at most --batch-size patches: 9-12 here).
void BM_ModelClassify(benchmark::State& state) {
  const int64_t batch_size = state.range(0);
  mosaic::ClassifierOptions co;
  co.device = BenchDevice();
  auto classifier = mosaic::PatchClassifier::Open(SampleModel(), co);
  if (!classifier.ok()) {
    state.SkipWithError(classifier.status().ToString().c_str());
    return;
  }
  // Patches in physical units drawn around each band's statistics.
  const mosaic::ModelManifest& m = (*classifier)->manifest();
  const int64_t P = m.patch_size_px;
  std::mt19937 gen(7);
  auto fill = [&](const mosaic::ModalitySpec& spec) {
    std::vector<float> values;
    for (int64_t n = 0; n < batch_size; ++n) {
      for (size_t b = 0; b < spec.bands.size(); ++b) {
        std::normal_distribution<float> d(static_cast<float>(spec.normalization.mean[b]),
                                          static_cast<float>(spec.normalization.std[b]));
        for (int64_t i = 0; i < P * P; ++i) values.push_back(d(gen));
      }
    }
    return values;
  };
  const std::vector<float> s1 = fill(m.s1), s2 = fill(m.s2);
  mosaic::PatchBatch batch;
  batch.count = batch_size;
  batch.height = batch.width = P;
  batch.s1 = s1.data();
  batch.s2 = s2.data();
  // As the engine calls it: its reader has already replaced NaN/Inf, so the
  // classifier's own input check is skipped there and must be here too.
  batch.values_checked = true;
  std::vector<float> probabilities;
  // Warm-up (first-call allocations, CUDA kernels).
  if (!(*classifier)->Classify(batch, mosaic::HeadChoice::kFused, &probabilities).ok()) {
    state.SkipWithError("Classify failed");
    return;
  }
  double seconds = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const mosaic::Status status =
        (*classifier)->Classify(batch, mosaic::HeadChoice::kFused, &probabilities);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
  }
  const double patches = static_cast<double>(batch_size * state.iterations());
  state.counters["patches_per_s"] = patches / seconds;
  double& best = Rates()["model"];
  best = std::max(best, patches / seconds);
  Rates()["model/batch:" + std::to_string(batch_size)] = patches / seconds;
}
BENCHMARK(BM_ModelClassify)
    ->ArgName("batch")
    ->Arg(8)
    ->Arg(12)
    ->Arg(16)
    ->UseRealTime()
    ->MinTime(3.0)
    ->Unit(benchmark::kMillisecond);

void PrintSummary() {
  const std::map<std::string, double>& rates = Rates();
  if (rates.empty()) return;
  std::printf("\nSummary (device %s; patches/s unless noted; model = its best batch)\n",
              BenchDevice().c_str());
  for (const auto& [name, rate] : rates) std::printf("  %-20s %10.2f\n", name.c_str(), rate);
  const auto model = rates.find("model");
  if (model == rates.end()) return;
  for (const auto& [name, rate] : rates) {
    if (name.rfind("scene/", 0) != 0) continue;
    const double ratio = rate / model->second;
    std::printf("  ratio %s / model = %.2f%s\n", name.c_str(), ratio,
                ratio < 0.85 ? "  (< 0.85 target)" : "");
  }
}

}  // namespace

int main(int argc, char** argv) {
  mosaic::KeepFreedMemoryForReuse();  // as the mosaic executable does
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  PrintSummary();
  benchmark::Shutdown();
  return 0;
}
