#include "mosaic/train/trainer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "mosaic/model_bundle.h"
#include "mosaic/train/train_api.h"
#include "train_test_util.h"

namespace mosaic::train {
namespace {

namespace fs = std::filesystem;
using testing::EasyDataset;
using testing::TinyTrainOptions;

fs::path TempDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("mosaic_train_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(LearningRate, WarmupThenCosine) {
  OptimizationOptions o;
  o.learning_rate = 1.0;
  o.min_learning_rate = 0.1;
  o.warmup_steps = 4;
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 0, 14), 0.25);
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 1, 14), 0.5);
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 3, 14), 1.0);
  // Cosine over steps 4..13 (span 9): peak first, min last, midpoint halfway.
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 4, 14), 1.0);
  EXPECT_NEAR(LearningRateAt(o, 13, 14), 0.1, 1e-12);
  const double mid = 0.1 + 0.9 * 0.5 * (1.0 + std::cos(std::acos(-1.0) * 4.0 / 9.0));
  EXPECT_NEAR(LearningRateAt(o, 8, 14), mid, 1e-12);
  o.warmup_steps = 0;
  EXPECT_DOUBLE_EQ(LearningRateAt(o, 0, 10), 1.0);
}

// Trains `options` to the end (or stop_at_step) and returns the trainer.
std::unique_ptr<Trainer> TrainWith(const TrainOptions& options,
                                   std::shared_ptr<const data::PatchDataset> dataset) {
  auto trainer = Trainer::Create(dataset, options);
  EXPECT_TRUE(trainer.ok()) << trainer.status().ToString();
  auto summary = (*trainer)->Run();
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return std::move(*trainer);
}

class Determinism : public ::testing::TestWithParam<int> {};

TEST_P(Determinism, ResumeGivesIdenticalWeights) {
  const auto dataset = EasyDataset(40);  // 35 train samples: 4 batches of 8 per epoch
  TrainOptions options = TinyTrainOptions();
  options.optimization.num_workers = GetParam();
  options.optimization.max_steps = 6;  // spans two epochs
  options.optimization.warmup_steps = 2;
  options.optimization.grad_clip_norm = 1.0;
  auto straight = TrainWith(options, dataset);

  const fs::path dir = TempDir("resume" + std::to_string(GetParam()));
  options.optimization.checkpoint_dir = dir.string();
  options.optimization.stop_at_step = 3;  // mid-epoch
  auto first = TrainWith(options, dataset);
  EXPECT_TRUE(fs::exists(dir / "checkpoint.pt"));
  EXPECT_FALSE(testing::SameState(*straight->model(), *first->model()));

  options.optimization.stop_at_step = 0;
  options.optimization.resume = true;
  auto resumed = TrainWith(options, dataset);
  EXPECT_TRUE(testing::SameState(*straight->model(), *resumed->model()));
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Workers, Determinism, ::testing::Values(0, 2));

TEST(Trainer, ResumeOfAnotherRunIsRefused) {
  const auto dataset = EasyDataset(40);
  TrainOptions options = TinyTrainOptions();
  const fs::path dir = TempDir("refuse");
  options.optimization.checkpoint_dir = dir.string();
  options.optimization.max_steps = 2;
  TrainWith(options, dataset);
  options.optimization.resume = true;
  options.optimization.max_steps = 5;
  auto trainer = Trainer::Create(dataset, options);
  ASSERT_TRUE(trainer.ok());
  EXPECT_EQ((*trainer)->Run().status().code(), StatusCode::kInvalidArgument);
  options.optimization.checkpoint_dir = (dir / "missing").string();
  trainer = Trainer::Create(dataset, options);
  ASSERT_TRUE(trainer.ok());
  EXPECT_EQ((*trainer)->Run().status().code(), StatusCode::kNotFound);
  fs::remove_all(dir);
}

TEST(Trainer, SupervisedLossDecreases) {
  const auto dataset = EasyDataset(64);
  TrainOptions options = TinyTrainOptions();
  options.preset = "supervised";
  options.optimization.max_steps = 40;
  options.optimization.augment = false;
  options.optimization.learning_rate = 2e-2;
  std::vector<double> losses;
  options.optimization.progress = [&](const TrainProgress& p) {
    losses.push_back(p.losses.at("total"));
  };
  TrainWith(options, dataset);
  ASSERT_EQ(losses.size(), 40u);
  const double first = (losses[0] + losses[1] + losses[2]) / 3.0;
  const double last = (losses[37] + losses[38] + losses[39]) / 3.0;
  EXPECT_LT(last, 0.7 * first) << first << " -> " << last;
}

TEST(Trainer, LogsEveryTermAsCsvAndJsonl) {
  const auto dataset = EasyDataset(40);
  const fs::path dir = TempDir("log");
  for (const std::string ext : {".csv", ".jsonl"}) {
    TrainOptions options = TinyTrainOptions();
    options.optimization.max_steps = 3;
    options.optimization.log_path = (dir / ("train" + ext)).string();
    TrainWith(options, dataset);
    const std::vector<std::string> lines = ReadLines(options.optimization.log_path);
    const std::vector<std::string> expected = {
        "step", "epoch", "lr", "total", "intra_s1", "intra_s2", "inter", "sup", "samples_per_s"};
    if (ext == ".csv") {
      ASSERT_EQ(lines.size(), 4u);
      std::string header;
      for (size_t i = 0; i < expected.size(); ++i) header += (i ? "," : "") + expected[i];
      EXPECT_EQ(lines[0], header);
      EXPECT_EQ(lines[3].rfind("3,0,", 0), 0u) << lines[3];
    } else {
      ASSERT_EQ(lines.size(), 3u);
      for (const std::string& line : lines) {
        const nlohmann::json row = nlohmann::json::parse(line);
        for (const std::string& key : expected) EXPECT_TRUE(row.contains(key)) << key;
      }
      EXPECT_EQ(nlohmann::json::parse(lines[2])["step"], 3);
    }
  }
  fs::remove_all(dir);
}

TEST(Trainer, OptionErrors) {
  const auto dataset = EasyDataset(40);
  auto code = [&](const TrainOptions& o) { return Trainer::Create(dataset, o).status().code(); };
  TrainOptions o = TinyTrainOptions();
  o.preset = "byol";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  EXPECT_NE(Trainer::Create(dataset, o).status().message().find("--preset"), std::string::npos);
  o = TinyTrainOptions();
  o.optimization.optimizer = "lamb";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = TinyTrainOptions();
  o.optimization.amp = "bf16";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  EXPECT_NE(Trainer::Create(dataset, o).status().message().find("CUDA"), std::string::npos);
  o = TinyTrainOptions();
  o.encoder = "vit";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = TinyTrainOptions();
  o.optimization.split = "nowhere";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = TinyTrainOptions();
  o.optimization.label_fraction = 2.0;
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = TinyTrainOptions();
  o.objective.temperature_sup = 0.0;
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
}

TEST(Trainer, NegativesAndLabelledPerBatchAreAppliedAndRecorded) {
  const auto dataset = EasyDataset(40);
  TrainOptions o = TinyTrainOptions();
  o.objective.supervision_aware_negatives = "bogus";
  StatusOr<std::unique_ptr<Trainer>> bad = Trainer::Create(dataset, o);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--negatives"), std::string::npos)
      << bad.status().message();
  o = TinyTrainOptions();
  o.optimization.labelled_per_batch = o.optimization.batch_size;  // must be < batch size
  bad = Trainer::Create(dataset, o);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("--labelled-per-batch"), std::string::npos)
      << bad.status().message();

  o = TinyTrainOptions();
  o.objective.supervision_aware_negatives = "remove";
  o.optimization.label_fraction = 0.2;
  o.optimization.labelled_per_batch = 3;
  o.optimization.max_steps = 2;
  StatusOr<std::unique_ptr<Trainer>> trainer = Trainer::Create(dataset, o);
  ASSERT_TRUE(trainer.ok()) << trainer.status().ToString();
  ASSERT_TRUE((*trainer)->Run().ok());
  const nlohmann::json j = nlohmann::json::parse((*trainer)->manifest().training_json);
  EXPECT_EQ(j["objective"]["supervision_aware_negatives"], "remove") << j.dump();
  EXPECT_EQ(j["labelled_per_batch"], 3);
}

TEST(TrainApi, WritesABundleAndRefusesToOverwrite) {
  const fs::path dir = TempDir("api");
  TrainRequest request;
  request.dataset = EasyDataset(40);
  request.options = TinyTrainOptions();
  request.options.optimization.max_steps = 2;
  request.options.optimization.label_fraction = 0.5;
  request.output_path = (dir / "model.mosaic").string();
  TrainSummary summary;
  ASSERT_TRUE(RunTraining(request, &summary).ok());
  EXPECT_TRUE(summary.finished);
  EXPECT_LT(summary.num_labelled, summary.num_samples);
  StatusOr<LoadedModel> loaded = LoadModelBundle(request.output_path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  const nlohmann::json training = nlohmann::json::parse(loaded->manifest.training_json);
  EXPECT_EQ(training["preset"], "mosaic");
  EXPECT_EQ(training["steps"], 2);
  EXPECT_TRUE(training["final_losses"].contains("inter"));
  EXPECT_EQ(loaded->manifest.s2.bands, request.dataset->s2_bands());
  EXPECT_EQ(loaded->manifest.class_names.size(), 3u);
  EXPECT_EQ(RunTraining(request).code(), StatusCode::kInvalidArgument);
  request.overwrite = true;
  EXPECT_TRUE(RunTraining(request).ok());
  fs::remove_all(dir);
}

TEST(TrainApi, CancelledRunWritesNoBundle) {
  const fs::path dir = TempDir("cancel");
  std::atomic<bool> cancel{false};
  TrainRequest request;
  request.dataset = EasyDataset(40);
  request.options = TinyTrainOptions();
  request.options.optimization.cancel = &cancel;
  request.options.optimization.progress = [&](const TrainProgress& p) {
    if (p.step == 2) cancel = true;
  };
  request.output_path = (dir / "model.mosaic").string();
  EXPECT_EQ(RunTraining(request).code(), StatusCode::kCancelled);
  EXPECT_FALSE(fs::exists(request.output_path));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mosaic::train
