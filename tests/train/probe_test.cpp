#include "mosaic/train/probe.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "mosaic/data/loader.h"
#include "mosaic/metrics/average_precision.h"
#include "mosaic/model_bundle.h"
#include "mosaic/train/train_api.h"
#include "mosaic/train/trainer.h"
#include "train_test_util.h"

namespace mosaic::train {
namespace {

using testing::EasyDataset;
using testing::TinyTrainOptions;

struct Pretrained {
  ModelManifest manifest;
  nn::DualStreamModel model{nullptr};
};

Pretrained Pretrain(std::shared_ptr<const data::PatchDataset> dataset) {
  TrainOptions options = TinyTrainOptions();
  options.optimization.max_steps = 4;
  auto trainer = Trainer::Create(dataset, options);
  EXPECT_TRUE(trainer.ok()) << trainer.status().ToString();
  EXPECT_TRUE((*trainer)->Run().ok());
  return {(*trainer)->manifest(), (*trainer)->model()};
}

nn::DualStreamModel Copy(const Pretrained& p) {
  nn::DualStreamModel copy = BuildModel(p.manifest);
  torch::NoGradGuard no_grad;
  auto src = p.model->named_parameters();
  for (auto& item : copy->named_parameters()) item.value().copy_(src[item.key()]);
  auto src_buffers = p.model->named_buffers();
  for (auto& item : copy->named_buffers()) item.value().copy_(src_buffers[item.key()]);
  return copy;
}

// Fused-head macro mAP over the training split, and the label-frequency
// baseline (constant scores: AP = prevalence).
std::pair<double, double> TrainMap(nn::DualStreamModel model, const ModelManifest& manifest,
                                   std::shared_ptr<const data::PatchDataset> dataset) {
  data::LoaderOptions lo;
  lo.indices = data::IndicesOfSplit(*dataset, "train");
  lo.shuffle = false;
  lo.augment = false;
  lo.two_views = false;
  lo.num_workers = 0;
  lo.s1_normalization = manifest.s1.normalization;
  lo.s2_normalization = manifest.s2.normalization;
  auto loader = data::Loader::Create(dataset, lo).value();
  std::vector<float> scores, ones;
  std::vector<uint8_t> targets;
  model->eval();
  torch::NoGradGuard no_grad;
  data::Batch batch;
  while (loader->Next(&batch).value()) {
    const torch::Tensor p = torch::sigmoid(model->forward(batch.s1, batch.s2).fused_logits);
    const torch::Tensor flat = p.contiguous().view(-1);
    scores.insert(scores.end(), flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    const torch::Tensor labels = batch.labels.to(torch::kUInt8).contiguous().view(-1);
    targets.insert(targets.end(), labels.data_ptr<uint8_t>(),
                   labels.data_ptr<uint8_t>() + labels.numel());
  }
  const size_t rows = targets.size() / testing::kClasses;
  ones.assign(scores.size(), 0.5f);
  const double map =
      metrics::ComputeAveragePrecision({scores, rows, testing::kClasses}, {targets, rows, 3})
          .value()
          .macro;
  const double baseline =
      metrics::ComputeAveragePrecision({ones, rows, testing::kClasses}, {targets, rows, 3})
          .value()
          .macro;
  return {map, baseline};
}

bool SameWithPrefix(torch::nn::Module& a, torch::nn::Module& b, const std::string& prefix) {
  auto pb = b.named_parameters();
  for (const auto& item : a.named_parameters()) {
    if (item.key().rfind(prefix, 0) == 0 && !torch::equal(item.value(), pb[item.key()])) {
      return false;
    }
  }
  auto bb = b.named_buffers();
  for (const auto& item : a.named_buffers()) {
    if (item.key().rfind(prefix, 0) == 0 && !torch::equal(item.value(), bb[item.key()])) {
      return false;
    }
  }
  return true;
}

ProbeOptions FastProbe() {
  ProbeOptions o;
  o.optimization.batch_size = 8;
  o.optimization.num_workers = 0;
  o.optimization.learning_rate = 5e-2;
  o.optimization.epochs = 8;
  return o;
}

TEST(Probe, FrozenEncodersStayAndTheProbeBeatsTheBaseline) {
  const auto dataset = EasyDataset(64);
  Pretrained pre = Pretrain(dataset);
  nn::DualStreamModel model = Copy(pre);
  auto prober = Prober::Create(dataset, pre.manifest, model, FastProbe());
  ASSERT_TRUE(prober.ok()) << prober.status().ToString();
  ASSERT_TRUE((*prober)->Run().ok());
  for (const char* prefix : {"s1_encoder.", "s2_encoder.", "s1_projection.", "s2_projection."}) {
    EXPECT_TRUE(SameWithPrefix(*model, *pre.model, prefix)) << prefix;
  }
  for (const char* prefix : {"s1_head.", "s2_head.", "fused_head."}) {
    EXPECT_FALSE(SameWithPrefix(*model, *pre.model, prefix)) << prefix;
  }
  const auto [map, baseline] = TrainMap(model, pre.manifest, dataset);
  EXPECT_GT(map, baseline + 0.1) << map << " vs " << baseline;
  const nlohmann::json j = nlohmann::json::parse((*prober)->manifest().training_json);
  EXPECT_EQ(j["probe"]["mode"], "linear");
  EXPECT_EQ(j["preset"], "mosaic");
}

TEST(Probe, FinetuneChangesTheEncoders) {
  const auto dataset = EasyDataset(40);
  Pretrained pre = Pretrain(dataset);
  nn::DualStreamModel model = Copy(pre);
  ProbeOptions options = FastProbe();
  options.finetune = true;
  options.optimization.epochs = 1;
  auto prober = Prober::Create(dataset, pre.manifest, model, options);
  ASSERT_TRUE(prober.ok()) << prober.status().ToString();
  ASSERT_TRUE((*prober)->Run().ok());
  EXPECT_FALSE(SameWithPrefix(*model, *pre.model, "s1_encoder."));
  EXPECT_FALSE(SameWithPrefix(*model, *pre.model, "s2_encoder."));
}

TEST(Probe, Errors) {
  const auto dataset = EasyDataset(40);
  Pretrained pre = Pretrain(dataset);
  ProbeOptions options = FastProbe();
  options.optimization.label_fraction = 0.0;
  EXPECT_EQ(Prober::Create(dataset, pre.manifest, Copy(pre), options).status().code(),
            StatusCode::kInvalidArgument);
  ModelManifest other = pre.manifest;
  other.class_names = {"x", "y", "z"};
  EXPECT_EQ(Prober::Create(dataset, other, Copy(pre), FastProbe()).status().code(),
            StatusCode::kInvalidArgument);
}

// Heads of `model` as one flat tensor.
torch::Tensor HeadWeights(nn::DualStreamModel model) {  // a holder: shared, not copied
  std::vector<torch::Tensor> parts;
  for (const auto& item : model->named_parameters()) {
    const std::string& key = item.key();
    if (key.rfind("s1_head.", 0) == 0 || key.rfind("s2_head.", 0) == 0 ||
        key.rfind("fused_head.", 0) == 0) {
      parts.push_back(item.value().detach().flatten());
    }
  }
  return torch::cat(parts);
}

TEST(Probe, HeadsAreReinitialisedAlikeForEveryPretrainedModelUnlessKept) {
  const auto dataset = EasyDataset(40);
  // Two different pre-trainings: their heads differ.
  Pretrained a = Pretrain(dataset);
  TrainOptions supervised = TinyTrainOptions();
  supervised.preset = "supervised";
  supervised.optimization.seed = 11;
  auto trainer = Trainer::Create(dataset, supervised);
  ASSERT_TRUE(trainer.ok());
  ASSERT_TRUE((*trainer)->Run().ok());
  Pretrained b{(*trainer)->manifest(), (*trainer)->model()};
  ASSERT_FALSE(torch::equal(HeadWeights(a.model), HeadWeights(b.model)));

  // A learning rate too small to move anything shows where the heads start.
  ProbeOptions options = FastProbe();
  options.optimization.learning_rate = 1e-30;
  options.optimization.epochs = 1;
  std::vector<torch::Tensor> probed;
  for (Pretrained* p : {&a, &b}) {
    nn::DualStreamModel model = Copy(*p);
    auto prober = Prober::Create(dataset, p->manifest, model, options);
    ASSERT_TRUE(prober.ok()) << prober.status().ToString();
    ASSERT_TRUE((*prober)->Run().ok());
    probed.push_back(HeadWeights(model));
    const nlohmann::json j = nlohmann::json::parse((*prober)->manifest().training_json);
    EXPECT_EQ(j["probe"]["heads"], "reinitialized");
  }
  EXPECT_TRUE(torch::equal(probed[0], probed[1]));
  EXPECT_FALSE(torch::allclose(probed[0], HeadWeights(a.model)));
  EXPECT_FALSE(torch::allclose(probed[1], HeadWeights(b.model)));

  options.reinitialize_heads = false;
  nn::DualStreamModel kept = Copy(b);
  auto prober = Prober::Create(dataset, b.manifest, kept, options);
  ASSERT_TRUE(prober.ok());
  ASSERT_TRUE((*prober)->Run().ok());
  EXPECT_TRUE(torch::allclose(HeadWeights(kept), HeadWeights(b.model), 0.0, 1e-12));
}

TEST(Probe, LinearProbeOnCachedFeaturesMatchesTheFullLoop) {
  const auto dataset = EasyDataset(48);
  Pretrained pre = Pretrain(dataset);
  ProbeOptions options = FastProbe();
  options.optimization.epochs = 3;
  options.optimization.weight_decay = 1e-3;
  nn::DualStreamModel cached = Copy(pre);
  auto fast = Prober::Create(dataset, pre.manifest, cached, options);
  ASSERT_TRUE(fast.ok());
  ASSERT_TRUE((*fast)->Run().ok());
  // A step log needs the full loop through the model.
  const std::string log =
      (std::filesystem::temp_directory_path() / ("probe-log-" + std::to_string(getpid()) + ".csv"))
          .string();
  options.optimization.log_path = log;
  nn::DualStreamModel full = Copy(pre);
  auto slow = Prober::Create(dataset, pre.manifest, full, options);
  ASSERT_TRUE(slow.ok());
  ASSERT_TRUE((*slow)->Run().ok());
  std::filesystem::remove(log);
  ASSERT_FALSE(torch::allclose(HeadWeights(cached), HeadWeights(Copy(pre))));
  EXPECT_TRUE(torch::allclose(HeadWeights(cached), HeadWeights(full), 1e-4, 1e-5))
      << (HeadWeights(cached) - HeadWeights(full)).abs().max().item<double>();
}

TEST(Probe, GridKeepsTheBestPointOnTheValidationSplit) {
  const auto dataset = EasyDataset(64);
  Pretrained pre = Pretrain(dataset);
  ProbeOptions options = FastProbe();
  options.learning_rate_grid = {1e-30, 5e-2};
  options.weight_decay_grid = {0.0};
  options.validation_split = "test";
  nn::DualStreamModel model = Copy(pre);
  auto prober = Prober::Create(dataset, pre.manifest, model, options);
  ASSERT_TRUE(prober.ok()) << prober.status().ToString();
  StatusOr<TrainSummary> summary = (*prober)->Run();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_EQ(summary->trials.size(), 2u);
  EXPECT_GT(summary->trials[1].validation_map_macro, summary->trials[0].validation_map_macro);
  EXPECT_EQ(summary->selected_trial, 1);
  const nlohmann::json j = nlohmann::json::parse((*prober)->manifest().training_json);
  EXPECT_EQ(j["probe"]["learning_rate"], 5e-2);
  EXPECT_EQ(j["probe"]["trials"].size(), 2u);

  // The kept model is the one the chosen point alone trains.
  ProbeOptions single = FastProbe();
  single.validation_split = "test";
  nn::DualStreamModel alone = Copy(pre);
  auto one = Prober::Create(dataset, pre.manifest, alone, single);
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE((*one)->Run().ok());
  EXPECT_TRUE(torch::equal(HeadWeights(model), HeadWeights(alone)));

  // A grid needs a validation split.
  options.validation_split = "validation";
  EXPECT_EQ(Prober::Create(dataset, pre.manifest, Copy(pre), options).status().code(),
            StatusCode::kInvalidArgument);
  options.validation_split = "test";
  options.learning_rate_grid = {0.0, 1e-2};
  EXPECT_EQ(Prober::Create(dataset, pre.manifest, Copy(pre), options).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(Probe, FinetuneGridRestoresTheEncodersBetweenPoints) {
  const auto dataset = EasyDataset(40);
  Pretrained pre = Pretrain(dataset);
  ProbeOptions options = FastProbe();
  options.finetune = true;
  options.optimization.epochs = 1;
  options.learning_rate_grid = {1e-2, 1e-30};
  options.validation_split = "test";
  nn::DualStreamModel model = Copy(pre);
  auto prober = Prober::Create(dataset, pre.manifest, model, options);
  ASSERT_TRUE(prober.ok());
  StatusOr<TrainSummary> summary = (*prober)->Run();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_EQ(summary->trials.size(), 2u);
  // Whichever point won, the model is the one that point alone trains from
  // the pre-trained start (so the grid put the encoders back before each).
  ProbeOptions alone = options;
  alone.learning_rate_grid = {
      options.learning_rate_grid[static_cast<size_t>(summary->selected_trial)]};
  nn::DualStreamModel reference = Copy(pre);
  auto single = Prober::Create(dataset, pre.manifest, reference, alone);
  ASSERT_TRUE(single.ok());
  ASSERT_TRUE((*single)->Run().ok());
  EXPECT_TRUE(testing::SameState(*model, *reference));
  EXPECT_FALSE(SameWithPrefix(*model, *pre.model, "s2_encoder.") && summary->selected_trial == 0);
}

TEST(Probe, FinetuneWithFewerLabelledThanABatchUsesThemAll) {
  const auto dataset = EasyDataset(40);
  Pretrained pre = Pretrain(dataset);
  ProbeOptions options = FastProbe();  // batch 8
  options.finetune = true;
  options.optimization.epochs = 2;
  options.optimization.label_fraction = 0.15;
  nn::DualStreamModel model = Copy(pre);
  auto prober = Prober::Create(dataset, pre.manifest, model, options);
  ASSERT_TRUE(prober.ok()) << prober.status().ToString();
  StatusOr<TrainSummary> summary = (*prober)->Run();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  const nlohmann::json j = nlohmann::json::parse((*prober)->manifest().training_json);
  const int64_t labelled = j["probe"]["num_labelled"];
  ASSERT_LT(labelled, 8);
  ASSERT_GE(labelled, 2);
  EXPECT_EQ(j["probe"]["batch_size"], labelled);
  EXPECT_EQ(summary->steps, 2);  // one batch per epoch
  EXPECT_FALSE(SameWithPrefix(*model, *pre.model, "s2_encoder."));
}

TEST(ProbeApi, WritesAProbedBundle) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("mosaic_probe_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  TrainRequest train;
  train.dataset = EasyDataset(40);
  train.options = TinyTrainOptions();
  train.options.optimization.max_steps = 2;
  train.output_path = (dir / "pre.mosaic").string();
  ASSERT_TRUE(RunTraining(train).ok());
  ProbeRequest probe;
  probe.dataset = train.dataset;
  probe.model_path = train.output_path;
  probe.options = FastProbe();
  probe.options.optimization.epochs = 1;
  probe.output_path = (dir / "probed.mosaic").string();
  const Status status = RunProbe(probe);
  ASSERT_TRUE(status.ok()) << status.ToString();
  auto loaded = LoadModelBundle(probe.output_path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(nlohmann::json::parse(loaded->manifest.training_json).contains("probe"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mosaic::train
