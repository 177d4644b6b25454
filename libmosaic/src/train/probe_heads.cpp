#include "train/probe_heads.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "mosaic/data/batch_composition.h"
#include "mosaic/data/loader.h"
#include "mosaic/metrics/average_precision.h"
#include "train/train_loop.h"

namespace mosaic::train::internal {
namespace {

torch::nn::Linear FindLinear(nn::DualStreamModel& model, const std::string& name) {
  for (const auto& child : model->named_children()) {
    if (child.key() == name) {
      auto linear = std::dynamic_pointer_cast<torch::nn::LinearImpl>(child.value());
      if (linear) return torch::nn::Linear(linear);
    }
  }
  return torch::nn::Linear(nullptr);
}

// Logits of every present head over rows `rows` of `features` (undefined = all).
std::vector<torch::Tensor> HeadLogits(ProbeHeads heads,  // holders: cheap copies
                                      const PooledFeatures& features, const torch::Tensor& rows) {
  auto pick = [&](const torch::Tensor& t) { return rows.defined() ? t.index_select(0, rows) : t; };
  std::vector<torch::Tensor> logits;
  const torch::Tensor s1 = features.s1.defined() ? pick(features.s1) : torch::Tensor();
  const torch::Tensor s2 = features.s2.defined() ? pick(features.s2) : torch::Tensor();
  if (heads.fused && s1.defined() && s2.defined()) {
    logits.push_back(heads.fused->forward(torch::cat({s1, s2}, 1)));
  }
  if (heads.s1 && s1.defined()) logits.push_back(heads.s1->forward(s1));
  if (heads.s2 && s2.defined()) logits.push_back(heads.s2->forward(s2));
  return logits;
}

}  // namespace

std::vector<torch::Tensor> ProbeHeads::parameters() const {
  std::vector<torch::Tensor> params;
  for (const torch::nn::Linear& head : {fused, s1, s2}) {
    if (!head) continue;
    for (const torch::Tensor& p : head->parameters()) params.push_back(p);
  }
  return params;
}

void ProbeHeads::Reinitialize(uint64_t seed) {
  // The salt keeps the heads' stream apart from the trainer's per-step seeds.
  torch::manual_seed(seed ^ 0x4845414453ULL);  // "HEADS"
  for (torch::nn::Linear head : {fused, s1, s2}) {
    if (head) head->reset_parameters();
  }
}

ProbeHeads HeadsOf(nn::DualStreamModel& model) {
  ProbeHeads heads;
  heads.s1 = FindLinear(model, "s1_head");
  heads.s2 = FindLinear(model, "s2_head");
  heads.fused = FindLinear(model, "fused_head");
  return heads;
}

StatusOr<PooledFeatures> ExtractPooledFeatures(nn::DualStreamModel& model,
                                               std::shared_ptr<const data::PatchDataset> dataset,
                                               const std::vector<size_t>& indices,
                                               const ModelManifest& manifest,
                                               const OptimizationOptions& options,
                                               torch::Device device) {
  data::LoaderOptions lo;
  lo.indices = indices;
  lo.batch_size = 64;
  lo.shuffle = false;
  lo.augment = false;
  lo.two_views = false;
  lo.num_workers = options.num_workers;
  lo.s1_normalization = manifest.s1.normalization;
  lo.s2_normalization = manifest.s2.normalization;
  StatusOr<std::unique_ptr<data::Loader>> loader = data::Loader::Create(dataset, lo);
  if (!loader.ok()) return loader.status();
  model->eval();
  model->to(device);
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> s1, s2, labels;
  data::Batch batch;
  for (;;) {
    StatusOr<bool> got = (*loader)->Next(&batch);
    if (!got.ok()) return got.status();
    if (!*got) break;
    if (model->has_s1() && batch.s1.defined()) s1.push_back(model->EncodeS1(batch.s1.to(device)));
    if (model->has_s2() && batch.s2.defined()) s2.push_back(model->EncodeS2(batch.s2.to(device)));
    labels.push_back(batch.labels.to(device, torch::kFloat32));
  }
  PooledFeatures features;
  if (labels.empty()) return features;
  if (!s1.empty()) features.s1 = torch::cat(s1, 0);
  if (!s2.empty()) features.s2 = torch::cat(s2, 0);
  features.labels = torch::cat(labels, 0);
  return features;
}

torch::Tensor HeadsLoss(const ProbeHeads& heads, const PooledFeatures& features,
                        const torch::Tensor& rows) {
  const torch::Tensor targets =
      rows.defined() ? features.labels.index_select(0, rows) : features.labels;
  std::vector<torch::Tensor> terms;
  for (const torch::Tensor& logits : HeadLogits(heads, features, rows)) {
    terms.push_back(torch::nn::functional::binary_cross_entropy_with_logits(logits, targets));
  }
  TORCH_CHECK(!terms.empty(), "probe: the model has no head for the features it was given");
  return torch::stack(terms).mean();
}

StatusOr<TrainSummary> TrainHeadsOnFeatures(ProbeHeads& heads, const PooledFeatures& features,
                                            const OptimizationOptions& options) {
  const int64_t n = features.size();
  if (n == 0) return Status::InvalidArgument("probe: no labelled sample to train on");
  std::vector<size_t> rows(static_cast<size_t>(n));
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  data::BatchCompositionInput plan_input;
  plan_input.indices = &rows;
  plan_input.batch_size = options.batch_size;
  plan_input.seed = options.seed;
  const int64_t batches_per_epoch = data::PlannedBatches(plan_input);
  const int64_t total_steps =
      options.max_steps > 0 ? options.max_steps : options.epochs * batches_per_epoch;

  const std::vector<ParamGroup> groups = {ParamGroup{heads.parameters(), 1.0}};
  for (const torch::Tensor& p : groups[0].params) p.set_requires_grad(true);
  std::unique_ptr<torch::optim::Optimizer> optimizer = MakeOptimizer(groups, options);
  const auto device_long = features.labels.options().dtype(torch::kLong);

  TrainSummary summary;
  summary.total_steps = total_steps;
  summary.num_samples = summary.num_labelled = n;
  const auto start = std::chrono::steady_clock::now();
  std::vector<size_t> order;
  int64_t samples_done = 0;
  int64_t step = 0;
  for (; step < total_steps; ++step) {
    if (options.cancel != nullptr && options.cancel->load()) {
      return Status::Cancelled("probe cancelled at step " + std::to_string(step) + " of " +
                               std::to_string(total_steps));
    }
    const int64_t epoch = step / batches_per_epoch;
    const int64_t position = step % batches_per_epoch;
    if (position == 0 || order.empty()) {
      plan_input.epoch = epoch;
      order = data::PlanEpoch(plan_input).order;
    }
    const size_t begin = static_cast<size_t>(position * options.batch_size);
    const size_t end = std::min(order.size(), begin + static_cast<size_t>(options.batch_size));
    std::vector<int64_t> batch_rows(order.begin() + static_cast<std::ptrdiff_t>(begin),
                                    order.begin() + static_cast<std::ptrdiff_t>(end));
    const torch::Tensor index = torch::tensor(batch_rows, device_long);

    const double lr = LearningRateAt(options, step, total_steps);
    SetLearningRate(*optimizer, options.optimizer, groups, lr);
    const torch::Tensor loss = HeadsLoss(heads, features, index);
    optimizer->zero_grad();
    loss.backward();
    if (options.grad_clip_norm > 0.0) {
      torch::nn::utils::clip_grad_norm_(groups[0].params, options.grad_clip_norm);
    }
    optimizer->step();

    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    summary.final_losses = {{"total", loss.item<double>()}, {"bce", loss.item<double>()}};
    samples_done += index.size(0);
    summary.samples_per_s = elapsed > 0.0 ? static_cast<double>(samples_done) / elapsed : 0.0;
    if (options.progress) {
      TrainProgress p;
      p.step = step + 1;
      p.total_steps = total_steps;
      p.epoch = epoch;
      p.learning_rate = lr;
      p.losses = summary.final_losses;
      p.samples_per_s = summary.samples_per_s;
      p.eta_s = elapsed > 0.0 ? (total_steps - step - 1) * elapsed / (step + 1) : 0.0;
      options.progress(p);
    }
  }
  summary.steps = step;
  summary.finished = step == total_steps;
  return summary;
}

StatusOr<double> HeadsMacroMap(const ProbeHeads& heads, const PooledFeatures& features) {
  if (features.size() == 0) return Status::InvalidArgument("probe: no validation sample");
  torch::NoGradGuard no_grad;
  const std::vector<torch::Tensor> logits = HeadLogits(heads, features, {});
  if (logits.empty()) return Status::InvalidArgument("probe: no head to score");
  // The first is the fused head when there is one (HeadLogits' order).
  const torch::Tensor scores = logits.front().to(torch::kCPU, torch::kFloat32).contiguous();
  const torch::Tensor targets = features.labels.gt(0.5).to(torch::kCPU, torch::kUInt8).contiguous();
  const auto rows = static_cast<size_t>(scores.size(0));
  const auto cols = static_cast<size_t>(scores.size(1));
  StatusOr<metrics::AveragePrecisionResult> ap = metrics::ComputeAveragePrecision(
      metrics::MatrixView(scores.data_ptr<float>(), rows, cols),
      metrics::MatrixView(targets.data_ptr<uint8_t>(), rows, cols));
  if (!ap.ok()) return ap.status();
  return ap->macro;
}

}  // namespace mosaic::train::internal
