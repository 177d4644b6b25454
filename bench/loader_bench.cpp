// Does the loader keep a training step fed?
//
//   BM_Loader/workers:N    patches/s the Loader delivers with N worker threads:
//                          120 x 120 BigEarthNet-like patches (12 S2 + 2 S1
//                          bands), two augmented views each, default
//                          AugmentOptions, batch 32, from an in-memory dataset.
//   BM_TrainStep/width:W/threads:T
//                          patches/s one CPU training step consumes, T torch threads:
//                          DualStreamModel with small_cnn (width W) for both
//                          streams, batch 32, forward of both views,
//                          ComputeObjective("mosaic"), backward, AdamW step.
//   BM_TrainFedByLoader    the two together: width-16 steps on 1 thread fed by
//                          a 1-worker loader (matches the step alone when the
//                          loader keeps up).
//   BM_ReadSample, BM_RenderView   where a worker's time goes, per sample.
// After the runs it prints loader / training-step ratios (the loader should
// deliver at least 5x what a step consumes). See bench/README.md.
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
#include "mosaic/data/augment.h"
#include "mosaic/data/loader.h"
#include "mosaic/data/memory_dataset.h"
#include "mosaic/losses/objective.h"
#include "mosaic/nn/dual_stream.h"
#include "mosaic/process_memory.h"

namespace {

using mosaic::bench::kNumClasses;
using mosaic::data::Batch;
using mosaic::data::Loader;
using mosaic::data::LoaderOptions;
using mosaic::data::MemoryDataset;
using mosaic::data::PatchSample;

using mosaic::bench::kPatchPx;
constexpr int64_t kBatchSize = 32;
constexpr size_t kNumSamples = 128;  // 4 batches per epoch, ~100 MB of pixels

// Measured rates by benchmark name, for the summary.
std::map<std::string, double>& Rates() {
  static std::map<std::string, double> rates;
  return rates;
}

std::shared_ptr<const MemoryDataset> BigEarthNetLikeDataset() {
  return mosaic::bench::BigEarthNetLikeDataset(kNumSamples);
}

LoaderOptions TrainingLoaderOptions(int num_workers) {
  LoaderOptions o;
  o.batch_size = kBatchSize;
  o.two_views = true;
  o.augment = true;  // default AugmentOptions
  o.num_workers = num_workers;
  o.prefetch_batches = 4;
  o.seed = 1;
  return o;
}

void BM_Loader(benchmark::State& state) {
  const int workers = static_cast<int>(state.range(0));
  auto loader = Loader::Create(BigEarthNetLikeDataset(), TrainingLoaderOptions(workers));
  if (!loader.ok()) {
    state.SkipWithError(loader.status().ToString().c_str());
    return;
  }
  int64_t patches = 0, epoch = 0;
  double seconds = 0.0;
  Batch batch;
  for (auto _ : state) {
    // One epoch per iteration; the first Reset() keeps what was prefetched
    // since Create(), later ones start from an empty queue (as in training).
    const auto start = std::chrono::steady_clock::now();
    (*loader)->Reset(epoch++);
    for (;;) {
      auto got = (*loader)->Next(&batch);
      if (!got.ok()) {
        state.SkipWithError(got.status().ToString().c_str());
        return;
      }
      if (!*got) break;
      patches += batch.size();
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  state.counters["patches_per_s"] =
      benchmark::Counter(static_cast<double>(patches), benchmark::Counter::kIsRate);
  Rates()["loader/workers:" + std::to_string(workers)] = static_cast<double>(patches) / seconds;
}
BENCHMARK(BM_Loader)->ArgName("workers")->Arg(0)->Arg(1)->Arg(2)->UseRealTime()->MinTime(3.0)->Unit(
    benchmark::kMillisecond);

// Where a loader worker's time goes, per sample: Read() (a copy out of the
// in-memory dataset) and one rendered view of each modality.
void BM_ReadSample(benchmark::State& state) {
  const auto dataset = BigEarthNetLikeDataset();
  size_t i = 0;
  for (auto _ : state) {
    auto sample = dataset->Read(i++ % kNumSamples);
    benchmark::DoNotOptimize(sample.value().s2.data());
  }
}
BENCHMARK(BM_ReadSample)->Unit(benchmark::kMicrosecond);

// arg 0: S1 or S2; arg 1: 0 = normalisation only, 1 = default augmentations,
// 2 = every augmentation with probability 1.
void BM_RenderView(benchmark::State& state) {
  const bool s1 = state.range(0) == 1;
  const auto dataset = BigEarthNetLikeDataset();
  const PatchSample sample = dataset->Read(0).value();
  const auto bands = static_cast<int64_t>((s1 ? dataset->s1_bands() : dataset->s2_bands()).size());
  const torch::Tensor raw = torch::from_blob(
      const_cast<float*>((s1 ? sample.s1 : sample.s2).data()), {bands, kPatchPx, kPatchPx});
  const torch::Tensor out = torch::empty_like(raw);
  const mosaic::BandNormalization norm =
      mosaic::DefaultNormalization(s1 ? dataset->s1_bands() : dataset->s2_bands());
  mosaic::data::AugmentOptions options;
  if (state.range(1) == 0) options = mosaic::data::AugmentOptions::None();
  if (state.range(1) == 2) {
    options.crop_probability = options.s2_jitter_probability = 1.0;
    options.s1_speckle_probability = options.s1_noise_probability = 1.0;
  }
  uint64_t seed = 0;
  for (auto _ : state) {
    const mosaic::data::ViewParams params =
        mosaic::data::SampleViewParams(options, kPatchPx, 2, 12, seed++);
    mosaic::data::RenderView(s1 ? mosaic::Modality::kS1 : mosaic::Modality::kS2, params, norm, raw,
                             out);
  }
}
BENCHMARK(BM_RenderView)
    ->ArgNames({"s1", "augment"})
    ->ArgsProduct({{0, 1}, {0, 1, 2}})
    ->Unit(benchmark::kMicrosecond);

// One training step on `batch`: both views through the model, the "mosaic"
// objective, backward, AdamW step.
class TrainStep {
 public:
  explicit TrainStep(int64_t width)
      : model_(mosaic::nn::DualStreamModelOptions()
                   .s1_encoder("small_cnn")
                   .s2_encoder("small_cnn")
                   .s1_in_channels(2)
                   .s2_in_channels(12)
                   .num_classes(kNumClasses)
                   .small_cnn_width(width)),
        optimizer_(model_->parameters(), torch::optim::AdamWOptions(1e-3)),
        objective_(mosaic::losses::ObjectivePreset("mosaic")) {
    model_->train();
  }

  float Run(const Batch& batch) {
    const mosaic::nn::DualStreamOutput view1 = model_->forward(batch.s1, batch.s2);
    const mosaic::nn::DualStreamOutput view2 = model_->forward(batch.s1_view2, batch.s2_view2);
    mosaic::losses::ObjectiveInputs inputs;
    inputs.s1.view1 = view1.s1_embedding;
    inputs.s1.view2 = view2.s1_embedding;
    inputs.s2.view1 = view1.s2_embedding;
    inputs.s2.view2 = view2.s2_embedding;
    inputs.labels = batch.labels;
    inputs.labelled = batch.labelled;
    const mosaic::losses::ObjectiveResult result =
        mosaic::losses::ComputeObjective(inputs, objective_);
    optimizer_.zero_grad();
    result.total.backward();
    optimizer_.step();
    return result.total.item<float>();
  }

 private:
  mosaic::nn::DualStreamModel model_;
  torch::optim::AdamW optimizer_;
  mosaic::losses::ObjectiveOptions objective_;
};

// Sets torch's intra-op thread count for one benchmark and restores it.
class IntraOpThreads {
 public:
  explicit IntraOpThreads(int threads) : previous_(torch::get_num_threads()) {
    torch::set_num_threads(threads);
  }
  ~IntraOpThreads() { torch::set_num_threads(previous_); }

 private:
  int previous_;
};

// args: small_cnn width, torch intra-op threads.
void BM_TrainStep(benchmark::State& state) {
  const int64_t width = state.range(0);
  const IntraOpThreads threads(static_cast<int>(state.range(1)));
  torch::manual_seed(0);
  TrainStep step(width);
  // One real batch from the loader, reused: the step's cost does not depend on the pixels.
  auto loader = Loader::Create(BigEarthNetLikeDataset(), TrainingLoaderOptions(0));
  Batch batch;
  if (!loader.ok() || !(*loader)->Next(&batch).ok()) {
    state.SkipWithError("could not load a batch");
    return;
  }
  int64_t patches = 0;
  double seconds = 0.0;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(step.Run(batch));
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    patches += batch.size();
  }
  state.counters["patches_per_s"] =
      benchmark::Counter(static_cast<double>(patches), benchmark::Counter::kIsRate);
  Rates()["train/width:" + std::to_string(width) + "/threads:" + std::to_string(state.range(1))] =
      static_cast<double>(patches) / seconds;
}
BENCHMARK(BM_TrainStep)
    ->ArgNames({"width", "threads"})
    ->ArgsProduct({{16, 32}, {1, 2}})
    ->UseRealTime()
    ->MinTime(3.0)
    ->Unit(benchmark::kMillisecond);

// The real pipeline: training steps (1 intra-op thread) fed by a loader with
// one worker, both on this machine's cores. If the loader keeps up, this
// matches BM_TrainStep/width:16/threads:1.
void BM_TrainFedByLoader(benchmark::State& state) {
  const IntraOpThreads threads(1);
  torch::manual_seed(0);
  TrainStep step(16);
  auto loader = Loader::Create(BigEarthNetLikeDataset(), TrainingLoaderOptions(1));
  if (!loader.ok()) {
    state.SkipWithError(loader.status().ToString().c_str());
    return;
  }
  int64_t patches = 0, epoch = 0;
  double seconds = 0.0;
  Batch batch;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto got = (*loader)->Next(&batch);
    if (got.ok() && !*got) {  // end of an epoch: start the next one
      (*loader)->Reset(++epoch);
      got = (*loader)->Next(&batch);
    }
    if (!got.ok() || !*got) {
      state.SkipWithError("loader failed");
      return;
    }
    benchmark::DoNotOptimize(step.Run(batch));
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    patches += batch.size();
  }
  state.counters["patches_per_s"] =
      benchmark::Counter(static_cast<double>(patches), benchmark::Counter::kIsRate);
  Rates()["pipeline/width:16/threads:1/workers:1"] = static_cast<double>(patches) / seconds;
}
BENCHMARK(BM_TrainFedByLoader)->UseRealTime()->MinTime(3.0)->Unit(benchmark::kMillisecond);

void PrintSummary() {
  const std::map<std::string, double>& rates = Rates();
  if (rates.empty()) return;
  std::printf("\nSummary (patches/s; hardware threads: %u)\n", std::thread::hardware_concurrency());
  for (const auto& [name, rate] : rates) std::printf("  %-20s %10.1f\n", name.c_str(), rate);
  for (const auto& [loader_name, loader_rate] : rates) {
    if (loader_name.rfind("loader/", 0) != 0) continue;
    for (const auto& [train_name, train_rate] : rates) {
      if (train_name.rfind("train/", 0) != 0) continue;  // pipeline/ is not a ratio
      std::printf("  ratio %s / %s = %.1fx%s\n", loader_name.c_str(), train_name.c_str(),
                  loader_rate / train_rate, loader_rate >= 5.0 * train_rate ? "" : "  (< 5x)");
    }
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
