// Training throughput of the real Trainer (train/trainer.h) on CPU.
//
//   BM_TrainSteps/encoder:E   samples/s of full training steps: mosaic preset,
//                             two augmented views, batch 32, 120 x 120
//                             BigEarthNet-like patches (12 S2 + 2 S1 bands),
//                             AdamW, loader with 1 worker; E = 0 small_cnn
//                             (width 32), 1 resnet18.
//   BM_LoaderOnly             samples/s the loader delivers for the same data
//                             and options with the same worker count.
// After the runs it prints loader / training ratios: the loader is not the
// bottleneck when the ratio is well above 1.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_fixtures.h"
#include "mosaic/bands.h"
#include "mosaic/data/loader.h"
#include "mosaic/data/memory_dataset.h"
#include "mosaic/process_memory.h"
#include "mosaic/train/trainer.h"

namespace {

using mosaic::data::MemoryDataset;

constexpr int64_t kBatchSize = 32;
constexpr size_t kNumSamples = 128;

std::map<std::string, double>& Rates() {
  static std::map<std::string, double> rates;
  return rates;
}

std::shared_ptr<const MemoryDataset> BigEarthNetLikeDataset() {
  return mosaic::bench::BigEarthNetLikeDataset(kNumSamples);
}

mosaic::train::TrainOptions BenchOptions(const std::string& encoder, int64_t steps) {
  mosaic::train::TrainOptions o;
  o.encoder = encoder;
  o.small_cnn_width = 32;
  o.optimization.batch_size = kBatchSize;
  o.optimization.num_workers = 1;
  o.optimization.max_steps = steps;
  o.optimization.warmup_steps = 1;
  o.normalization_samples = 32;
  return o;
}

void BM_TrainSteps(benchmark::State& state) {
  const std::string encoder = state.range(0) == 0 ? "small_cnn" : "resnet18";
  const int64_t steps = state.range(0) == 0 ? 8 : 3;
  double samples = 0.0, seconds = 0.0;
  for (auto _ : state) {
    auto trainer =
        mosaic::train::Trainer::Create(BigEarthNetLikeDataset(), BenchOptions(encoder, steps));
    if (!trainer.ok()) {
      state.SkipWithError(trainer.status().ToString().c_str());
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    auto summary = (*trainer)->Run();
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!summary.ok()) {
      state.SkipWithError(summary.status().ToString().c_str());
      return;
    }
    samples += static_cast<double>(steps * kBatchSize);
  }
  state.counters["samples_per_s"] = samples / seconds;
  Rates()["train/" + encoder] = samples / seconds;
}
BENCHMARK(BM_TrainSteps)
    ->ArgName("encoder")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

void BM_LoaderOnly(benchmark::State& state) {
  mosaic::data::LoaderOptions o;
  o.batch_size = kBatchSize;
  o.drop_last = true;
  o.two_views = true;
  o.num_workers = 1;
  o.seed = 1;
  auto loader = mosaic::data::Loader::Create(BigEarthNetLikeDataset(), o);
  if (!loader.ok()) {
    state.SkipWithError(loader.status().ToString().c_str());
    return;
  }
  double samples = 0.0, seconds = 0.0;
  int64_t epoch = 0;
  mosaic::data::Batch batch;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    (*loader)->Reset(epoch++);
    while ((*loader)->Next(&batch).value()) samples += static_cast<double>(batch.size());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  state.counters["samples_per_s"] = samples / seconds;
  Rates()["loader/workers:1"] = samples / seconds;
}
BENCHMARK(BM_LoaderOnly)->UseRealTime()->MinTime(2.0)->Unit(benchmark::kMillisecond);

void PrintSummary() {
  const std::map<std::string, double>& rates = Rates();
  if (rates.empty()) return;
  std::printf("\nSummary (samples/s; hardware threads: %u, torch threads: %d)\n",
              std::thread::hardware_concurrency(), torch::get_num_threads());
  for (const auto& [name, rate] : rates) std::printf("  %-20s %10.1f\n", name.c_str(), rate);
  const auto loader = rates.find("loader/workers:1");
  if (loader == rates.end()) return;
  for (const auto& [name, rate] : rates) {
    if (name.rfind("train/", 0) != 0) continue;
    std::printf("  ratio loader / %s = %.1fx\n", name.c_str(), loader->second / rate);
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
