// Throughput of the core on one device, without GDAL or Google Benchmark, so
// that it builds anywhere LibTorch does (e.g. a GPU machine whose LibTorch
// comes from a CUDA PyTorch):
//
//   inference  patches/s of PatchClassifier::Classify on in-memory 120 x 120
//              patches (12 S2 + 2 S1 bands) per encoder, precision and batch;
//   training   samples/s of full Trainer steps (mosaic preset, two augmented
//              views) per encoder, mixed precision and batch, next to the
//              loader's own samples/s with the same workers.
//
// Usage: mosaic_bench_device [--device cpu|cuda] [--quick] [--json FILE]
// Prints one line per measurement and, with --json, writes them all.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "bench_fixtures.h"
#include "mosaic/bands.h"
#include "mosaic/data/loader.h"
#include "mosaic/label_sets.h"
#include "mosaic/model_factory.h"
#include "mosaic/patch_classifier.h"
#include "mosaic/process_memory.h"
#include "mosaic/train/trainer.h"

namespace {

using Clock = std::chrono::steady_clock;
using mosaic::bench::kPatchPx;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

mosaic::ModelManifest BenchManifest(const std::string& encoder) {
  mosaic::ModelManifest m;
  m.name = "bench-" + encoder;
  m.s1.encoder = encoder;
  m.s1.bands = mosaic::ModalityBands(mosaic::Modality::kS1);
  m.s1.normalization = mosaic::DefaultNormalization(m.s1.bands);
  m.s2.encoder = encoder;
  m.s2.bands = *mosaic::BandSet("s2-all");
  m.s2.normalization = mosaic::DefaultNormalization(m.s2.bands);
  m.small_cnn_width = 32;
  for (int64_t c = 0; c < mosaic::bench::kNumClasses; ++c) {
    m.class_names.push_back("class " + std::to_string(c));
  }
  m.patch_size_px = kPatchPx;
  return m;
}

// patches/s of Classify with the fused head, after warm-up.
nlohmann::json MeasureInference(const std::string& bundle, const std::string& encoder,
                                const std::string& device, const std::string& precision,
                                int64_t batch, double min_seconds) {
  nlohmann::json row = {{"kind", "inference"},
                        {"encoder", encoder},
                        {"device", device},
                        {"precision", precision},
                        {"batch", batch}};
  mosaic::ClassifierOptions options;
  options.device = device;
  options.precision = precision;
  auto classifier = mosaic::PatchClassifier::Open(bundle, options);
  if (!classifier.ok()) {
    row["error"] = classifier.status().ToString();
    return row;
  }
  const int64_t plane = kPatchPx * kPatchPx;
  std::vector<float> s1(static_cast<size_t>(batch * 2 * plane)),
      s2(static_cast<size_t>(batch * 12 * plane));
  std::mt19937 gen(3);
  std::normal_distribution<float> db(-12.0f, 3.0f);
  std::uniform_real_distribution<float> reflectance(300.0f, 3000.0f);
  for (float& v : s1) v = db(gen);
  for (float& v : s2) v = reflectance(gen);
  mosaic::PatchBatch input{batch, kPatchPx, kPatchPx, s1.data(), s2.data()};
  std::vector<float> probabilities;
  for (int i = 0; i < 3; ++i) {
    mosaic::Status status =
        (*classifier)->Classify(input, mosaic::HeadChoice::kFused, &probabilities);
    if (!status.ok()) {
      row["error"] = status.ToString();
      return row;
    }
  }
  int64_t patches = 0;
  const auto start = Clock::now();
  do {
    (void)(*classifier)->Classify(input, mosaic::HeadChoice::kFused, &probabilities);
    patches += batch;
  } while (Since(start) < min_seconds);
  row["patches_per_s"] = static_cast<double>(patches) / Since(start);
  return row;
}

nlohmann::json MeasureTraining(const std::string& encoder, const std::string& device,
                               const std::string& amp, int64_t batch, int64_t steps, int workers) {
  nlohmann::json row = {{"kind", "training"}, {"encoder", encoder}, {"device", device},
                        {"amp", amp},         {"batch", batch},     {"steps", steps},
                        {"workers", workers}};
  auto dataset = mosaic::bench::BigEarthNetLikeDataset(static_cast<size_t>(4 * batch));
  mosaic::train::TrainOptions o;
  o.encoder = encoder;
  o.small_cnn_width = 32;
  o.optimization.batch_size = batch;
  o.optimization.num_workers = workers;
  o.optimization.max_steps = steps;
  o.optimization.warmup_steps = 1;
  o.optimization.device = device;
  o.optimization.amp = amp;
  o.normalization_samples = 32;
  auto trainer = mosaic::train::Trainer::Create(dataset, o);
  if (!trainer.ok()) {
    row["error"] = trainer.status().ToString();
    return row;
  }
  auto summary = (*trainer)->Run();
  if (!summary.ok()) {
    row["error"] = summary.status().ToString();
    return row;
  }
  row["samples_per_s"] = summary->samples_per_s;
  // The loader alone, same batch, views and workers.
  mosaic::data::LoaderOptions lo;
  lo.batch_size = batch;
  lo.drop_last = true;
  lo.two_views = true;
  lo.num_workers = workers;
  lo.seed = 1;
  auto loader = mosaic::data::Loader::Create(dataset, lo);
  if (loader.ok()) {
    mosaic::data::Batch b;
    double samples = 0.0;
    const auto start = Clock::now();
    for (int64_t epoch = 0; Since(start) < 1.0; ++epoch) {
      (*loader)->Reset(epoch);
      while ((*loader)->Next(&b).value()) samples += static_cast<double>(b.size());
    }
    row["loader_samples_per_s"] = samples / Since(start);
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  mosaic::KeepFreedMemoryForReuse();  // as the mosaic executable does
  std::string device = "cpu", json_path;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--device" && i + 1 < argc) {
      device = argv[++i];
    } else if (arg == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else if (arg == "--quick") {
      quick = true;
    } else {
      std::fprintf(stderr, "usage: %s [--device cpu|cuda] [--quick] [--json FILE]\n", argv[0]);
      return 2;
    }
  }
  const bool cuda = device.rfind("cuda", 0) == 0;
  const std::string dir = (std::filesystem::temp_directory_path() /
                           ("mosaic-device-bench-" + std::to_string(::getpid())))
                              .string();
  std::filesystem::create_directories(dir);
  nlohmann::json rows = nlohmann::json::array();
  auto emit = [&](const nlohmann::json& row) {
    std::printf("%s\n", row.dump().c_str());
    std::fflush(stdout);
    rows.push_back(row);
  };
  const std::vector<std::string> encoders = {"small_cnn", "resnet18"};
  const std::vector<std::string> precisions =
      cuda ? std::vector<std::string>{"fp32", "bf16", "fp16"} : std::vector<std::string>{"fp32"};
  const std::vector<int64_t> batches =
      cuda ? std::vector<int64_t>{16, 64, 256} : std::vector<int64_t>{16};
  for (const std::string& encoder : encoders) {
    const std::string bundle = dir + "/" + encoder + ".mosaic";
    mosaic::Status written = mosaic::WriteInitializedBundle(bundle, BenchManifest(encoder), 1);
    if (!written.ok()) {
      emit({{"kind", "inference"}, {"encoder", encoder}, {"error", written.ToString()}});
      continue;
    }
    for (const std::string& precision : precisions) {
      for (int64_t batch : batches) {
        emit(MeasureInference(bundle, encoder, device, precision, batch, quick ? 0.5 : 2.0));
      }
    }
  }
  const std::vector<std::string> amps =
      cuda ? std::vector<std::string>{"none", "bf16", "fp16"} : std::vector<std::string>{"none"};
  const int workers =
      cuda ? std::max(2, static_cast<int>(std::thread::hardware_concurrency()) / 2) : 1;
  for (const std::string& encoder : encoders) {
    for (const std::string& amp : amps) {
      for (int64_t batch : cuda ? std::vector<int64_t>{32, 128} : std::vector<int64_t>{32}) {
        const int64_t steps = cuda ? (quick ? 10 : 30) : (encoder == "resnet18" ? 2 : 4);
        emit(MeasureTraining(encoder, device, amp, batch, steps, workers));
      }
    }
  }
  std::filesystem::remove_all(dir);
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << rows.dump(2) << "\n";
  }
  return 0;
}
