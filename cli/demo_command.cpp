// mosaic demo BUNDLE: load a bundle and classify a batch of synthetic patches
// with every head the model has. A smoke test of the whole inference path
// (bundle verification, normalisation, dual-stream forward pass) until the
// scene engine reads real rasters.
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <random>

#include "cli_util.h"
#include "commands.h"
#include "mosaic/patch_classifier.h"

namespace mosaic::cli {
namespace {

struct DemoArgs {
  std::string bundle;
  std::string device = "cpu";
  int64_t batch_size = 4;
  uint32_t seed = 0;
  int top_k = 3;
};

// Patches drawn around each band's mean, with a smooth gradient so they are
// not constant, in the bands' physical units.
std::vector<float> SyntheticPatches(const ModalitySpec& spec, int64_t count, int64_t side,
                                    std::mt19937& rng) {
  std::normal_distribution<float> noise(0.0f, 1.0f);
  const int64_t channels = static_cast<int64_t>(spec.bands.size());
  std::vector<float> data(static_cast<size_t>(count * channels * side * side));
  size_t i = 0;
  for (int64_t n = 0; n < count; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      const float mean = static_cast<float>(spec.normalization.mean[c]);
      const float std = static_cast<float>(spec.normalization.std[c]);
      const float offset = noise(rng);
      for (int64_t y = 0; y < side; ++y) {
        for (int64_t x = 0; x < side; ++x) {
          const float ramp = static_cast<float>(x + y) / static_cast<float>(2 * side) - 0.5f;
          data[i++] = mean + std * (0.5f * offset + ramp + 0.2f * noise(rng));
        }
      }
    }
  }
  return data;
}

void PrintTopClasses(const std::vector<float>& probs, int64_t count,
                     const std::vector<std::string>& classes, int top_k) {
  const size_t num_classes = classes.size();
  for (int64_t n = 0; n < count; ++n) {
    std::vector<size_t> order(num_classes);
    for (size_t c = 0; c < num_classes; ++c) order[c] = c;
    const float* row = probs.data() + n * num_classes;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return row[a] > row[b]; });
    std::cout << "    patch " << n << ":";
    for (int k = 0; k < top_k && k < static_cast<int>(num_classes); ++k) {
      std::cout << (k ? ";" : "") << " " << classes[order[k]] << " " << std::fixed
                << std::setprecision(3) << row[order[k]];
    }
    std::cout << "\n";
  }
}

int RunDemo(const DemoArgs& args) {
  if (args.batch_size < 1 || args.batch_size > 4096) {
    return ReportError("demo", Status::InvalidArgument("--batch-size: expected 1..4096"));
  }
  ClassifierOptions options;
  options.device = args.device;
  StatusOr<std::unique_ptr<PatchClassifier>> classifier =
      PatchClassifier::Open(args.bundle, options);
  if (!classifier.ok()) return ReportError("demo", classifier.status());
  const ModelManifest& m = (*classifier)->manifest();
  std::cout << "Loaded " << m.name << " on " << (*classifier)->device() << ": "
            << m.class_names.size() << " classes, " << m.patch_size_px << " px patches\n";

  std::mt19937 rng(args.seed);
  const int64_t side = m.patch_size_px;
  std::vector<float> s1, s2;
  if (m.s1.present()) s1 = SyntheticPatches(m.s1, args.batch_size, side, rng);
  if (m.s2.present()) s2 = SyntheticPatches(m.s2, args.batch_size, side, rng);
  PatchBatch batch;
  batch.count = args.batch_size;
  batch.height = batch.width = side;
  batch.s1 = s1.empty() ? nullptr : s1.data();
  batch.s2 = s2.empty() ? nullptr : s2.data();

  std::vector<std::pair<const char*, HeadChoice>> heads;
  if (m.s1.present() && m.s2.present()) heads.emplace_back("fused (S1+S2)", HeadChoice::kFused);
  if (m.s1.present()) heads.emplace_back("Sentinel-1 only", HeadChoice::kS1);
  if (m.s2.present()) heads.emplace_back("Sentinel-2 only", HeadChoice::kS2);
  for (const auto& [label, head] : heads) {
    std::vector<float> probs;
    const auto start = std::chrono::steady_clock::now();
    Status status = (*classifier)->Classify(batch, head, &probs);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!status.ok()) return ReportError("demo", status);
    std::cout << "  head " << label << ": " << std::fixed << std::setprecision(1)
              << 1000.0 * seconds / static_cast<double>(args.batch_size) << " ms/patch\n";
    PrintTopClasses(probs, args.batch_size, m.class_names, args.top_k);
  }
  return 0;
}

}  // namespace

void RegisterDemoCommand(CLI::App& app, int* exit_code) {
  auto a = std::make_shared<DemoArgs>();
  CLI::App* cmd =
      app.add_subcommand("demo", "Classify synthetic patches with a bundle (inference smoke test)");
  cmd->add_option("bundle", a->bundle, "Model bundle file")->required();
  cmd->add_option("--device", a->device, "cpu, cuda or cuda:N")->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Patches per batch")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Seed of the synthetic patches")->capture_default_str();
  cmd->add_option("--top-k", a->top_k, "Classes shown per patch")->capture_default_str();
  cmd->callback([a, exit_code] { *exit_code = RunDemo(*a); });
}

}  // namespace mosaic::cli
