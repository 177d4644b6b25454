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
